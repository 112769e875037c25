"""Issue 21's wording items: what a heading says is what its list holds, a cancelled event
says why, and the Finnish words of the member pages."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from events.models import EventKind, EventStatus
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(day: int, month: int = 11) -> dict:
    starts = dt.datetime(2026, month, day, 14, 0, tzinfo=HELSINKI)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=1)}


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.DOTALL)
    assert match, heading_id
    return match.group(0)


# --- 1. The organiser home: every upcoming event, and a caption that says so ----------------


def test_organiser_home_lists_upcoming_events_without_registrations_under_a_true_caption(
    client, organiser
):
    empty = EventFactory(title="Nobody yet", **_at(10))
    full = EventFactory(title="Some registered", **_at(11))
    RegistrationFactory(event=full)
    client.cookies["django_language"] = "en"
    client.force_login(organiser)

    html = client.get(reverse("events:organiser_home")).content.decode()

    assert "<caption>Upcoming events and their registrations</caption>" in html
    assert "Upcoming events with registrations" not in html
    assert empty.title in html and full.title in html  # an organiser must see the empty one


# --- 2. The theme page: Kohtaamo sessions under their heading, other kinds apart ------------


def test_theme_page_lists_workshops_apart_from_kohtaamo_sessions(client):
    theme = ThemeFactory(title="Työkyky", slug="tyokyky")
    EventFactory(theme=theme, title="Kohtaamo on work ability", kind=EventKind.KOHTAAMO, **_at(10))
    EventFactory(theme=theme, title="Workshop on work ability", kind=EventKind.WORKSHOP, **_at(12))
    EventFactory(theme=theme, title="Last spring's workshop", kind=EventKind.WORKSHOP, **_at(5, 5))
    client.cookies["django_language"] = "en"

    html = client.get(reverse("events:theme", args=[theme.slug])).content.decode()

    sessions = _section(html, "sessions-heading")
    assert "Upcoming Kohtaamo sessions" in sessions
    assert "Kohtaamo on work ability" in sessions
    assert "Workshop on work ability" not in sessions
    other = _section(html, "other-upcoming-heading")
    assert "Other upcoming events on this theme" in other
    assert "Workshop on work ability" in other
    past = html.split("Past events on this theme", 1)[1]
    assert "Last spring&#x27;s workshop</a> (Workshop)" in past


def test_theme_page_in_finnish_lists_a_workshop_apart_from_the_kohtaamot(client):
    theme = ThemeFactory(title="Osallisuus", slug="osallisuus")
    EventFactory(theme=theme, title="Paja", kind=EventKind.WORKSHOP, **_at(12))
    client.cookies["django_language"] = "fi"

    html = client.get(reverse("events:theme", args=[theme.slug])).content.decode()

    assert '<html lang="fi"' in html
    assert "Paja" not in _section(html, "sessions-heading")  # a workshop is not a Kohtaamo
    assert "Paja" in _section(html, "other-upcoming-heading")


# --- 4. A cancelled event's public page says why ---------------------------------------------


def test_the_reason_for_a_cancellation_is_on_the_public_page_escaped(client, organiser):
    event = EventFactory(title="Kahvihetki", status=EventStatus.PUBLISHED, **_at(20))
    client.force_login(organiser)
    response = client.post(
        reverse("events:organise_event_cancel", args=[event.pk]),
        {"reason": "The presenter is ill <b>today</b>.\nA new date follows."},
    )
    assert response.status_code == 302
    client.logout()

    client.cookies["django_language"] = "en"
    html = client.get(event.get_absolute_url()).content.decode()
    assert "This event has been cancelled." in html
    assert "Reason for the cancellation:" in html
    assert "The presenter is ill &lt;b&gt;today&lt;/b&gt;.<br>A new date follows." in html
    assert "<b>today</b>" not in html


def test_a_cancelled_event_page_is_in_the_readers_language_with_the_reason_marked(
    client, organiser
):
    event = EventFactory(title="Työpaja", status=EventStatus.PUBLISHED, language="fi", **_at(20))
    client.force_login(organiser)
    client.post(
        reverse("events:organise_event_cancel", args=[event.pk]),
        {"reason": "Alustaja on sairaana."},
    )
    client.logout()

    client.cookies["django_language"] = "fi"
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Tämä tapahtuma on peruttu." in html
    assert '<span class="cancellation-reason">Alustaja on sairaana.</span>' in html

    client.cookies["django_language"] = "en"
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<span class="cancellation-reason" lang="fi">Alustaja on sairaana.</span>' in html


def test_an_event_cancelled_without_a_page_reason_shows_no_empty_line(client):
    event = EventFactory(status=EventStatus.CANCELLED, **_at(20))
    client.cookies["django_language"] = "en"
    html = client.get(event.get_absolute_url()).content.decode()
    assert "This event has been cancelled." in html
    assert "Reason for the cancellation:" not in html


# --- 5. Finnish words of the member pages ----------------------------------------------------


def test_member_directory_calls_a_job_title_tehtavanimike_in_finnish(client):
    network = NetworkFactory(name="Työhönvalmennuksen verkosto")
    member = UserFactory(title="Työhönvalmentaja")
    MembershipFactory(network=network, user=member)
    client.cookies["django_language"] = "fi"
    client.force_login(member)

    html = client.get(reverse("networks:directory", args=[network.slug])).content.decode()

    assert '<th scope="col">Tehtävänimike</th>' in html
    assert "Otsikko" not in html


def test_network_manage_page_heading_is_good_finnish(client, organiser):
    network = NetworkFactory(name="Työ- ja työhönvalmennuksen verkosto")
    client.cookies["django_language"] = "fi"
    client.force_login(organiser)

    html = client.get(reverse("networks:manage", args=[network.slug])).content.decode()

    assert "<h1>Jäsenet: Työ- ja työhönvalmennuksen verkosto</h1>" in html
    assert "Verkoston Työ-" not in html
