// "Add a break" (and any other [data-formset-add] button): adds a row of a Django formset
// here, without a round trip. Without JavaScript the same button submits the form and the
// server adds the row (events.planning.views.plan_term, action "add_break").
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var rows = document.querySelector('[data-formset-rows="' + prefix + '"]');
    var template = document.querySelector('[data-formset-template="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var status = document.querySelector('[data-formset-status="' + prefix + '"]');
    var max = parseInt(button.getAttribute("data-formset-max") || "1000", 10);
    if (!rows || !template || !total) {
      return;
    }
    button.addEventListener("click", function (event) {
      var index = parseInt(total.value, 10) || 0;
      if (index >= max) {
        return;
      }
      event.preventDefault();
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__num__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      if (index + 1 >= max) {
        button.disabled = true;
      }
      if (status) {
        status.textContent = (button.getAttribute("data-formset-added") || "").replace(
          "%(number)s",
          String(index + 1)
        );
      }
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
