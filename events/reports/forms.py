"""The report's parameters: one form read by the page, the exports, the charts and the API."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .compute import BREAKDOWN_LABELS, Report, attendance_report
from .periods import (
    Period,
    ReportInputError,
    check_dates,
    programme_period,
    range_period,
    two_month_period,
    year_period,
)
from .selectors import BREAKDOWNS

PERIOD_CHOICES = [
    ("two_months", _("Two-month period")),
    ("year", _("Calendar year")),
    ("programme", _("Whole programme")),
    ("range", _("Date range")),
]
TWO_MONTH_CHOICES = [
    (1, _("January–February")),
    (2, _("March–April")),
    (3, _("May–June")),
    (4, _("July–August")),
    (5, _("September–October")),
    (6, _("November–December")),
]
DEFAULT_BREAKDOWNS = ["kind", "theme"]


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    two_months = forms.TypedChoiceField(
        label=_("Two-month period"), choices=TWO_MONTH_CHOICES, coerce=int, required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    start = forms.DateField(
        label=_("From (date range)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To (date range)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    breakdown = forms.MultipleChoiceField(
        label=_("Breakdowns"),
        choices=[(name, BREAKDOWN_LABELS[name]) for name in BREAKDOWNS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": format_lazy(
                "{} {}.", _("Unknown breakdown “%(value)s”. Choose from:"), ", ".join(BREAKDOWNS)
            )
        },
    )

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(with_defaults(data), **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            data["resolved_period"] = self._period(data)
        except ReportInputError as error:
            field = "end" if data.get("period") == "range" else None
            self.add_error(field, error.message)
        return data

    def _period(self, data) -> Period:
        kind, year = data["period"], data.get("year")
        if kind == "two_months":
            return two_month_period(year=year, number=data.get("two_months"))
        if kind == "year":
            return year_period(year=year)
        if kind == "programme":
            return programme_period()
        start, end = data.get("start"), data.get("end")
        if not start or not end:
            raise ReportInputError(_("A date range needs both a start date and an end date."))
        check_dates(start, end)
        return range_period(start=start, end=end)

    def error_text(self) -> str:
        """All errors as one sentence list, for the API's 400 answer."""
        messages = [str(e) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != "__all__":
                messages += [f"{self.fields[name].label}: {e}" for e in errors]
        return " ".join(messages)

    def report(self, *, compare: bool = True) -> Report:
        """The report for the valid parameters; ReportInputError is turned into a form error."""
        period: Period = self.cleaned_data["resolved_period"]
        return attendance_report(
            start=period.start,
            end=period.end,
            breakdowns=self.cleaned_data.get("breakdown") or [],
            label=period.label,
            compare=compare,
        )


def with_defaults(data):
    """Fill what is not asked for: the current two-month period, kind and theme."""
    data = QueryDict("", mutable=True) if data is None else data.copy()
    if not isinstance(data, QueryDict):
        query = QueryDict("", mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list | tuple) else [value])
        data = query
    today = timezone.localdate()
    if not data.get("period"):
        data["period"] = "range" if data.get("start") or data.get("end") else "two_months"
    if data["period"] in ("two_months", "year") and not data.get("year"):
        data["year"] = str(today.year)
    if data["period"] == "two_months" and not data.get("two_months"):
        data["two_months"] = str((today.month + 1) // 2)
    if "breakdown" not in data:
        data.setlist("breakdown", DEFAULT_BREAKDOWNS)
    return data
