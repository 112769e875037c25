"""Admin inlines that assistive technology can use."""

from __future__ import annotations

from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs are named by their column: Django's table shows each
    field's label only once, in the header, and ties it to no input (axe "label")."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)  # adds DELETE and ORDER, which need names too
                for field in form.fields.values():
                    if field.label:
                        field.widget.attrs.setdefault("aria-label", str(field.label))

        return LabelledFormSet
