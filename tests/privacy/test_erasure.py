"""Deleting an account cancels the person's places like any other cancellation.

The freed seat goes to the first on the waitlist, who is told by e-mail; calendar feeds
hear of the change; a second deletion (or a second erasure) changes nothing.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import delete_account
from events.calendars import feeds
from events.models import Registration, RegistrationMode, RegistrationStatus
from events.registration.services import erase_person as erase_from_events
from networks.models import Membership, MembershipStatus
from networks.services import erase_person as erase_from_networks
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def full_event():
    """A one-seat event: the person holds the seat, two others wait in line."""
    starts = NOW + dt.timedelta(days=7)
    event = EventFactory(
        capacity=1,
        registration_mode=RegistrationMode.WAITLIST,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )
    person = UserFactory(email="leaving@example.fi")
    seat = RegistrationFactory(event=event, user=person)
    first = RegistrationFactory(
        event=event,
        user=UserFactory(email="first@example.fi"),
        status=RegistrationStatus.WAITLISTED,
    )
    second = RegistrationFactory(
        event=event,
        user=UserFactory(email="second@example.fi"),
        status=RegistrationStatus.WAITLISTED,
    )
    Registration.objects.filter(pk=first.pk).update(created_at=NOW - dt.timedelta(days=2))
    Registration.objects.filter(pk=second.pk).update(created_at=NOW - dt.timedelta(days=1))
    return {"event": event, "person": person, "seat": seat, "first": first, "second": second}


def _status(registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def test_deleting_the_account_gives_the_seat_to_the_first_waiting(
    en_client, full_event, django_capture_on_commit_callbacks
):
    person = full_event["person"]
    generation = feeds.feed_generation()
    en_client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(reverse("accounts:delete"), {"email": person.email})

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert _status(full_event["seat"]) == RegistrationStatus.CANCELLED
    assert _status(full_event["first"]) == RegistrationStatus.CONFIRMED
    assert _status(full_event["second"]) == RegistrationStatus.WAITLISTED
    # The promoted person is told; nobody writes to the deleted person's stand-in address.
    assert [m.to for m in mail.outbox] == [["first@example.fi"]]
    assert feeds.feed_generation() != generation


def test_the_cancelled_row_keeps_its_totals_but_loses_the_person(full_event):
    delete_account(user=full_event["person"])

    seat = Registration.objects.get(pk=full_event["seat"].pk)
    assert seat.status == RegistrationStatus.CANCELLED
    assert seat.cancelled_at == NOW
    assert seat.user_id is None and seat.name == ""
    assert seat.email.endswith("@anonymised.invalid")


def test_erasing_twice_is_harmless(full_event, django_capture_on_commit_callbacks):
    person = full_event["person"]
    membership = MembershipFactory(user=person)

    with django_capture_on_commit_callbacks(execute=True):
        erase_from_events(person=person)
        erase_from_networks(person=person)
    first_pass = {
        r.pk: (r.status, r.email, r.token, r.anonymised_at) for r in Registration.objects.all()
    }
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        erase_from_events(person=person)
        erase_from_networks(person=person)
        delete_account(user=person)

    assert {
        r.pk: (r.status, r.email, r.token, r.anonymised_at) for r in Registration.objects.all()
    } == first_pass
    assert len(mail.outbox) == sent
    assert _status(full_event["first"]) == RegistrationStatus.CONFIRMED
    assert _status(full_event["second"]) == RegistrationStatus.WAITLISTED
    left = Membership.objects.get(pk=membership.pk)
    assert (left.status, left.user_id) == (MembershipStatus.LEFT, None)


def test_a_past_event_keeps_its_confirmed_row(full_event):
    """Only places at events still to come are freed; the past is history and counts."""
    starts = NOW - dt.timedelta(days=3)
    past = EventFactory(capacity=1, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    attended = RegistrationFactory(event=past, user=full_event["person"], attended=True)

    delete_account(user=full_event["person"])

    row = Registration.objects.get(pk=attended.pk)
    assert (row.status, row.attended, row.user_id) == (RegistrationStatus.CONFIRMED, True, None)
    assert timezone.now() == NOW
