// Printing an article: writes today's date on the handout (the page may come from a cache, so
// the server cannot), and shows a "Print this checklist" button that prints only that
// checklist with the 911 box. Without JavaScript the browser's own print prints the whole page
// with a line to write the date on.
const dateLabel = document.querySelector(".js-print-date");

function writeDate() {
  if (!dateLabel) return;
  const language = document.documentElement.lang || "en";
  const today = new Intl.DateTimeFormat(language, { dateStyle: "long" }).format(new Date());
  dateLabel.textContent = `${dateLabel.dataset.label} ${today}`;
}

writeDate();
window.addEventListener("beforeprint", writeDate);

function checklistParts(headingId) {
  const heading = document.getElementById(headingId);
  if (!heading) return [];
  const parts = [heading];
  for (let next = heading.nextElementSibling; next && next.tagName !== "H2"; next = next.nextElementSibling) {
    parts.push(next);
  }
  return parts;
}

function clearSelection() {
  document.documentElement.classList.remove("print-checklist");
  for (const part of document.querySelectorAll(".print-selected")) part.classList.remove("print-selected");
}

window.addEventListener("afterprint", clearSelection);

for (const button of document.querySelectorAll(".js-print")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    const parts = checklistParts(button.dataset.checklist);
    if (parts.length) {
      for (const part of parts) part.classList.add("print-selected");
      document.documentElement.classList.add("print-checklist");
    }
    window.print();
  });
}
