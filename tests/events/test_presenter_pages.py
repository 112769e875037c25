"""A presenter's public page: shown only with their consent, linked from the event and theme
pages only then, with their talks, recordings and slides in a fixed number of queries."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from events.models import EventMaterial, EventStatus
from recordings.models import PublicationState
from tests.factories import (
    HELSINKI,
    EventFactory,
    PresenterFactory,
    RecordingFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 4, 12, 0, tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _talk(presenter, *, days: int, **fields):
    starts = NOW + dt.timedelta(days=days)
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **fields)
    event.presenters.add(presenter)
    return event


def _past_talk_with_links(presenter, n: int):
    event = _talk(presenter, days=-7 * n, title=f"Past talk {n}")
    EventMaterial.objects.create(event=event, title=f"Diat {n}", url="https://example.fi/d.pdf")
    RecordingFactory(
        event=event, title=f"Tallenne {n}", publication_state=PublicationState.PUBLISHED
    )
    return event


@pytest.fixture
def consenting():
    return PresenterFactory(
        name="Riikka Koskinen",
        title="Työkykykoordinaattori",
        organisation="Kela",
        bio="Riikka kertoo työkyvyn tuesta.",
        public_page_consent=True,
    )


def test_the_page_shows_the_presenter_and_their_talks(client, consenting):
    upcoming = _talk(consenting, days=7, title="Coming talk")
    past = _past_talk_with_links(consenting, 1)
    recording = past.recordings.get()
    slides = past.materials.get()
    _talk(consenting, days=14, title="Draft talk", status=EventStatus.DRAFT)

    response = client.get(reverse("events:presenter", args=[consenting.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Riikka Koskinen", "Työkykykoordinaattori", "Kela", "työkyvyn tuesta"):
        assert text in html
    assert [e.pk for e in response.context["upcoming"]] == [upcoming.pk]
    assert [e.pk for e in response.context["past"]] == [past.pk]
    assert "Draft talk" not in html  # drafts are not public
    assert f'href="{past.get_absolute_url()}#recording-{recording.pk}-title"' in html
    assert f'href="{reverse("reach:material", args=[slides.pk])}"' in html


def test_without_consent_the_page_is_404_and_nothing_links_to_it(client):
    presenter = PresenterFactory(name="Ei Suostumusta")
    theme = ThemeFactory()
    event = _talk(presenter, days=-7, theme=theme)
    url = reverse("events:presenter", args=[presenter.pk])

    assert client.get(url).status_code == 404
    for page in (event.get_absolute_url(), theme.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "Ei Suostumusta" in html  # the name is shown, as before
        assert url not in html


def test_event_and_theme_pages_link_to_a_consenting_presenter(client, consenting):
    theme = ThemeFactory()
    past = _talk(consenting, days=-7, theme=theme)
    _talk(consenting, days=7, theme=theme)
    url = reverse("events:presenter", args=[consenting.pk])

    assert f'href="{url}"' in client.get(past.get_absolute_url()).content.decode()
    theme_html = client.get(theme.get_absolute_url()).content.decode()
    assert theme_html.count(f'href="{url}"') == 2  # the past session and the presenters list


def test_withdrawn_consent_takes_the_page_away(client, consenting):
    url = reverse("events:presenter", args=[consenting.pk])
    assert client.get(url).status_code == 200
    consenting.public_page_consent = False
    consenting.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("talks", [1, 6])
def test_the_page_needs_the_same_queries_however_many_talks(
    client, consenting, talks, django_assert_num_queries
):
    for n in range(1, talks + 1):
        _past_talk_with_links(consenting, n)
        _talk(consenting, days=7 * n)
    url = reverse("events:presenter", args=[consenting.pk])
    # The presenter, the events (with themes), their materials, their recordings.
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.context["past"]) == talks
    assert response.content.decode().count("Tallenne ") == talks
