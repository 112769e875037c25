"""Public lists: upcoming events with filters, archive, theme page; fixed query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventFormat, EventKind, EventStatus
from recordings.models import PublicationState
from tests.factories import (
    EventFactory,
    PresenterFactory,
    RecordingFactory,
    SeriesFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def _bulk_events(n, *, past: bool, theme=None, series=None):
    now = timezone.now()
    presenter = PresenterFactory()
    events = Event.objects.bulk_create(
        Event(
            kind=EventKind.KOHTAAMO,
            title=f"Session {i}",
            theme=theme,
            series=series,
            starts_at=now + dt.timedelta(days=(-i - 2) if past else (i + 1)),
            ends_at=now + dt.timedelta(days=(-i - 2) if past else (i + 1), hours=1),
            status=EventStatus.PUBLISHED,
        )
        for i in range(n)
    )
    Event.presenters.through.objects.bulk_create(
        Event.presenters.through(event_id=e.pk, presenter_id=presenter.pk) for e in events
    )
    return events


def test_filters(client):
    client.cookies["django_language"] = "en"
    theme = ThemeFactory(title="Työkyky", keywords="kuntoutus")
    series = SeriesFactory(name="Kohtaamo")
    EventFactory(title="Alpha", kind=EventKind.WORKSHOP, theme=theme)
    EventFactory(title="Beta", kind=EventKind.KOHTAAMO, series=series, format=EventFormat.HYBRID,
                 place="Kuopio")  # fmt: skip
    late = EventFactory(title="Gamma", kind=EventKind.TRAINING)
    late.starts_at += dt.timedelta(days=100)
    late.ends_at += dt.timedelta(days=100)
    late.save()
    EventFactory(title="Draft", status=EventStatus.DRAFT)
    url = reverse("events:list")

    def titles(**params):
        response = client.get(url, params)
        return [e.title for e in response.context["events"]]

    assert titles() == ["Alpha", "Beta", "Gamma"]
    assert titles(kind="workshop") == ["Alpha"]
    assert titles(theme=theme.slug) == ["Alpha"]
    assert titles(series=series.slug) == ["Beta"]
    assert titles(format="hybrid") == ["Beta"]
    assert titles(q="kuntoutus") == ["Alpha"]
    day = timezone.localtime(late.starts_at).date()
    assert titles(**{"from": day.isoformat()}) == ["Gamma"]
    assert titles(to=(day - dt.timedelta(days=1)).isoformat()) == ["Alpha", "Beta"]
    response = client.get(url, {"from": "2026-02-30"})
    assert response.status_code == 400
    assert "2026-02-30" in response.content.decode()


def test_archive_lists_past_sessions_with_themes_paginated(client):
    theme = ThemeFactory(title="Osatyökyky")
    _bulk_events(30, past=True, theme=theme)
    response = client.get(reverse("events:archive"))
    body = response.content.decode()
    assert "Session 0" in body and "Osatyökyky" in body
    assert "Session 29" not in body  # page 2
    assert "Session 29" in client.get(reverse("events:archive"), {"page": 2}).content.decode()


def test_theme_page_lists_every_session(client):
    theme = ThemeFactory(title="Työnhaku")
    _bulk_events(3, past=True, theme=theme)
    _bulk_events(2, past=False, theme=theme)
    EventFactory(title="Other")
    response = client.get(theme.get_absolute_url())
    assert len(response.context["past"]) == 3 and len(response.context["sessions"]) == 2
    assert "Other" not in response.content.decode()


@pytest.mark.parametrize("n", [10, 500])
def test_list_query_count(client, django_assert_num_queries, n):
    _bulk_events(n, past=False, theme=ThemeFactory(), series=SeriesFactory())
    # themes and series for the filters, count, events (a card shows no presenters)
    with django_assert_num_queries(4):
        assert client.get(reverse("events:list")).status_code == 200


@pytest.mark.parametrize("n", [10, 500])
def test_archive_query_count(client, django_assert_num_queries, n):
    _bulk_events(n, past=True, theme=ThemeFactory())
    with django_assert_num_queries(4):
        assert client.get(reverse("events:archive")).status_code == 200


@pytest.mark.parametrize("n", [10, 500])
def test_theme_page_query_count(client, django_assert_num_queries, n):
    theme = ThemeFactory()
    _bulk_events(n, past=True, theme=theme)
    with django_assert_num_queries(3):
        assert client.get(theme.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [10, 500])
def test_organiser_home_query_count(client, organiser, django_assert_num_queries, n):
    _bulk_events(n, past=False, series=SeriesFactory())
    _bulk_events(n, past=True)
    client.force_login(organiser)
    with django_assert_num_queries(6):
        assert client.get(reverse("events:organiser_home")).status_code == 200


def test_archive_links_only_published_recordings(client):
    published_event, unpublished_event = _bulk_events(2, past=True, theme=ThemeFactory())[:2]
    shown = RecordingFactory(event=published_event, publication_state=PublicationState.PUBLISHED)
    hidden = RecordingFactory(event=unpublished_event)
    body = client.get(reverse("events:archive")).content.decode()
    assert reverse("recordings:transcript", args=[shown.pk]) in body
    assert reverse("recordings:transcript", args=[hidden.pk]) not in body
