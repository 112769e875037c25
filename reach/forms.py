"""The reach report's period: two dates, by default the last 30 days."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.reports.periods import ReportInputError, check_dates

DEFAULT_DAYS = 30
MAX_DAYS = 731


class ReachPeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        try:
            check_dates(start, end)  # the reports' one rule for a period's dates
        except ReportInputError as error:
            raise forms.ValidationError(str(error.message)) from error
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        data["start"], data["end"] = start, end
        return data
