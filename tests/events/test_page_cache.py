"""/events/ and the archive for visitors without a session come from the worker's kept copy:
no query, their own CSRF token, and never a page older than a change or than the minute."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.calendars import feeds
from events.models import Event
from events.page_cache import PAGES_GENERATION_KEY
from recordings.models import PublicationState
from tests.factories import HELSINKI, EventFactory, RecordingFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("events:list")
ARCHIVE = reverse("events:archive")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOON = dt.datetime(2026, 6, 20, 12, 0, 10, tzinfo=HELSINKI)  # midsummer, a Saturday


@pytest.fixture
def noon():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _token(response) -> str:
    return TOKEN.search(response.content.decode())[1]


def test_the_second_visitor_gets_the_kept_page_without_a_query(noon, django_assert_num_queries):
    EventFactory(title="Työkykyä etsimässä", starts_at=NOON + dt.timedelta(days=3))
    first = Client().get(LIST)
    with django_assert_num_queries(0):
        second = Client().get(LIST)
    assert second.status_code == 200
    assert "Työkykyä etsimässä" in second.content.decode()
    assert _token(first) != _token(second)  # each answer has its own token


def test_the_language_switcher_works_from_a_kept_page(noon):
    EventFactory(starts_at=NOON + dt.timedelta(days=3))
    Client().get(LIST)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(LIST)
    switched = visitor.post(
        reverse("set_language"),
        {"language": "sv", "next": LIST, "csrfmiddlewaretoken": _token(page)},
    )
    assert switched.status_code == 302
    assert '<html lang="sv"' in visitor.get(LIST).content.decode()


def test_a_changed_event_shows_at_once(noon):
    event = EventFactory(title="Vanha otsikko", starts_at=NOON + dt.timedelta(days=3))
    assert "Vanha otsikko" in Client().get(LIST).content.decode()
    event.title = "Uusi otsikko"
    event.save()
    page = Client().get(LIST).content.decode()
    assert "Uusi otsikko" in page
    assert "Vanha otsikko" not in page


def test_a_published_recording_shows_in_the_archive_at_once(noon):
    event = EventFactory(
        starts_at=NOON - dt.timedelta(days=7), ends_at=NOON - dt.timedelta(days=7, hours=-1)
    )
    watch = f'href="{event.get_absolute_url()}#recordings-heading"'
    assert watch not in Client().get(ARCHIVE).content.decode()
    RecordingFactory(event=event, publication_state=PublicationState.PUBLISHED)
    assert watch in Client().get(ARCHIVE).content.decode()


def test_an_event_that_has_ended_leaves_the_list_within_the_minute(noon):
    EventFactory(title="Päättyy pian", starts_at=NOON - dt.timedelta(minutes=59, seconds=50))
    assert "Päättyy pian" in Client().get(LIST).content.decode()
    noon.move_to(NOON + dt.timedelta(seconds=55))  # ended at 12:00:10 + 10 s, next minute
    assert "Päättyy pian" not in Client().get(LIST).content.decode()


def test_each_language_has_its_own_page(noon):
    EventFactory(starts_at=NOON + dt.timedelta(days=3))
    assert '<html lang="fi"' in Client().get(LIST, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    swedish = Client().get(LIST, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="sv"' in swedish


def test_signed_in_people_get_their_own_render_and_it_is_never_kept(noon):
    EventFactory(starts_at=NOON + dt.timedelta(days=3))
    sign_out = reverse("account_logout")
    assert sign_out not in Client().get(LIST).content.decode()  # kept for visitors
    member = Client()
    member.force_login(UserFactory())
    assert sign_out in member.get(LIST).content.decode()  # not the visitors' copy
    assert sign_out not in Client().get(LIST).content.decode()  # nor kept for them


def test_a_page_with_a_filter_error_is_not_kept(noon):
    bad = LIST + "?from=not-a-date"
    assert Client().get(bad).status_code == 400
    response = Client().get(bad)
    assert response.status_code == 400
    assert "not-a-date" in response.content.decode()


def test_without_the_shared_cache_every_page_is_rendered(noon, monkeypatch):
    """The shared cache down answers as an empty one (kohtaamo/cache.py): no change token,
    so no kept page is ever used and the page still answers."""
    EventFactory(title="Näkyy silti", starts_at=NOON + dt.timedelta(days=3))
    monkeypatch.setattr(cache, "get_many", lambda _keys, **_kw: {})
    Client().get(LIST)
    Event.objects.update(title="Muutettu ilman välimuistia")  # no signal: only a render sees it
    page = Client().get(LIST).content.decode()
    assert "Muutettu ilman välimuistia" in page


def test_both_change_tokens_are_read_in_one_round_trip(noon, monkeypatch):
    EventFactory(starts_at=NOON + dt.timedelta(days=3))
    asked = []
    original = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, **_kw: asked.append(keys) or original(keys))
    Client().get(LIST)
    assert [feeds.GENERATION_KEY, PAGES_GENERATION_KEY] in asked
    assert timezone.now() == NOON
