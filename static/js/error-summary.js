// Move keyboard and screen-reader focus to the error summary when a form comes back with
// errors, so the first thing announced is what to correct. Optional: without JavaScript the
// summary is still the first thing in the page's main content (role="alert").
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
