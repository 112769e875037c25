from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from kohtaamo.errors import DomainError
from youtube import quota
from youtube.errors import QuotaExhaustedError
from youtube.models import QuotaUse

PACIFIC = ZoneInfo("America/Los_Angeles")
BEFORE_MIDNIGHT = dt.datetime(2026, 3, 2, 23, 59, tzinfo=PACIFIC)  # 09:59 in Helsinki
AFTER_MIDNIGHT = dt.datetime(2026, 3, 3, 0, 0, tzinfo=PACIFIC)


@pytest.mark.django_db
def test_the_day_is_the_pacific_date(youtube_settings):
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        quota.spend("captions.insert")
        assert quota.remaining() == 9600
        assert QuotaUse.objects.get().day == dt.date(2026, 3, 2)
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert quota.remaining() == 10000
        quota.spend("videos.list")
        assert quota.remaining() == 9999
    assert dict(QuotaUse.objects.values_list("day", "units")) == {
        dt.date(2026, 3, 2): 400,
        dt.date(2026, 3, 3): 1,
    }


@pytest.mark.django_db
def test_explicit_now(youtube_settings):
    quota.spend("captions.update", now=BEFORE_MIDNIGHT)
    assert quota.remaining(now=BEFORE_MIDNIGHT) == 9550
    assert quota.remaining(now=AFTER_MIDNIGHT) == 10000
    # the Helsinki date is already 3 March at 23:59 Pacific; Google's day is still 2 March
    assert quota.pacific_day(BEFORE_MIDNIGHT.astimezone(ZoneInfo("Europe/Helsinki"))) == (
        dt.date(2026, 3, 2)
    )


@pytest.mark.django_db
def test_the_ledger_never_exceeds_the_limit(youtube_settings):
    youtube_settings.YOUTUBE_DAILY_QUOTA = 1000
    now = BEFORE_MIDNIGHT
    assert quota.spend("captions.insert", now=now) == 600
    assert quota.spend("captions.insert", now=now) == 200
    with pytest.raises(QuotaExhaustedError) as caught:
        quota.spend("captions.insert", now=now)
    assert isinstance(caught.value, DomainError)
    assert caught.value.remaining == 200 and caught.value.cost == 400
    assert quota.spend("captions.delete", now=now) == 150
    for _ in range(150):
        quota.spend("videos.list", now=now)
    with pytest.raises(QuotaExhaustedError):
        quota.spend("videos.list", now=now)
    assert QuotaUse.objects.get().units == 1000
    assert quota.remaining(now=now) == 0


def test_costs():
    assert quota.COSTS == {
        "videos.list": 1,
        "channels.list": 1,
        "captions.list": 50,
        "captions.insert": 400,
        "captions.update": 450,
        "captions.delete": 50,
        "videos.update": 50,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_spending_stops_at_the_limit(youtube_settings):
    youtube_settings.YOUTUBE_DAILY_QUOTA = 1000  # room for two of the five uploads
    barrier = threading.Barrier(5)
    spent, refused = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            quota.spend("captions.insert", now=BEFORE_MIDNIGHT)
            spent.append(1)
        except QuotaExhaustedError:
            refused.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (len(spent), len(refused)) == (2, 3)
    assert QuotaUse.objects.get().units == 800
