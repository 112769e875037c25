"""The report's periods: the funder's two-month periods (1 = January–February … 6 =
November–December), a year, a free range, the whole programme, and the same period a year
earlier for comparison."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kohtaamo.dates import FIRST_DAY, LAST_DAY

from ..models import Event, EventStatus

FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year  # the days the calendar covers


class ReportInputError(ValueError):
    """Bad report parameters; `message` is translated and shown to the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def range_label(start: dt.date, end: dt.date) -> str:
    return f"{date_format(start, 'SHORT_DATE_FORMAT')}–{date_format(end, 'SHORT_DATE_FORMAT')}"


def two_month_period(*, year: int, number: int) -> Period:
    """The funder's two-month period `number` (1 = January–February … 6 = November–December)."""
    first = 2 * number - 1
    start = dt.date(year, first, 1)
    end = dt.date(year, first + 1, calendar.monthrange(year, first + 1)[1])
    label = gettext("%(months)s %(year)s") % {
        "months": f"{date_format(start, 'F')}–{date_format(end, 'F')}",
        "year": year,
    }
    return Period(start, end, label)


def year_period(*, year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))


def range_period(*, start: dt.date, end: dt.date) -> Period:
    return Period(start, end, range_label(start, end))


def programme_period() -> Period:
    """The whole programme: from its first published event to its last (today if none)."""
    bounds = Event.objects.filter(status=EventStatus.PUBLISHED).aggregate(
        first=Min("starts_at"), last=Max("starts_at")
    )
    today = timezone.localdate()
    start = (
        bounds["first"].astimezone(timezone.get_default_timezone()).date()
        if bounds["first"]
        else today
    )
    end = (
        bounds["last"].astimezone(timezone.get_default_timezone()).date()
        if bounds["last"]
        else today
    )
    label = gettext("Whole programme (%(range)s)") % {"range": range_label(start, end)}
    return Period(start, end, label)


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def previous_period(period: Period) -> Period:
    """The period of the same kind just before: two months, a year, or as many days."""
    start, end = period.start, period.end
    if start.day == 1 and end == _month_end(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        new_start = _add_months(start, -months)
        return range_period(start=new_start, end=_month_end(_add_months(start, -1)))
    days = dt.timedelta(days=period.days)
    return range_period(start=start - days, end=end - days)


def year_earlier(period: Period) -> Period:
    start, end = _shift_year(period.start, -1), _shift_year(period.end, -1)
    if period.end == _month_end(period.end):
        end = _month_end(end)
    return range_period(start=start, end=end)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def check_dates(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ReportInputError(_("The start date must not be after the end date."))
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise ReportInputError(
            _("Dates must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
