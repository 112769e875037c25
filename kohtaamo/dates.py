"""The days Kohtaamo's calendar covers: one bound for every date a person types.

Event filters (page and API), the audit log filter and the report's date range all refuse
a day outside FIRST_DAY … LAST_DAY with the same message, so that "9999-12-31" is a clear
400 rather than an OverflowError when a day is added to it or it is turned into a moment.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def out_of_range_message() -> str:
    """“The date must be between 1.1.2000 and 31.12.2100.” in the active language."""
    return gettext("The date must be between %(first)s and %(last)s.") % {
        "first": date_format(FIRST_DAY, "SHORT_DATE_FORMAT"),
        "last": date_format(LAST_DAY, "SHORT_DATE_FORMAT"),
    }


def in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def validate_calendar_day(day: dt.date | None) -> None:
    """Form field validator: a day the calendar covers."""
    if day is not None and not in_range(day):
        raise ValidationError(out_of_range_message(), code="date_out_of_range")
