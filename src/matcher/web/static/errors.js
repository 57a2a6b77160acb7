// A page that comes back with problems moves the focus to its error summary, so that a screen reader reads
// the problems first and a keyboard user can follow their links to the fields (WCAG 2.1: 3.3.1, 2.4.3).
(function () {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
