"""Visits counted in the cache, written to DailyCount by the flush (reach/services.py)."""

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from reach import services
from reach.models import CountKind, DailyCount, TargetType
from tests.factories import EventFactory, ThemeFactory

from .conftest import BROWSER, MONDAY

pytestmark = pytest.mark.django_db


def _counts(**filters) -> dict[tuple[str, str, int], int]:
    return {
        (row.kind, row.target_type, row.target_id): row.count
        for row in DailyCount.objects.filter(**filters)
    }


def _event_counts(event, day=None) -> dict[str, int]:
    day = day or MONDAY.date()
    return {
        kind: count
        for (kind, target_type, target_id), count in _counts(day=day).items()
        if target_type == TargetType.EVENT and target_id == event.pk
    }


def test_visits_to_event_theme_and_list_pages_reach_the_database(monday, browser):
    theme = ThemeFactory(slug="tyokyky")
    event = EventFactory(theme=theme)
    assert browser.get(reverse("events:detail", args=[event.pk])).status_code == 200
    assert browser.get(reverse("events:theme", args=["tyokyky"])).status_code == 200
    assert browser.get(reverse("events:list")).status_code == 200
    assert DailyCount.objects.count() == 0  # nothing written while the pages are served

    services.flush_counts()

    assert _counts(day=MONDAY.date()) == {
        (CountKind.PAGE_VIEW, TargetType.EVENT, event.pk): 1,
        (CountKind.UNIQUE_VISITOR, TargetType.EVENT, event.pk): 1,
        (CountKind.PAGE_VIEW, TargetType.THEME, theme.pk): 1,
        (CountKind.UNIQUE_VISITOR, TargetType.THEME, theme.pk): 1,
        (CountKind.PAGE_VIEW, TargetType.UPCOMING, 0): 1,
        (CountKind.UNIQUE_VISITOR, TargetType.UPCOMING, 0): 1,
    }


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_a_bot_is_not_counted(monday, agent):
    event = EventFactory()
    response = Client(HTTP_USER_AGENT=agent).get(reverse("events:detail", args=[event.pk]))
    assert response.status_code == 200
    services.flush_counts()
    assert DailyCount.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [{"sec-purpose": "prefetch"}, {"sec-purpose": "prefetch;prerender"}, {"purpose": "prefetch"}],
)
def test_a_prefetch_is_not_counted_but_the_visit_after_it_is(monday, browser, headers):
    event = EventFactory()
    url = reverse("events:detail", args=[event.pk])
    assert browser.get(url, headers=headers).status_code == 200
    services.flush_counts()
    assert DailyCount.objects.count() == 0

    browser.get(url)
    services.flush_counts()
    assert _event_counts(event) == {CountKind.PAGE_VIEW: 1, CountKind.UNIQUE_VISITOR: 1}


def test_a_repeated_visit_is_a_visit_but_not_a_new_visitor_until_the_next_day(monday, browser):
    event = EventFactory()
    url = reverse("events:detail", args=[event.pk])
    browser.get(url)
    browser.get(url)
    Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.7").get(url)  # someone else
    services.flush_counts()
    assert _event_counts(event) == {CountKind.PAGE_VIEW: 3, CountKind.UNIQUE_VISITOR: 2}

    monday.move_to(MONDAY + dt.timedelta(days=1), tick=False)
    browser.get(url)
    services.flush_counts()
    tuesday = MONDAY.date() + dt.timedelta(days=1)
    assert _event_counts(event, tuesday) == {CountKind.PAGE_VIEW: 1, CountKind.UNIQUE_VISITOR: 1}


def test_pages_not_found_and_posts_are_not_counted(monday, browser):
    event = EventFactory()
    assert browser.get(reverse("events:detail", args=[event.pk + 100])).status_code == 404
    assert browser.get(reverse("events:theme", args=["no-such-theme"])).status_code == 404
    browser.post(reverse("events:detail", args=[event.pk]))
    services.flush_counts()
    assert DailyCount.objects.count() == 0


def test_no_personal_data_is_stored():
    columns = {field.name for field in DailyCount._meta.get_fields()}
    assert columns == {"id", "day", "kind", "target_type", "target_id", "count"}


def test_the_salted_hash_and_the_address_stay_out_of_the_database(monday, browser):
    event = EventFactory()
    browser.get(reverse("events:detail", args=[event.pk]))
    services.flush_counts()
    stored = [str(value) for row in DailyCount.objects.values_list() for value in row]
    salt = cache.get(f"reach:salt:{MONDAY.date().isoformat()}")
    assert salt and not any(salt in value or "192.0.2.10" in value for value in stored)


def test_counting_a_visit_does_not_touch_the_database(monday, django_assert_num_queries):
    request = RequestFactory().get("/events/1/", HTTP_USER_AGENT=BROWSER)
    with django_assert_num_queries(0):
        assert services.count_visit(request, target_type=TargetType.EVENT, ident=1)


def test_the_flush_writes_in_one_batch_and_a_second_flush_adds_nothing(
    monday, browser, django_assert_num_queries
):
    events = EventFactory.create_batch(3)
    for event in events:
        browser.get(reverse("events:detail", args=[event.pk]))
    # savepoint, the day's rows, one bulk insert, release; no theme pages: no theme query
    with django_assert_num_queries(4):
        assert services.flush_counts() == 6
    assert services.flush_counts() == 0
    assert sum(_counts().values()) == 6

    browser.get(reverse("events:detail", args=[events[0].pk]))
    services.flush_counts()
    assert _event_counts(events[0]) == {CountKind.PAGE_VIEW: 2, CountKind.UNIQUE_VISITOR: 1}


def test_visits_after_midnight_go_to_the_next_day_and_yesterdays_still_arrive(monday, browser):
    event = EventFactory()
    url = reverse("events:detail", args=[event.pk])
    browser.get(url)
    monday.move_to(MONDAY + dt.timedelta(days=1), tick=False)
    browser.get(url)
    services.flush_counts()  # the first flush after midnight
    assert _event_counts(event)[CountKind.PAGE_VIEW] == 1
    tuesday = MONDAY.date() + dt.timedelta(days=1)
    assert _event_counts(event, tuesday)[CountKind.PAGE_VIEW] == 1


def test_a_failed_write_gives_the_counts_back_for_the_next_flush(monday, browser, monkeypatch):
    from django.db import DatabaseError  # noqa: PLC0415

    event = EventFactory()
    browser.get(reverse("events:detail", args=[event.pk]))

    def broken(day, rows):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(services, "_write", broken)
    with pytest.raises(DatabaseError):
        services.flush_counts()
    monkeypatch.undo()
    services.flush_counts()
    assert _event_counts(event) == {CountKind.PAGE_VIEW: 1, CountKind.UNIQUE_VISITOR: 1}


DEAD_REDIS = {
    "default": {
        "BACKEND": "kohtaamo.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_with_the_cache_down_pages_work_and_nothing_is_counted(monday, browser, settings):
    event = EventFactory()
    settings.CACHES = DEAD_REDIS
    assert browser.get(reverse("events:detail", args=[event.pk])).status_code == 200
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    assert services.count_visit(request, target_type=TargetType.EVENT, ident=event.pk) is False
    assert services.flush_counts() == 0
    assert DailyCount.objects.count() == 0


def test_counting_and_flushing_work_on_redis(monday, browser, settings):
    """The same through the project's Redis backend (atomic add/incr, negative incr)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "kohtaamo.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": f"reach-test-{uuid.uuid4().hex}",
        }
    }
    event = EventFactory()
    url = reverse("events:detail", args=[event.pk])
    browser.get(url)
    browser.get(url)
    assert services.flush_counts() == 3
    assert services.flush_counts() == 0
    assert _event_counts(event) == {CountKind.PAGE_VIEW: 2, CountKind.UNIQUE_VISITOR: 1}
