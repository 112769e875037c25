"""Who sees an event's meeting link: one rule (events/rules.py) on every path out.

A workshop that takes registrations shows its Teams link to confirmed people (and the
staff who organise events) only: not on its page, in the API, in the download, in an
e-mail or in any public or network feed for anyone else. A drop-in session shows it to all.
"""

import icalendar
import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from events.calendars.feeds import current_layouts, event_uid, store_entries
from events.calendars.tasks import prune_calendar_entries
from events.calendars.views import forget_local_state
from events.models import (
    Audience,
    CalendarEntry,
    Event,
    EventKind,
    EventStatus,
    RegistrationMode,
    RegistrationStatus,
)
from events.planning import services as planning_services
from events.registration import services as registration_services
from events.registration.rules import may_see_meeting_link, meeting_link
from tests.factories import (
    EventFactory,
    NetworkFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WORKSHOP_LINK = "https://teams.microsoft.com/l/meetup-join/workshop-secret"
WAITLIST_LINK = "https://teams.microsoft.com/l/meetup-join/waitlist-secret"
DROP_IN_LINK = "https://teams.microsoft.com/l/meetup-join/drop-in-open"


def _unfolded(text: bytes | str) -> str:
    """Content lines as written before folding at 75 octets (a link is split across lines)."""
    text = text.decode() if isinstance(text, bytes) else text
    return text.replace("\r\n ", "")


def _vevents(body: bytes) -> dict[str, icalendar.Event]:
    return {str(v["uid"]): v for v in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _link_fields(vevent: icalendar.Event) -> dict[str, str]:
    """The four places today's format puts a meeting link in."""
    return {
        name: str(vevent.get(name, "")) for name in ("LOCATION", "CONFERENCE", "URL", "DESCRIPTION")
    }


def _assert_no_link(vevent: icalendar.Event, link: str) -> None:
    for name, value in _link_fields(vevent).items():
        assert link not in value, name


def _assert_link(vevent: icalendar.Event, link: str) -> None:
    fields = _link_fields(vevent)
    assert fields["CONFERENCE"] == link
    assert link in fields["LOCATION"]
    assert link in fields["DESCRIPTION"]
    assert "/events/" in fields["URL"]  # URL stays the event page


def _fresh_then_stored(client, url: str, django_capture_on_commit_callbacks) -> bytes:
    """The feed written in the request, then again from the entries the worker stored:
    both must be the same bytes (and are returned once)."""
    cache.clear()
    forget_local_state()  # and this worker's memo: as in another worker
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.get(url)
    assert fresh.status_code == 200
    assert CalendarEntry.objects.exists()
    cache.clear()
    forget_local_state()  # and this worker's memo: as in another worker
    stored = client.get(url)
    assert stored.content == fresh.content
    return fresh.content


@pytest.fixture
def workshop_and_drop_in():
    series = SeriesFactory(slug="pajat")
    theme = ThemeFactory(slug="tyokyky")
    network = NetworkFactory(slug="valmennus")
    common = {"series": series, "theme": theme, "kind": EventKind.WORKSHOP}
    workshop = EventFactory(capacity=20, meeting_url=WORKSHOP_LINK, **common)
    drop_in = EventFactory(
        registration_mode=RegistrationMode.DROP_IN, meeting_url=DROP_IN_LINK, **common
    )
    members = EventFactory(audience=Audience.NETWORKS, meeting_url=WAITLIST_LINK, **common)
    members.audience_networks.add(network)
    RegistrationFactory(event=workshop)  # someone is confirmed: the feed still has no link
    return workshop, drop_in, members, network


def _public_feed_urls(network) -> dict[str, str]:
    return {
        "all": reverse("calendar:all"),
        "series": reverse("calendar:series", kwargs={"slug": "pajat"}),
        "kind": reverse("calendar:kind", kwargs={"kind": EventKind.WORKSHOP}),
        "theme": reverse("calendar:theme", kwargs={"slug": "tyokyky"}),
        "network": reverse(
            "calendar:network", kwargs={"slug": network.slug, "token": network.calendar_token}
        ),
    }


@pytest.mark.parametrize("feed", ["all", "series", "kind", "theme", "network"])
def test_public_and_network_feeds_carry_no_link_of_an_event_that_takes_registrations(
    client, workshop_and_drop_in, django_capture_on_commit_callbacks, feed
):
    workshop, drop_in, members, network = workshop_and_drop_in
    url = _public_feed_urls(network)[feed]
    body = _fresh_then_stored(client, url, django_capture_on_commit_callbacks)
    vevents = _vevents(body)
    assert WORKSHOP_LINK not in _unfolded(body) and WAITLIST_LINK not in _unfolded(body)
    if feed == "network":
        _assert_no_link(vevents[event_uid(members)], WAITLIST_LINK)
    else:
        _assert_no_link(vevents[event_uid(workshop)], WORKSHOP_LINK)
        # A drop-in session stays open: its link is in every public feed.
        _assert_link(vevents[event_uid(drop_in)], DROP_IN_LINK)


def test_personal_feed_carries_the_link_only_for_the_persons_confirmed_registrations(
    client, django_capture_on_commit_callbacks
):
    person = UserFactory(language="en")
    confirmed = EventFactory(capacity=20, meeting_url=WORKSHOP_LINK)
    waitlisted = EventFactory(
        capacity=1, registration_mode=RegistrationMode.WAITLIST, meeting_url=WAITLIST_LINK
    )
    RegistrationFactory(event=confirmed, user=person)
    RegistrationFactory(event=waitlisted, user=person, status=RegistrationStatus.WAITLISTED)
    mine = reverse("calendar:personal", kwargs={"token": person.calendar_token})
    body = _fresh_then_stored(client, mine, django_capture_on_commit_callbacks)
    vevents = _vevents(body)
    _assert_link(vevents[event_uid(confirmed)], WORKSHOP_LINK)
    _assert_no_link(vevents[event_uid(waitlisted)], WAITLIST_LINK)
    assert vevents[event_uid(waitlisted)]["summary"].startswith("[Waitlist] ")
    # The entries stored for this person's feed do not reach the public feed.
    public = _unfolded(client.get(reverse("calendar:all")).content)
    assert WORKSHOP_LINK not in public and WAITLIST_LINK not in public


def test_personal_feed_of_a_waitlisted_person_has_no_link():
    person = UserFactory()
    event = EventFactory(meeting_url=WAITLIST_LINK)
    RegistrationFactory(event=event, user=person, status=RegistrationStatus.WAITLISTED)
    response = APIClient().get(
        reverse("calendar:personal", kwargs={"token": person.calendar_token})
    )
    assert response.status_code == 200
    assert WAITLIST_LINK not in _unfolded(response.content)


def test_stored_entries_hold_no_link_for_events_that_take_registrations():
    workshop = EventFactory(meeting_url=WORKSHOP_LINK)
    drop_in = EventFactory(registration_mode=RegistrationMode.DROP_IN, meeting_url=DROP_IN_LINK)
    cancelled = EventFactory(status=EventStatus.CANCELLED, meeting_url=WAITLIST_LINK)
    store_entries([workshop.pk, drop_in.pk, cancelled.pk], "fi")
    entries = {e.event_id: e for e in CalendarEntry.objects.all()}
    assert WORKSHOP_LINK not in _unfolded(entries[workshop.pk].text)
    assert WORKSHOP_LINK not in _unfolded(entries[workshop.pk].waitlisted_text)
    # The variant read only for a confirmed person's personal feed.
    assert WORKSHOP_LINK in _unfolded(entries[workshop.pk].confirmed_text)
    # Drop-in: one text for everyone, the link in it.
    assert DROP_IN_LINK in _unfolded(entries[drop_in.pk].text)
    assert entries[drop_in.pk].confirmed_text is None
    # Cancelled: no link in any variant.
    stored = entries[cancelled.pk]
    every = stored.text + stored.waitlisted_text + str(stored.confirmed_text)
    assert WAITLIST_LINK not in _unfolded(every)


def test_entries_of_an_older_layout_are_never_served_and_are_pruned(client):
    """Entries of the earlier format put every link in the public text: none survives."""
    event = EventFactory(meeting_url=WORKSHOP_LINK)
    store_entries([event.pk], "fi")
    entry = CalendarEntry.objects.get()
    layout = current_layouts()["fi"]
    CalendarEntry.objects.filter(pk=entry.pk).update(
        layout="old-format-3", text=entry.confirmed_text
    )
    assert WORKSHOP_LINK not in _unfolded(client.get(reverse("calendar:all")).content)
    assert prune_calendar_entries() == 1
    assert not CalendarEntry.objects.exists()
    store_entries([event.pk], "fi")
    assert prune_calendar_entries() == 0
    assert CalendarEntry.objects.get().layout == layout


# --- The page, the API and the download agree with the rule -----------------------------

VIEWERS = ["anonymous", "signed_in", "pending_guest", "waitlisted", "cancelled", "confirmed"]


def _viewer(kind: str, event, organiser):
    """(person signed in or None, their registration or None) for one kind of viewer."""
    if kind == "anonymous":
        return None, None
    if kind == "organiser":
        return organiser, None
    person = UserFactory()
    if kind == "signed_in":
        return person, None
    if kind == "pending_guest":
        guest = RegistrationFactory(event=event, user=None, status=RegistrationStatus.PENDING)
        return None, guest
    status = {
        "waitlisted": RegistrationStatus.WAITLISTED,
        "cancelled": RegistrationStatus.CANCELLED,
        "confirmed": RegistrationStatus.CONFIRMED,
    }[kind]
    return person, RegistrationFactory(event=event, user=person, status=status)


def _seen(event, person, registration) -> dict[str, bool]:
    """Does the link show on the page, in the API (detail and list) and in the download?"""
    page_client = APIClient()
    if person is not None:
        page_client.force_login(person)
        page_client.force_authenticate(person)
    seen = {
        "page": WORKSHOP_LINK in page_client.get(f"/events/{event.pk}/").content.decode(),
        "api": page_client.get(f"/api/v1/events/{event.pk}/").json()["meeting_url"]
        == WORKSHOP_LINK,
        "download": WORKSHOP_LINK
        in _unfolded(page_client.get(reverse("calendar:event", kwargs={"pk": event.pk})).content),
    }
    if not event.is_cancelled:
        listed = page_client.get("/api/v1/events/").json()["results"]
        seen["api list"] = [e["meeting_url"] for e in listed if e["id"] == event.pk] == [
            WORKSHOP_LINK
        ]
    if registration is not None and registration.user_id is None:
        guest_page = page_client.get(f"/events/registration/{registration.token}/")
        seen["guest page"] = WORKSHOP_LINK in guest_page.content.decode()
    return seen


@pytest.mark.parametrize("viewer", [*VIEWERS, "organiser"])
def test_page_api_and_download_follow_the_rule(viewer, organiser):
    event = EventFactory(capacity=20, meeting_url=WORKSHOP_LINK)
    person, registration = _viewer(viewer, event, organiser)
    expected = viewer in ("confirmed", "organiser")
    assert may_see_meeting_link(event=event, person=person, registration=registration) is expected
    seen = _seen(event, person, registration)
    assert seen == dict.fromkeys(seen, expected)


@pytest.mark.parametrize("viewer", ["confirmed", "organiser"])
def test_nobody_gets_the_link_of_a_cancelled_event(viewer, organiser):
    event = EventFactory(capacity=20, meeting_url=WORKSHOP_LINK)
    person, registration = _viewer(viewer, event, organiser)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    event.refresh_from_db()
    assert meeting_link(event=event, person=person, registration=registration) is None
    seen = _seen(event, person, registration)
    assert seen == dict.fromkeys(seen, False)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_drop_in_session_shows_its_link_to_everyone(viewer, organiser):
    event = EventFactory(registration_mode=RegistrationMode.DROP_IN, meeting_url=WORKSHOP_LINK)
    person, registration = _viewer(viewer, event, organiser)
    assert meeting_link(event=event, person=person, registration=registration) == WORKSHOP_LINK
    seen = _seen(event, person, registration)
    assert seen == dict.fromkeys(seen, True)


# --- E-mails --------------------------------------------------------------------------


def _ics(message) -> icalendar.Calendar | None:
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            return icalendar.Calendar.from_ical(
                content.encode() if isinstance(content, str) else content
            )
    return None


def test_the_confirmation_carries_the_link_and_the_waitlist_mail_does_not(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(
        capacity=1, registration_mode=RegistrationMode.WAITLIST, meeting_url=WORKSHOP_LINK
    )
    first, second = UserFactory(language="en"), UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.register(event=event, person=first)
        registration_services.register(event=event, person=second)
    confirmation, waitlist = mail.outbox
    assert WORKSHOP_LINK in confirmation.body
    _assert_link(_ics(confirmation).walk("VEVENT")[0], WORKSHOP_LINK)
    assert WORKSHOP_LINK not in waitlist.body
    assert _ics(waitlist) is None


def test_a_change_mail_gives_the_link_to_the_confirmed_person_only(
    django_capture_on_commit_callbacks, organiser
):
    event = EventFactory(
        capacity=1, registration_mode=RegistrationMode.WAITLIST, meeting_url=WORKSHOP_LINK
    )
    confirmed = RegistrationFactory(event=event, user=UserFactory(language="en"))
    waiting = RegistrationFactory(
        event=event, user=UserFactory(language="en"), status=RegistrationStatus.WAITLISTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        planning_services.update_event(event=event, by=organiser, place="Kuopio, Sairaalakatu 1")
    by_address = {m.to[0]: m for m in mail.outbox}
    assert WORKSHOP_LINK in by_address[confirmed.user.email].body
    to_waiting = by_address[waiting.user.email]
    assert WORKSHOP_LINK not in to_waiting.body
    invitation = _ics(to_waiting)
    assert invitation is None or WORKSHOP_LINK not in _unfolded(invitation.to_ical())
