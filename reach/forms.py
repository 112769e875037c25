"""The reach report's period: the attendance report's picker (a two-month period, a year or
a date range), by default the last 30 days. The periods and their rules are the reports'
(events/reports/periods.py), not repeated here."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.reports.forms import PERIOD_CHOICES as REPORT_PERIOD_CHOICES
from events.reports.forms import TWO_MONTH_CHOICES
from events.reports.periods import (
    Period,
    ReportInputError,
    check_dates,
    range_period,
    two_month_period,
    year_period,
)

DEFAULT_DAYS = 30
MAX_DAYS = 731
# The attendance report's choices but the whole programme, which can be longer than
# the counts are worth comparing.
PERIOD_CHOICES = [choice for choice in REPORT_PERIOD_CHOICES if choice[0] != "programme"]


class ReachPeriodForm(forms.Form):
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

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(with_defaults(data), **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            period = self._period(data)
        except ReportInputError as error:
            raise forms.ValidationError(str(error.message)) from error
        if period.days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        data["resolved_period"] = period
        data["start"], data["end"] = period.start, period.end
        return data

    def _period(self, data) -> Period:
        if data["period"] == "two_months":
            return two_month_period(year=data["year"], number=data["two_months"])
        if data["period"] == "year":
            return year_period(year=data["year"])
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        check_dates(start, end)  # the reports' one rule for a period's dates
        return range_period(start=start, end=end)


def with_defaults(data) -> QueryDict:
    """Fill what is not asked for: a date range (the last 30 days) unless a two-month period
    or a year is named, and the current two-month period and year for the picker."""
    if not isinstance(data, QueryDict):
        query = QueryDict("", mutable=True)
        query.update(data or {})
        data = query
    data = data.copy()
    today = timezone.localdate()
    if not data.get("period"):
        data["period"] = "two_months" if data.get("two_months") else "range"
    if not data.get("year"):
        data["year"] = str(today.year)
    if not data.get("two_months"):
        data["two_months"] = str((today.month + 1) // 2)
    return data


def period_query(period: Period) -> dict[str, str]:
    """The report's parameters for a period: its two-month or year choice if it is one,
    else its dates (the link from the attendance report keeps the period it shows)."""
    start, end = period.start, period.end
    number = (start.month + 1) // 2
    if (
        start.day == 1
        and start.month % 2 == 1
        and two_month_period(year=start.year, number=number).end == end
    ):
        return {
            "period": "two_months",
            "two_months": str(number),
            "year": str(start.year),
        }
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return {"period": "year", "year": str(start.year)}
    return {"period": "range", "start": start.isoformat(), "end": end.isoformat()}
