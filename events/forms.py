"""The filter form of the public event list (kind, theme, series, dates, format, language)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventFormat, EventKind, Series, Theme

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventFilterForm(forms.Form):
    """The public list's filters (GET: kind, theme, series, format, from, to, q);
    selectors.filter_events applies them."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    series = forms.ChoiceField(label=_("Series"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        text = self.fields.pop("q")
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
        self.fields["q"] = text
        everything = [("", _("All"))]
        self.fields["kind"].choices = everything + list(EventKind.choices)
        self.fields["format"].choices = everything + list(EventFormat.choices)
        self.fields["theme"].choices = everything + list(
            Theme.objects.order_by("title").values_list("slug", "title")
        )
        self.fields["series"].choices = everything + list(
            Series.objects.order_by("name").values_list("slug", "name")
        )

    def add_filter_error(self, param: str, message) -> None:
        self.is_valid()
        self.add_error(param if param in self.fields else None, message)
