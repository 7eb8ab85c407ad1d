// grader: the printable feedback's print button (grader.grading.report). The page works without this file: the
// button stays hidden, and the browser's own menu prints it. (A phone's browser hides its print in a menu, and the
// page's policy allows no inline script.)
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
