"""Whether a person may register: the event page, the API and the service give one answer.

Each case is read from the page (what the registration box offers or says) and from the
API (`availability`), and the service `register` is then asked to do it.
"""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from rest_framework.test import APIClient

from events.models import Audience, Registration, RegistrationMode, RegistrationStatus
from events.registration import services as registration_services
from networks.models import MembershipStatus
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
STARTS = NOW + dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _event(**fields):
    values = {"starts_at": STARTS, "ends_at": STARTS + dt.timedelta(hours=2), **fields}
    return EventFactory(**values)


def _full(mode):
    event = _event(capacity=1, registration_mode=mode)
    RegistrationFactory(event=event)
    return event


def _audience_event(person, *, member: bool):
    network = NetworkFactory()
    status = MembershipStatus.ACTIVE if member else MembershipStatus.LEFT
    MembershipFactory(network=network, user=person, status=status)
    event = _event(capacity=5, audience=Audience.NETWORKS)
    event.audience_networks.add(network)
    return event


# (name, make(person) -> event, who, expected may_register, reason, waitlist_open, seats_left)
CASES = [
    ("open", lambda _p: _event(capacity=3), "member", True, "", False, 3),
    ("full_waitlist", lambda _p: _full(RegistrationMode.WAITLIST), "member", True, "", True, 0),
    ("full", lambda _p: _full(RegistrationMode.REGISTRATION), "member", False, "full", False, 0),
    (
        "closed",
        lambda _p: _event(capacity=3, registration_closes_at=NOW - dt.timedelta(hours=1)),
        "member",
        False,
        "closed",
        False,
        3,
    ),
    (
        "not_open",
        lambda _p: _event(capacity=3, registration_opens_at=NOW + dt.timedelta(days=1)),
        "member",
        False,
        "not_open",
        False,
        3,
    ),
    (
        "audience_member",
        lambda p: _audience_event(p, member=True),
        "member",
        True,
        "",
        False,
        5,
    ),
    (
        "audience_outsider",  # only staff see such an event at all
        lambda p: _audience_event(p, member=False),
        "organiser",
        False,
        "audience",
        False,
        5,
    ),
    (
        "registered",
        lambda p: RegistrationFactory(event=_event(capacity=3), user=p).event,
        "member",
        False,
        "registered",
        False,
        2,
    ),
    (
        "unlimited",
        lambda _p: _event(capacity=None, registration_mode=RegistrationMode.WAITLIST),
        "member",
        True,
        "",
        False,
        None,
    ),
]


def _registration_box(html: str) -> str:
    box = re.search(r'<section[^>]*class="registration-box">(.*?)</section>', html, re.DOTALL)
    assert box, "no registration box"
    return unescape(re.sub(r"\s+", " ", box.group(1)))


def _page_says(client, event) -> dict:
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    box = _registration_box(response.content.decode())
    buttons = re.findall(r'<button type="submit" class="button">([^<]*)</button>', box)
    return {
        "may_register": bool(buttons) and buttons[0] in ("Register", "Join the waitlist"),
        "waitlist_open": buttons == ["Join the waitlist"],
        "registered": "Your registration:" in box,
        "box": box,
    }


@pytest.mark.parametrize(
    ("make", "who", "may", "reason", "waitlist", "seats"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_page_api_and_service_agree(request, make, who, may, reason, waitlist, seats):  # noqa: PLR0917 - pytest passes the parameters
    # The conftest's organiser: staff have whatever sign-in they must have.
    person = request.getfixturevalue("organiser") if who == "organiser" else UserFactory()
    event = make(person)
    page_client = APIClient()
    page_client.cookies["django_language"] = "en"
    page_client.force_login(person)
    api = APIClient()
    api.cookies["django_language"] = "en"
    api.force_authenticate(person)

    page = _page_says(page_client, event)
    detail = api.get(f"/api/v1/events/{event.pk}/").json()["availability"]

    assert (detail["may_register"], detail["reason"]) == (may, reason)
    assert (detail["waitlist_open"], detail["seats_left"]) == (waitlist, seats)
    assert page["may_register"] is may
    assert page["waitlist_open"] is waitlist
    assert page["registered"] is (reason == "registered")
    if reason and reason != "registered":
        assert detail["message"] in page["box"]  # the page gives the same reason in words
    listed = api.get("/api/v1/events/").json()["results"]
    if event.audience == Audience.EVERYONE:  # the list holds only events for everyone
        assert [e["availability"] for e in listed if e["id"] == event.pk] == [detail]

    if reason == "registered":
        return
    if may:
        registration = registration_services.register(event=event, person=person)
        expected = RegistrationStatus.WAITLISTED if waitlist else RegistrationStatus.CONFIRMED
        assert registration.status == expected
    else:
        with pytest.raises(registration_services.RegistrationClosedError) as refused:
            registration_services.register(event=event, person=person)
        assert refused.value.reason == reason
        assert not Registration.objects.filter(event=event, user=person).exists()


def test_signed_out_page_and_api_agree_on_a_full_event():
    event = _full(RegistrationMode.REGISTRATION)
    client = APIClient()
    client.cookies["django_language"] = "en"
    detail = client.get(f"/api/v1/events/{event.pk}/").json()["availability"]
    box = _page_says(client, event)["box"]
    assert (detail["may_register"], detail["reason"], detail["status"]) == (False, "full", "")
    assert detail["message"] == "The event is full and has no waitlist."
    assert detail["message"] in box
    assert 'name="email"' not in box  # no guest form for a full event


def test_a_guest_cannot_queue_for_a_full_event_either():
    event = _full(RegistrationMode.REGISTRATION)
    with pytest.raises(registration_services.RegistrationClosedError) as refused:
        registration_services.register(
            event=event, guest_email="guest@example.fi", guest_name="Guest"
        )
    assert refused.value.reason == "full"


@pytest.mark.parametrize("count", [2, 6])
def test_signed_in_api_list_asks_a_fixed_number_of_queries(count, django_assert_num_queries):
    person = UserFactory()
    network = NetworkFactory()
    MembershipFactory(network=network, user=person)
    for index in range(count):
        event = _event(capacity=3, audience=Audience.NETWORKS if index % 2 else Audience.EVERYONE)
        event.audience_networks.add(network)
        RegistrationFactory(event=event, user=person if index == 0 else UserFactory())
    api = APIClient()
    api.force_authenticate(person)
    with django_assert_num_queries(LIST_QUERIES):
        body = api.get("/api/v1/events/").json()
    assert body["count"] == count
    assert {e["availability"]["reason"] for e in body["results"]} == {"registered", ""}


LIST_QUERIES = 4  # roles of the signed-in person, count, events, presenters
