// The matches page: while the matcher works, ask soon (100 ms), then less often (×1.5, at most every 2 s);
// when it answers, show the lists and the need's new status badge.
(function () {
  "use strict";
  var box = document.getElementById("matches");
  if (!box || box.getAttribute("data-status") === "ready") return;
  var url = box.getAttribute("data-poll");
  var FIRST = 100, GROWTH = 1.5, LONGEST = 2000, GIVE_UP = 15 * 60 * 1000;
  var delay = FIRST, waited = 0;
  function later() {
    if (waited >= GIVE_UP) return;
    waited += delay;
    setTimeout(poll, delay);
    delay = Math.min(LONGEST, delay * GROWTH);
  }
  function showStatus(code, label) {
    var badge = document.getElementById("need-status");
    if (!badge || !code) return;
    badge.className = "badge s-" + code;
    badge.textContent = label;
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.status === "ready") {
          box.innerHTML = body.html;
          box.setAttribute("data-status", "ready");
          showStatus(body.need_status, body.need_status_label);
        } else {
          later();
        }
      })
      .catch(later);
  }
  later();
})();
