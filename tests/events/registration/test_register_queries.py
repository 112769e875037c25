"""Registering through the API asks a fixed, small number of queries (a burst of 300 people
for 50 seats waits on the event row lock: every query more is time the others wait)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Audience, RegistrationMode, RegistrationStatus
from networks.models import MembershipStatus
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

# token and person, the event (visibility; the roles are asked only when it is not visible),
# savepoint, event row lock, confirmed count with the person's own row, INSERT registration,
# INSERT the outbox row, release.
REGISTER_QUERIES = 8


def _client_with_token(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person).key}")
    return client


def test_a_seat_and_a_waitlist_place_ask_the_same_few_queries(django_assert_num_queries):
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.WAITLIST)
    answers = []
    for person in (UserFactory(), UserFactory()):
        client = _client_with_token(person)
        with django_assert_num_queries(REGISTER_QUERIES):
            answers.append(client.post(f"/api/v1/events/{event.pk}/register/"))
    assert [answer.status_code for answer in answers] == [201, 201]
    assert [answer.json()["status"] for answer in answers] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert answers[0].json()["event_title"] == event.display_title


def test_a_second_attempt_answers_200_with_the_same_place():
    event = EventFactory(capacity=5)
    client = _client_with_token(UserFactory())
    first = client.post(f"/api/v1/events/{event.pk}/register/")
    again = client.post(f"/api/v1/events/{event.pk}/register/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert event.registrations.count() == 1


def test_a_network_only_event_stays_hidden_from_non_members():
    event = EventFactory(capacity=5, audience=Audience.NETWORKS)
    event.audience_networks.add(NetworkFactory())
    client = _client_with_token(UserFactory())
    assert client.post(f"/api/v1/events/{event.pk}/register/").status_code == 404
    assert not event.registrations.exists()


def test_a_network_only_event_takes_a_registration_from_an_active_member():
    network = NetworkFactory()
    event = EventFactory(capacity=5, audience=Audience.NETWORKS)
    event.audience_networks.add(network, NetworkFactory())  # two networks: still one row
    member = MembershipFactory(network=network).user
    answer = _client_with_token(member).post(f"/api/v1/events/{event.pk}/register/")
    assert answer.status_code == 201
    assert list(event.registrations.values_list("user", flat=True)) == [member.pk]


def test_a_network_only_event_stays_hidden_from_a_member_who_left():
    network = NetworkFactory()
    event = EventFactory(capacity=5, audience=Audience.NETWORKS)
    event.audience_networks.add(network)
    gone = MembershipFactory(network=network, status=MembershipStatus.LEFT).user
    assert _client_with_token(gone).post(f"/api/v1/events/{event.pk}/register/").status_code == 404
    assert not event.registrations.exists()
