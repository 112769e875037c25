"""The printable check-in list of an event: who sees it, what it lists, what it costs."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import AuditEntry
from events.models import EventFormat, RegistrationMode
from tests.factories import EventFactory, OrganisationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff_client(client, organiser):
    client.cookies["django_language"] = "en"
    client.force_login(organiser)
    return client


@pytest.fixture
def event():
    event = EventFactory(
        title="Työkykypaja",
        starts_at=dt.datetime(2026, 11, 12, 13, 0, tzinfo=HELSINKI),
        ends_at=dt.datetime(2026, 11, 12, 15, 0, tzinfo=HELSINKI),
        format=EventFormat.IN_PERSON,
        place="Sote-talo, neuvotteluhuone Kuikka",
        capacity=2,
        registration_mode=RegistrationMode.WAITLIST,
    )
    kela = OrganisationFactory(name="Kela")
    RegistrationFactory(event=event, name="Veera Virtanen", organisation=kela)
    RegistrationFactory(event=event, name="Aino Aalto", organisation_name="TYP Oulu")
    RegistrationFactory(event=event, name="Cecilia Waiting", status="waitlisted")
    RegistrationFactory(event=event, name="Dora Cancelled", status="cancelled")
    RegistrationFactory(event=event, user=None, name="Eero Pending", status="pending")
    return event


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.DOTALL)
    assert match, heading_id
    return match.group(0)


def test_the_sheet_lists_the_confirmed_by_name_and_the_waitlisted_apart(staff_client, event):
    response = staff_client.get(f"/events/{event.pk}/participants/print/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Työkykypaja" in html
    assert "12.11.2026" in html
    assert "Sote-talo, neuvotteluhuone Kuikka" in html
    confirmed = _section(html, "confirmed-heading")
    assert "2 confirmed participants" in confirmed
    assert confirmed.index("Aino Aalto") < confirmed.index("Veera Virtanen")  # by name
    assert "TYP Oulu" in confirmed and "Kela" in confirmed
    assert confirmed.count('class="check-in-box"') == 2  # a box to tick on every row
    assert '<th scope="col" class="check-in-mark">Present (tick or sign)</th>' in confirmed
    assert "Cecilia" not in confirmed
    waitlisted = _section(html, "waitlisted-heading")
    assert "Cecilia Waiting" in waitlisted
    assert "Dora" not in html and "Eero" not in html  # cancelled and unconfirmed e-mail


def test_an_event_without_a_waitlist_has_no_waitlist_section(staff_client):
    event = EventFactory(format=EventFormat.ONLINE, place="")
    response = staff_client.get(f"/events/{event.pk}/participants/print/")
    html = response.content.decode()
    assert "No confirmed participants." in html
    assert "waitlisted-heading" not in html
    assert "Online" in html  # the place of an online event


def test_the_participants_page_links_to_the_sheet(staff_client, event):
    html = staff_client.get(f"/events/{event.pk}/participants/").content.decode()
    assert f'href="/events/{event.pk}/participants/print/"' in html
    assert "Printable check-in list" in html


def test_the_sheet_is_in_the_readers_language(client, organiser, event):
    client.cookies["django_language"] = "fi"
    client.force_login(organiser)
    html = client.get(f"/events/{event.pk}/participants/print/").content.decode()
    assert "<h1>Läsnäolon merkintälista: " in html  # the page's own words in Finnish
    assert "Työkykypaja" in html


def test_only_those_who_see_the_participants_see_the_sheet(client, user, event):
    url = f"/events/{event.pk}/participants/print/"
    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert "Veera" not in client.get(url).content.decode()


def test_viewing_the_sheet_is_in_the_access_log(staff_client, organiser, event):
    staff_client.get(f"/events/{event.pk}/participants/print/")
    entry = AuditEntry.objects.get(action="participants.viewed")
    assert (entry.actor_id, entry.channel, entry.people_count) == (organiser.pk, "page", 3)


# Signing in, the event, its registrations with their organisations in one query, the
# access-log line: the same six for 3 as for 30 people.
QUERIES = 6


@pytest.mark.parametrize("people", [3, 30])
def test_the_sheet_costs_the_same_queries_however_many_registered(
    staff_client, django_assert_num_queries, people
):
    event = EventFactory(capacity=people, registration_mode=RegistrationMode.WAITLIST)
    organisation = OrganisationFactory()
    for n in range(people):
        RegistrationFactory(event=event, name=f"Person {n}", organisation=organisation)
        RegistrationFactory(event=event, name=f"Waiting {n}", status="waitlisted")
    staff_client.get(f"/events/{event.pk}/participants/print/")  # warm the session
    with django_assert_num_queries(QUERIES):
        response = staff_client.get(f"/events/{event.pk}/participants/print/")
    assert response.status_code == 200
