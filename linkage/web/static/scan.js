// The volunteer's scan page: before posting 签到/签退, ask the browser for the position (8 s at most);
// refused or unavailable, the form is posted without it.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form || !navigator.geolocation) return;
  var located = false;
  form.addEventListener("submit", function (event) {
    if (located) return;
    event.preventDefault();
    var button = event.submitter;
    function send() { located = true; form.requestSubmit(button); }
    navigator.geolocation.getCurrentPosition(function (where) {
      document.getElementById("f-lat").value = String(where.coords.latitude);
      document.getElementById("f-lon").value = String(where.coords.longitude);
      send();
    }, send, {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
  });
})();
