// Shows a "Print this checklist" button. Without JavaScript the browser's own print works.
for (const button of document.querySelectorAll(".js-print")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
