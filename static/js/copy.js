// Optional "Copy" buttons for read-only address fields. Without JavaScript the buttons stay
// hidden and the address can be selected and copied by hand from its labelled field.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    var status = document.querySelector(
      '[data-copy-status-for="' + button.getAttribute("data-copy-target") + '"]'
    );
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          if (status) {
            status.textContent = button.getAttribute("data-copied-text") || "✓";
          }
        },
        function () {
          field.focus();
          field.select();
        }
      );
    });
  });
})();
