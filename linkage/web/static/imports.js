// An import batch's page while its rows are checked: poll the batch's progress (every second), move
// the bar, and reload the page when the check is done (the preview or the refusal is drawn by the server).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var url = box.getAttribute("data-poll");
  var bar = document.getElementById("progress-bar");
  var label = document.getElementById("progress-label");
  var EVERY = 1000, GIVE_UP = 10 * 60 * 1000, waited = 0;
  function later() {
    if (waited >= GIVE_UP) return;
    waited += EVERY;
    setTimeout(poll, EVERY);
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { later(); return; }
        if (body.status !== "running") { window.location.reload(); return; }
        bar.value = body.total_rows;
        label.textContent = body.label;
        later();
      })
      .catch(later);
  }
  later();
})();
