// The organizer's check-in code: ask for the current code every `data-refresh` seconds (10) and show
// its QR, digits and scan URL; when the check-in window closes, say so instead.
(function () {
  "use strict";
  var box = document.getElementById("checkin-code");
  if (!box) return;
  var url = box.getAttribute("data-poll");
  var every = (parseInt(box.getAttribute("data-refresh"), 10) || 10) * 1000;
  function show(body) {
    document.getElementById("checkin-qr").innerHTML = body.svg;  // our server's SVG: one path, no text
    document.getElementById("checkin-digits").textContent = body.digits;
    document.getElementById("checkin-scan-url").textContent = body.scan_url;
    box.setAttribute("data-scan-url", body.scan_url);
    box.setAttribute("data-digits", body.digits);
    box.setAttribute("data-step", String(body.step));
  }
  function closed(body) {
    var note = document.createElement("p");
    note.className = "alert";
    note.id = "checkin-closed";
    note.textContent = body.closed;
    box.replaceWith(note);
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, status: r.status, body: body}; }); })
      .then(function (got) {
        if (got.ok) { show(got.body); setTimeout(poll, every); }
        else if (got.status === 409) { closed(got.body); }
        else { setTimeout(poll, every); }
      })
      .catch(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
