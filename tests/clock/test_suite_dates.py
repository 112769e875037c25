"""The suite's clock: `date_sensitive` tests run at each fixed date, with the server's clock
there too (see tests/conftest.py and docs/testing.md)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import HELSINKI, SUITE_DATES, parse_test_date
from tests.factories import EventFactory

# The dates the issue asks for; the suite may add more, never drop one.
REQUIRED_DATES = {"2026-12-01", "2027-03-27", "2027-06-18", "2028-02-29", "2027-12-24"}


def test_the_suite_dates_include_the_required_ones():
    assert set(SUITE_DATES) >= REQUIRED_DATES


def test_a_date_alone_is_noon_in_helsinki_and_a_time_is_helsinki_time():
    assert parse_test_date("2028-02-29") == dt.datetime(2028, 2, 29, 12, tzinfo=HELSINKI)
    assert parse_test_date("2026-12-31T23:30") == dt.datetime(2026, 12, 31, 21, 30, tzinfo=dt.UTC)
    assert parse_test_date("2027-03-27T10:00+00:00") == dt.datetime(2027, 3, 27, 10, tzinfo=dt.UTC)


@pytest.mark.date_sensitive
def test_the_clock_and_the_server_are_at_the_suite_date(suite_date, client, db):
    elapsed = timezone.now() - suite_date
    assert dt.timedelta(0) <= elapsed < dt.timedelta(minutes=5)  # travelled, and ticking
    assert timezone.localdate() == suite_date.astimezone(HELSINKI).date()
    day = dt.timedelta(days=1)
    hour = dt.timedelta(hours=1)
    tomorrow = EventFactory(
        title="Huomenna", starts_at=suite_date + day, ends_at=suite_date + day + hour
    )
    yesterday = EventFactory(
        title="Eilen", starts_at=suite_date - day, ends_at=suite_date - day + hour
    )

    page = client.get(reverse("events:list")).content.decode()  # upcoming events only

    assert tomorrow.title in page
    assert yesterday.title not in page
