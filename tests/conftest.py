import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from accounts.roles import Role, grant_role
from events.calendars.views import forget_local_state
from events.page_cache import forget_local_pages

from .factories import UserFactory

# --- The clock --------------------------------------------------------------------------
# A test whose outcome depends on today's date is marked `date_sensitive`: it runs once at
# each of SUITE_DATES, with the clock (server and test) travelled there and ticking. Set
# KOHTAAMO_TEST_DATE to run the whole suite as if it were another day (see docs/testing.md).

HELSINKI = ZoneInfo("Europe/Helsinki")
TEST_DATE_VARIABLE = "KOHTAAMO_TEST_DATE"
SUITE_DATES = (
    "2026-12-01",  # the term planned 30 days ahead holds New Year's Day and Epiphany
    "2026-12-31T23:30",  # Helsinki is already in the new year, UTC is not
    "2027-03-27",  # the day before summer time starts
    "2027-06-18",  # midsummer week, summer break
    "2027-10-30",  # the day before summer time ends
    "2027-12-24",  # Christmas Eve
    "2028-02-29",  # leap day
)


def parse_test_date(value: str) -> dt.datetime:
    """A date alone ("2027-06-18") is noon in Helsinki; a time ("2026-12-31T23:30") is
    Helsinki time unless the value carries its own offset."""
    moment = dt.datetime.fromisoformat(value)
    if len(value) <= 10:  # a date alone
        moment = moment.replace(hour=12)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HELSINKI)
    return moment


_suite_clock: time_machine.travel | None = None


def pytest_configure(config):
    global _suite_clock  # noqa: PLW0603 - the suite's one clock, started once per session
    value = os.environ.get(TEST_DATE_VARIABLE)
    if value and _suite_clock is None:
        _suite_clock = time_machine.travel(parse_test_date(value), tick=True)
        _suite_clock.start()


def pytest_unconfigure(config):
    global _suite_clock  # noqa: PLW0603 - the suite's one clock, stopped at the end
    if _suite_clock is not None:
        _suite_clock.stop()
        _suite_clock = None


def pytest_report_header(config):
    value = os.environ.get(TEST_DATE_VARIABLE)
    if value:
        return f"clock: {TEST_DATE_VARIABLE}={value} ({parse_test_date(value).isoformat()})"
    return None


def pytest_generate_tests(metafunc):
    """Run each `date_sensitive` test at every date of SUITE_DATES (`suite_date` fixture), or
    only at KOHTAAMO_TEST_DATE when it is set."""
    if metafunc.definition.get_closest_marker("date_sensitive"):
        metafunc.fixturenames.insert(0, "suite_date")  # before the fixtures that make data
        value = os.environ.get(TEST_DATE_VARIABLE)
        metafunc.parametrize("suite_date", (value,) if value else SUITE_DATES, indirect=True)


@pytest.fixture
def suite_date(request):
    """The clock at one of SUITE_DATES for the whole test, ticking; yields the moment."""
    moment = parse_test_date(request.param)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Every test: fresh cache (rate limits), files under a temporary media root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_ROOT = tmp_path / "archives"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    forget_local_state()
    forget_local_pages()
    yield
    cache.clear()
    forget_local_state()
    forget_local_pages()


@pytest.fixture
def user(db):
    return UserFactory()


def _with_role(role: Role):
    person = UserFactory(with_totp=True)  # staff must have a second factor
    grant_role(person, role)
    return person


@pytest.fixture
def organiser(db):
    return _with_role(Role.ORGANISER)


@pytest.fixture
def communications(db):
    return _with_role(Role.COMMUNICATIONS)


@pytest.fixture
def reporting(db):
    return _with_role(Role.REPORTING)


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, with_totp=True)


@pytest.fixture
def en_client(client):
    """The test client with the language switcher set to English."""
    client.cookies["django_language"] = "en"
    return client
