// The matches page: while the matcher works, ask once a second; when it answers, show the lists.
(function () {
  "use strict";
  var box = document.getElementById("matches");
  if (!box || box.getAttribute("data-status") === "ready") return;
  var url = box.getAttribute("data-poll");
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.status === "ready") {
          box.innerHTML = body.html;
          box.setAttribute("data-status", "ready");
        } else if (tries < 600) {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { if (tries < 600) setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
