// The print sheet's button (hidden where no script runs): the browser's print dialog.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
