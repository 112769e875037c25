"""The filter form of the public event list (kind, theme, series, dates, format, language)."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import EventFormat, EventKind, Series, Theme

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class ListSelect(forms.Select):
    """A <select> written in Python: the same HTML as django/forms/widgets/select.html.

    The filter form's four selects hold ~60 options; through the templates each option was
    two includes, a fifth of /events/'s time (issue 20). No optgroups here.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:  # noqa: ARG002 - Widget.render's signature
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                str(option["value"]),
                mark_safe(_attrs(option["attrs"])),  # noqa: S308 - escaped by _attrs
                option["label"],
            )
            for _group, choices, _index in widget["optgroups"]
            for option in choices
        )
        return mark_safe(  # noqa: S308 - every part is escaped
            f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{options}\n</select>"
        )


class EventFilterForm(forms.Form):
    """The public list's filters (GET: kind, theme, series, format, from, to, q);
    selectors.filter_events applies them."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False, widget=ListSelect)
    theme = forms.ChoiceField(label=_("Theme"), required=False, widget=ListSelect)
    series = forms.ChoiceField(label=_("Series"), required=False, widget=ListSelect)
    format = forms.ChoiceField(label=_("Format"), required=False, widget=ListSelect)
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
