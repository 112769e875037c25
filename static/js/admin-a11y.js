// Names for the admin's script-made controls, as they are added (a MutationObserver):
// - the filter boxes' help icon (SelectFilter2.js) is a <span> with aria-label and no role
//   (axe aria-prohibited-attr): it gets the image role, which its label then names;
// - an autocomplete field's box (Select2) is labelled only by its selection, empty before a
//   choice (axe aria-input-field-name): it is labelled by the field's own label as well.
(() => {
  const HELP_ICONS = ".help-tooltip[aria-label]:not([role])";

  const labelAutocomplete = (select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const box = select.nextElementSibling?.querySelector(".select2-selection");
    const shown = box?.querySelector(".select2-selection__rendered");
    if (!label || !box || box.dataset.labelled) return;
    label.id ||= `${select.id}-label`;
    box.setAttribute("aria-labelledby", [label.id, shown?.id].filter(Boolean).join(" "));
    if (shown) shown.setAttribute("aria-labelledby", label.id);
    box.dataset.labelled = "true";
  };

  const label = () => {
    for (const icon of document.querySelectorAll(HELP_ICONS)) icon.setAttribute("role", "img");
    for (const select of document.querySelectorAll("select.admin-autocomplete[id]")) {
      labelAutocomplete(select);
    }
  };
  new MutationObserver(label).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  label();
})();
