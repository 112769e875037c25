"""Weekly dates for a series, skipping Finnish public holidays and named breaks.

Pure functions: nothing here touches the database. The organiser's "plan a term" page
shows the result as a preview; `events.planning.services.create_series_sessions` saves it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays
from django.utils.translation import gettext_lazy as _

# Django language code → the holidays library's language for Finnish holiday names.
HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@dataclass(frozen=True)
class BreakPeriod:
    """A named pause in the series, both ends included (e.g. "Summer break")."""

    name: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class SessionOverride:
    """What one session of a planned term does differently from its series: its own start
    time or meeting link (empty: the series')."""

    start_time: dt.time | None = None
    meeting_url: str = ""

    def start_differs(self, series_start: dt.time) -> bool:
        return self.start_time is not None and self.start_time != series_start

    def link_differs(self, series_link: str) -> bool:
        return bool(self.meeting_url) and self.meeting_url != series_link


@dataclass(frozen=True)
class SkippedDate:
    day: dt.date
    reason: str
    kind: str  # "holiday", "break" or "exists"


@dataclass
class SeriesPlan:
    """The preview: the dates that would get a session and the dates that are skipped."""

    dates: list[dt.date] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[dt.date, SkippedDate | None]]:
        """Every weekly date in order, with the reason when it is skipped."""
        rows = [(day, None) for day in self.dates] + [(s.day, s) for s in self.skipped]
        return sorted(rows, key=lambda row: row[0])


class ScheduleError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def weekly_dates(first: dt.date, last: dt.date, weekday: int) -> list[dt.date]:
    """Every `weekday` (0 = Monday) from `first` to `last`, both included."""
    start = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    days = []
    day = start
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def finnish_holidays(years: Iterable[int], language: str = "fi") -> holidays.HolidayBase:
    """Finnish public holidays with names in the given Django language (fallback Finnish)."""
    lang = HOLIDAY_LANGUAGES.get((language or "fi")[:2], "fi")
    return holidays.country_holidays("FI", years=sorted(set(years)), language=lang)


def preview_series_sessions(
    *,
    first_date: dt.date,
    last_date: dt.date,
    weekday: int,
    breaks: Iterable[BreakPeriod] = (),
    existing_dates: Iterable[dt.date] = (),
    language: str = "fi",
    max_weeks: int = 160,
) -> SeriesPlan:
    """Weekly dates between two dates, skipping holidays, breaks and days already planned.

    Nothing is saved: this is the preview the organiser confirms.
    """
    if last_date < first_date:
        raise ScheduleError(_("The last date must not be before the first date."))
    if not 0 <= weekday <= 6:
        raise ScheduleError(_("The weekday must be between Monday and Sunday."))
    candidates = weekly_dates(first_date, last_date, weekday)
    if len(candidates) > max_weeks:
        raise ScheduleError(
            _("A term can have at most %(max)s weeks; choose a shorter period.")
            % {"max": max_weeks}
        )
    breaks = list(breaks)
    existing = set(existing_dates)
    public_holidays = finnish_holidays(range(first_date.year, last_date.year + 1), language)
    plan = SeriesPlan()
    for day in candidates:
        reason = _skip_reason(day, public_holidays, breaks, existing)
        if reason is None:
            plan.dates.append(day)
        else:
            plan.skipped.append(reason)
    return plan


def _skip_reason(
    day: dt.date,
    public_holidays: holidays.HolidayBase,
    breaks: list[BreakPeriod],
    existing: set[dt.date],
) -> SkippedDate | None:
    if day in public_holidays:
        return SkippedDate(day, public_holidays.get(day), "holiday")
    for period in breaks:
        if day in period:
            return SkippedDate(day, period.name, "break")
    if day in existing:
        return SkippedDate(day, str(_("The series already has a session on this day.")), "exists")
    return None
