"""Registration rules: capacity, waitlist order, promotion, duplicates and closed reasons."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.models import AuditEntry
from events.attendance import services as attendance_services
from events.models import EventStatus, Registration, RegistrationMode, RegistrationStatus
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


def waitlist_event(capacity=2, **kwargs):
    return EventFactory(capacity=capacity, registration_mode=RegistrationMode.WAITLIST, **kwargs)


def statuses(event):
    return list(
        event.registrations.order_by("created_at", "pk").values_list("user__email", "status")
    )


def test_account_registration_is_confirmed_at_once():
    event = EventFactory(capacity=5)
    person = UserFactory()
    registration = registration_services.register(event=event, person=person)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_at is not None
    assert registration.email == person.email
    assert registration.name == person.display_name


def test_never_more_confirmed_than_capacity_and_rest_waitlisted_in_order():
    event = waitlist_event(capacity=2)
    people = UserFactory.create_batch(4)
    results = [registration_services.register(event=event, person=p).status for p in people]
    assert results == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert event.registrations.filter(status="confirmed").count() == 2


def test_full_event_without_waitlist_refuses():
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.REGISTRATION)
    registration_services.register(event=event, person=UserFactory())
    with pytest.raises(registration_services.RegistrationClosedError) as info:
        registration_services.register(event=event, person=UserFactory())
    assert info.value.reason == "full"
    assert event.registrations.count() == 1


def test_cancel_promotes_first_waitlisted_by_registration_time():
    event = waitlist_event(capacity=1)
    first = registration_services.register(event=event, person=UserFactory())
    second = registration_services.register(event=event, person=UserFactory())
    third = registration_services.register(event=event, person=UserFactory())
    # Make the later one older: order is by created_at, not by id.
    Registration.objects.filter(pk=third.pk).update(
        created_at=second.created_at - dt.timedelta(minutes=1)
    )
    registration_services.cancel_registration(registration=first, by=first.user)
    third.refresh_from_db()
    second.refresh_from_db()
    assert third.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED


def test_cancelling_a_waitlisted_place_promotes_nobody():
    event = waitlist_event(capacity=1)
    registration_services.register(event=event, person=UserFactory())
    waiting = registration_services.register(event=event, person=UserFactory())
    last = registration_services.register(event=event, person=UserFactory())
    registration_services.cancel_registration(registration=waiting, by=waiting.user)
    last.refresh_from_db()
    assert last.status == RegistrationStatus.WAITLISTED


def test_raising_capacity_promotes_as_many_as_fit(organiser):
    event = waitlist_event(capacity=1)
    regs = [registration_services.register(event=event, person=UserFactory()) for _ in range(5)]
    promoted = registration_services.set_capacity(event=event, capacity=3, by=organiser)
    assert [r.pk for r in promoted] == [regs[1].pk, regs[2].pk]
    assert event.registrations.filter(status="confirmed").count() == 3
    assert event.registrations.filter(status="waitlisted").count() == 2
    assert AuditEntry.objects.filter(action="event.capacity_changed").exists()


def test_removing_the_limit_promotes_everyone(organiser):
    event = waitlist_event(capacity=1)
    for _ in range(3):
        registration_services.register(event=event, person=UserFactory())
    registration_services.set_capacity(event=event, capacity=None, by=organiser)
    assert event.registrations.filter(status="confirmed").count() == 3


def test_capacity_below_confirmed_is_refused(organiser):
    event = waitlist_event(capacity=3)
    for _ in range(3):
        registration_services.register(event=event, person=UserFactory())
    with (
        translation.override("en"),
        pytest.raises(registration_services.CapacityBelowConfirmedError) as info,
    ):
        registration_services.set_capacity(event=event, capacity=2, by=organiser)
    assert "3 people are already confirmed" in str(info.value.message)
    event.refresh_from_db()
    assert event.capacity == 3


def test_second_attempt_returns_the_existing_registration():
    event = EventFactory(capacity=5)
    person = UserFactory()
    first = registration_services.register(event=event, person=person)
    again = registration_services.register(event=event, person=person)
    assert again.pk == first.pk
    assert event.registrations.count() == 1


def test_cancelled_registration_is_reactivated_not_duplicated():
    event = waitlist_event(capacity=1)
    person = UserFactory()
    first = registration_services.register(event=event, person=person)
    registration_services.cancel_registration(registration=first, by=person)
    again = registration_services.register(event=event, person=person)
    assert again.pk == first.pk
    assert again.status == RegistrationStatus.CONFIRMED
    assert again.cancelled_at is None
    assert event.registrations.count() == 1


def test_reactivated_registration_goes_to_the_end_of_the_waitlist():
    event = waitlist_event(capacity=1)
    holder = registration_services.register(event=event, person=UserFactory())
    person = UserFactory()
    mine = registration_services.register(event=event, person=person)
    registration_services.cancel_registration(registration=mine, by=person)
    other = registration_services.register(event=event, person=UserFactory())
    registration_services.register(event=event, person=person)
    registration_services.cancel_registration(registration=holder, by=holder.user)
    other.refresh_from_db()
    mine.refresh_from_db()
    assert other.status == RegistrationStatus.CONFIRMED
    assert mine.status == RegistrationStatus.WAITLISTED


def test_unique_constraint_is_the_last_line_of_defence():
    event = EventFactory(capacity=5)
    person = UserFactory()
    existing = RegistrationFactory(event=event, user=person)
    # Simulate a race the lookup missed: the constraint answers, we return the existing one.
    original = registration_services._find_existing
    calls = {"n": 0}

    def blind_once(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else original(*args, **kwargs)

    registration_services._find_existing = blind_once
    try:
        result = registration_services.register(event=event, person=person)
    finally:
        registration_services._find_existing = original
    assert result.pk == existing.pk
    assert event.registrations.count() == 1


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"starts_at": -3, "ends_at": -2}, "past"),
        ({"status": EventStatus.CANCELLED}, "cancelled"),
        ({"status": EventStatus.DRAFT}, "not_published"),
        ({"registration_opens_at": 1}, "not_open"),
        ({"registration_closes_at": -1}, "closed"),
        ({"registration_mode": RegistrationMode.DROP_IN}, "drop_in"),
    ],
)
def test_each_closed_reason(changes, reason):
    now = timezone.now()
    values = {
        key: now + dt.timedelta(days=value) if isinstance(value, int) else value
        for key, value in changes.items()
    }
    event = EventFactory(**values)
    with pytest.raises(registration_services.RegistrationClosedError) as info:
        registration_services.register(event=event, person=UserFactory())
    assert info.value.reason == reason
    # A lazy translation: rendered in whichever language the person uses.
    assert isinstance(info.value.message, Promise)
    with translation.override("en"):
        assert str(info.value.message) == str(
            registration_services.RegistrationClosedError.MESSAGES[reason]
        )
    assert not event.registrations.exists()


def test_network_only_event_is_for_active_members():
    network = NetworkFactory()
    event = EventFactory(audience="networks")
    event.audience_networks.add(network)
    outsider, member, former = UserFactory.create_batch(3)
    MembershipFactory(network=network, user=member)
    MembershipFactory(network=network, user=former, status=MembershipStatus.LEFT)
    with pytest.raises(registration_services.RegistrationClosedError) as info:
        registration_services.register(event=event, person=outsider)
    assert info.value.reason == "audience"
    with pytest.raises(registration_services.RegistrationClosedError):
        registration_services.register(event=event, person=former)
    assert registration_services.register(event=event, person=member).status == "confirmed"


def test_organiser_registers_someone_even_after_registration_closed(organiser):
    event = EventFactory(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    person = UserFactory()
    registration = registration_services.register_someone(
        event=event, by=organiser, email=person.email
    )
    assert registration.user == person
    assert registration.status == RegistrationStatus.CONFIRMED
    guest = registration_services.register_someone(
        event=event, by=organiser, email="Guest@Example.fi", name="Guest Person"
    )
    assert guest.user is None
    assert guest.email == "guest@example.fi"
    assert guest.status == RegistrationStatus.CONFIRMED
    assert AuditEntry.objects.filter(action="registration.created_by_staff").count() == 2


def test_organiser_promotes_only_into_a_free_seat(organiser):
    event = waitlist_event(capacity=1)
    holder = registration_services.register(event=event, person=UserFactory())
    waiting = registration_services.register(event=event, person=UserFactory())
    with pytest.raises(registration_services.RegistrationStateError):
        registration_services.promote_from_waitlist(registration=waiting, by=organiser)
    Registration.objects.filter(pk=holder.pk).update(status=RegistrationStatus.CANCELLED)
    registration_services.promote_from_waitlist(registration=waiting, by=organiser)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert AuditEntry.objects.filter(action="registration.promoted_by_staff").exists()


def test_guest_registration_waits_for_the_link_then_capacity_applies():
    event = waitlist_event(capacity=1)
    guest = registration_services.register(
        event=event, guest_name="Guest", guest_email="Guest@Example.FI", guest_organisation="Kela"
    )
    assert guest.status == RegistrationStatus.PENDING
    assert guest.email == "guest@example.fi"
    # A person with an account takes the only seat before the guest confirms.
    registration_services.register(event=event, person=UserFactory())
    confirmed = registration_services.confirm_guest_registration(token=guest.token)
    assert confirmed.status == RegistrationStatus.WAITLISTED
    # Confirming twice changes nothing.
    assert (
        registration_services.confirm_guest_registration(token=guest.token).status == "waitlisted"
    )


def test_same_guest_email_twice_returns_the_existing():
    event = EventFactory(capacity=5)
    first = registration_services.register(event=event, guest_name="A", guest_email="a@example.fi")
    again = registration_services.register(event=event, guest_name="A", guest_email="A@example.fi ")
    assert again.pk == first.pk


def test_invalid_token_is_refused():
    with pytest.raises(registration_services.InvalidRegistrationLinkError):
        registration_services.confirm_guest_registration(token="nope")


def test_pending_guests_do_not_take_seats():
    event = EventFactory(capacity=1)
    registration_services.register(event=event, guest_name="G", guest_email="g@example.fi")
    assert registration_services.register(event=event, person=UserFactory()).status == "confirmed"


def test_mark_attendance_in_bulk(organiser):
    event = EventFactory(capacity=10)
    regs = [registration_services.register(event=event, person=UserFactory()) for _ in range(3)]
    changed = attendance_services.mark_attendance(
        registrations=regs[:2], attended=True, by=organiser
    )
    assert changed == 2
    attendance_services.mark_attendance(registrations=regs[2:], attended=False, by=organiser)
    values = dict(event.registrations.values_list("pk", "attended"))
    assert values == {regs[0].pk: True, regs[1].pk: True, regs[2].pk: False}
    assert AuditEntry.objects.filter(action="attendance.checked_in").count() == 2


def test_headcount_for_drop_in_only(organiser):
    drop_in = EventFactory(registration_mode=RegistrationMode.DROP_IN)
    attendance_services.record_headcount(event=drop_in, headcount=17, by=organiser)
    drop_in.refresh_from_db()
    assert drop_in.headcount == 17
    with pytest.raises(attendance_services.AttendanceError):
        attendance_services.record_headcount(event=EventFactory(), headcount=3, by=organiser)
    with pytest.raises(attendance_services.AttendanceError):
        attendance_services.record_headcount(event=drop_in, headcount=-1, by=organiser)
