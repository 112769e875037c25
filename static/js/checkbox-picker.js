// A long multi-select (the event form's presenters) as a text filter and a list of
// checkboxes. Without JavaScript the <select multiple> itself is the control. With it the
// select is hidden but stays what the form sends: each checkbox mirrors one of its options.
// Keys: type in the filter to narrow the list; Down arrow or Enter moves to the first shown
// checkbox (Enter does not send the form); Up and Down arrows move between the checkboxes,
// Space ticks one; Up from the first returns to the filter.
(function () {
  "use strict";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(select) {
    var id = select.id;
    var label = document.querySelector('label[for="' + id + '"]');
    if (!id || !label || select.options.length === 0) {
      return; // nothing to pick from: the (empty) select stays as it is
    }
    var texts = select.dataset;
    var fieldset = document.createElement("fieldset");
    fieldset.className = "picker";
    if (select.getAttribute("aria-describedby")) {
      fieldset.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    var legend = document.createElement("legend");
    label.childNodes.forEach(function (node) {
      legend.appendChild(node.cloneNode(true));
    });
    fieldset.appendChild(legend);

    var filterLabel = document.createElement("label");
    filterLabel.htmlFor = id + "_filter";
    filterLabel.className = "picker-filter-label";
    filterLabel.textContent = texts.pickerFilterLabel;
    var filter = document.createElement("input");
    filter.type = "search";
    filter.id = id + "_filter";
    filter.autocomplete = "off";
    filter.setAttribute("aria-controls", id + "_options");
    filter.setAttribute("aria-describedby", id + "_status");
    var status = document.createElement("p");
    status.id = id + "_status";
    status.className = "help";
    status.setAttribute("role", "status");

    var list = document.createElement("ul");
    list.id = id + "_options";
    list.className = "check-list picker-options";
    var chosen = document.createElement("p");
    chosen.className = "picker-chosen";
    chosen.id = id + "_chosen";

    var items = Array.prototype.map.call(select.options, function (option, index) {
      var item = document.createElement("li");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.id = id + "_option_" + index;
      box.checked = option.selected;
      var boxLabel = document.createElement("label");
      boxLabel.htmlFor = box.id;
      boxLabel.textContent = option.textContent;
      box.addEventListener("change", function () {
        option.selected = box.checked;
        showChosen();
      });
      item.appendChild(box);
      item.appendChild(boxLabel);
      list.appendChild(item);
      return { item: item, box: box, option: option, key: normalise(option.textContent) };
    });

    function shown() {
      return items.filter(function (entry) {
        return !entry.item.hidden;
      });
    }

    function showChosen() {
      var names = items
        .filter(function (entry) {
          return entry.option.selected;
        })
        .map(function (entry) {
          return entry.option.textContent;
        });
      chosen.textContent = names.length
        ? format(texts.pickerChosen, { names: names.join("; ") })
        : texts.pickerNothingChosen;
    }

    function applyFilter() {
      var query = normalise(filter.value);
      items.forEach(function (entry) {
        entry.item.hidden = query !== "" && entry.key.indexOf(query) === -1;
      });
      var count = shown().length;
      status.textContent =
        count === 0
          ? format(texts.pickerNone, { text: filter.value.trim() })
          : format(texts.pickerStatus, { shown: count, total: items.length });
    }

    filter.addEventListener("input", applyFilter);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault(); // Enter here narrows the list: it must not send the form
        var first = shown()[0];
        if (first) {
          first.box.focus();
        }
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
        return;
      }
      var visible = shown();
      var at = visible.findIndex(function (entry) {
        return entry.box === event.target;
      });
      if (at === -1) {
        return;
      }
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) {
        filter.focus();
      } else if (next < visible.length) {
        visible[next].box.focus();
      }
    });

    fieldset.appendChild(filterLabel);
    fieldset.appendChild(filter);
    fieldset.appendChild(status);
    fieldset.appendChild(list);
    fieldset.appendChild(chosen);
    select.parentNode.insertBefore(fieldset, select);
    select.hidden = true;
    label.hidden = true;
    // The error summary's link to the field now leads to the filter.
    document.querySelectorAll('a[href="#' + id + '"]').forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        filter.focus();
      });
    });
    applyFilter();
    showChosen();
  }

  document.querySelectorAll("select[multiple][data-picker]").forEach(enhance);
})();
