"""Parallel registrations on PostgreSQL: the event row lock never lets the event overbook."""

import pytest
from django.db import connection

from events.models import Registration, RegistrationMode, RegistrationStatus
from events.registration import services as registration_services
from tests.concurrency import run_in_threads
from tests.factories import EventFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (runs in make test)"
    ),
]


def test_twenty_people_five_seats():
    event = EventFactory(capacity=5, registration_mode=RegistrationMode.WAITLIST)
    people = UserFactory.create_batch(20)
    results, errors = run_in_threads(
        lambda person: registration_services.register(event=event, person=person).status, people
    )
    assert errors == []
    assert sorted(results).count(RegistrationStatus.CONFIRMED) == 5
    assert sorted(results).count(RegistrationStatus.WAITLISTED) == 15
    stored = Registration.objects.filter(event=event)
    assert stored.filter(status=RegistrationStatus.CONFIRMED).count() == 5
    assert stored.filter(status=RegistrationStatus.WAITLISTED).count() == 15


def test_full_event_without_waitlist_refuses_the_rest():
    event = EventFactory(capacity=3, registration_mode=RegistrationMode.REGISTRATION)
    people = UserFactory.create_batch(12)

    def attempt(person):
        try:
            return registration_services.register(event=event, person=person).status
        except registration_services.RegistrationClosedError as error:
            return error.reason

    results, errors = run_in_threads(attempt, people)
    assert errors == []
    assert results.count(RegistrationStatus.CONFIRMED) == 3
    assert results.count("full") == 9
    assert Registration.objects.filter(event=event).count() == 3


def test_same_person_twice_in_parallel_gets_one_registration():
    event = EventFactory(capacity=5)
    person = UserFactory()
    results, errors = run_in_threads(
        lambda _n: registration_services.register(event=event, person=person).pk, list(range(8))
    )
    assert errors == []
    assert len(set(results)) == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_cancellations_and_registrations_in_parallel_never_overbook():
    event = EventFactory(capacity=4, registration_mode=RegistrationMode.WAITLIST)
    holders = [
        registration_services.register(event=event, person=p) for p in UserFactory.create_batch(4)
    ]
    newcomers = UserFactory.create_batch(8)

    def act(item):
        kind, value = item
        if kind == "cancel":
            return registration_services.cancel_registration(
                registration=value, by=value.user
            ).status
        return registration_services.register(event=event, person=value).status

    items = [("cancel", r) for r in holders[:2]] + [("register", p) for p in newcomers]
    _results, errors = run_in_threads(act, items)
    assert errors == []
    assert Registration.objects.filter(event=event, status="confirmed").count() == 4
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 6
