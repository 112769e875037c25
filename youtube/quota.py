"""The day's YouTube quota: a ledger that is never taken past YOUTUBE_DAILY_QUOTA.

Google counts a project's units per day from midnight to midnight Pacific time
(America/Los_Angeles), so the ledger's day is the Pacific date. Units are spent before the
call that costs them (``spend``), under a row lock, so concurrent workers never exceed the
quota together.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .config import youtube_settings
from .errors import QuotaExhaustedError
from .models import QuotaUse

PACIFIC = ZoneInfo("America/Los_Angeles")

# Units per call (YouTube Data API quota calculator).
COSTS: dict[str, int] = {
    "videos.list": 1,
    "channels.list": 1,
    "captions.list": 50,
    "captions.insert": 400,
    "captions.update": 450,
    "captions.delete": 50,
    "videos.update": 50,
}


def pacific_day(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(PACIFIC).date()


def _limit() -> int:
    return youtube_settings().daily_quota


def used(*, now: dt.datetime | None = None) -> int:
    row = QuotaUse.objects.filter(day=pacific_day(now)).first()
    return row.units if row else 0


def remaining(*, now: dt.datetime | None = None) -> int:
    return max(0, _limit() - used(now=now))


def _locked_row(day: dt.date) -> QuotaUse:
    try:
        with transaction.atomic():
            QuotaUse.objects.get_or_create(day=day)
    except IntegrityError:  # another worker created it first
        pass
    return QuotaUse.objects.select_for_update().get(day=day)


def spend(operation: str, *, now: dt.datetime | None = None) -> int:
    """Add the operation's cost to today's use and answer the units left; raise
    QuotaExhaustedError (nothing spent) when it would take the day past the quota."""
    cost = COSTS[operation]
    limit = _limit()
    with transaction.atomic():
        row = _locked_row(pacific_day(now))
        if row.units + cost > limit:
            raise QuotaExhaustedError(
                operation=operation, cost=cost, remaining=max(0, limit - row.units)
            )
        QuotaUse.objects.filter(pk=row.pk).update(units=F("units") + cost)
        return limit - row.units - cost


def mark_exhausted(*, now: dt.datetime | None = None) -> None:
    """Google said quotaExceeded: take the ledger to the limit for the rest of the day."""
    limit = _limit()
    with transaction.atomic():
        row = _locked_row(pacific_day(now))
        if row.units < limit:
            QuotaUse.objects.filter(pk=row.pk).update(units=limit)
