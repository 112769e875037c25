"""Query counts of the networks lists and list API endpoints: few rows and many rows, one
fixed count (issue 16).

Each test builds FEW or MANY rows with more than one of every relation the page shows,
asks once to warm the session and the role caches, measures one request and checks that a
row is in the answer. Measured elsewhere: the directory, the coordinators' member list and
the directory API (test_views.py), the network list API (test_join_availability.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Audience, EventMaterial
from networks.models import (
    Announcement,
    MemberRole,
    MembershipStatus,
    Sector,
    Visibility,
)
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 25
SIZES = [FEW, MANY]
SECTORS = [Sector.NGO, Sector.KELA, Sector.EMPLOYER]
ROLES = [MemberRole.PRACTITIONER, MemberRole.MANAGEMENT, MemberRole.EXPERIENCE_EXPERT]


def _person(**fields):
    """A person without a password: hashing one per row would only slow the test down."""
    return UserFactory(password=None, **fields)


def _members(network, n: int, status=MembershipStatus.ACTIVE) -> None:
    """n members of the network, each of their own organisation, in three sectors and roles."""
    for i in range(n):
        MembershipFactory(
            network=network,
            user=_person(display_name=f"{status} member {i} of {network.name}"),
            organisation=OrganisationFactory(
                name=f"Organisation {status} {i} of {network.name}", sector=SECTORS[i % 3]
            ),
            role=ROLES[i % 3],
            status=status,
            show_title=True,
        )


# session, user, roles, the networks (public, coordinated or joined)
NETWORK_LIST_QUERIES = 4


@pytest.mark.parametrize("n", SIZES)
def test_network_list(en_client, network, coordinator, django_assert_num_queries, n):
    person = coordinator
    for i in range(n):
        network = NetworkFactory(
            name=f"Network number {i}",
            visibility=Visibility.PUBLIC if i % 3 == 0 else Visibility.MEMBERS,
            description=f"About network {i}",
        )
        if i % 3 == 1:
            MembershipFactory(network=network, user=person)
        if i % 3 == 2:
            network.coordinators.add(person)
    en_client.force_login(person)
    url = reverse("networks:list")
    en_client.get(url)
    with django_assert_num_queries(NETWORK_LIST_QUERIES):
        response = en_client.get(url)
    assert len(response.context["networks"]) == n + 1
    assert "Network number 1" in response.content.decode()


def _meetings(network, n: int, *, past: bool) -> None:
    now = timezone.now()
    for i in range(n):
        starts = now + (dt.timedelta(days=-i - 2) if past else dt.timedelta(days=i + 1))
        event = EventFactory(
            title="",
            theme=ThemeFactory(title=f"{'Past' if past else 'Coming'} meeting {i}"),
            audience=Audience.NETWORKS,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )
        event.audience_networks.add(network)
        EventMaterial.objects.bulk_create(
            EventMaterial(event=event, title=f"Material {i}.{k}", url=f"https://example.fi/{k}")
            for k in range(2)
        )


# session, user, the network, upcoming and past meetings with their materials (4), the
# person's membership, roles, coordinated networks, members by sector and by role, pending
# requests, the last announcements with their authors
NETWORK_DETAIL_QUERIES = 14


@pytest.mark.parametrize("n", SIZES)
def test_network_detail(en_client, network, coordinator, django_assert_num_queries, n):
    MembershipFactory(network=network, user=coordinator)
    _members(network, n)
    _members(network, n, status=MembershipStatus.PENDING)
    _meetings(network, n, past=False)
    _meetings(network, n, past=True)
    for i in range(n):
        Announcement.objects.create(
            network=network, author=_person(), subject=f"News {i}", body="Body"
        )
    en_client.force_login(coordinator)
    url = reverse("networks:detail", kwargs={"slug": network.slug})
    en_client.get(url)
    with django_assert_num_queries(NETWORK_DETAIL_QUERIES):
        response = en_client.get(url)
    html = response.content.decode()
    assert len(response.context["upcoming"]) == len(response.context["past"]) == n
    assert "Coming meeting 0" in html and "Past meeting 0" in html and "Material 0.1" in html
    assert response.context["counts"]["total"] == n + 1
    assert response.context["announcements"][0].subject in html


# session, user, the network, roles, coordinated networks, every membership with its
# person and organisation, the access log line (an INSERT)
EXPORT_QUERIES = 7


@pytest.mark.parametrize("n", SIZES)
def test_member_export(en_client, network, coordinator, django_assert_num_queries, n):
    _members(network, n)
    _members(network, n, status=MembershipStatus.PENDING)
    en_client.force_login(coordinator)
    url = reverse("networks:export", kwargs={"slug": network.slug, "fmt": "csv"})
    en_client.get(url)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = en_client.get(url)
    text = response.content.decode("utf-8-sig")
    assert text.count("\n") == 2 * n + 1
    assert f"Organisation active 0 of {network.name}" in text


@pytest.fixture
def api():
    return APIClient()


# Authenticated without a session: roles, the count, one page of memberships with their
# networks, people and organisations, the access log line (an INSERT)
MEMBERSHIPS_API_QUERIES = 4


@pytest.mark.parametrize("n", SIZES)
def test_memberships_api(api, network, private_network, coordinator, django_assert_num_queries, n):  # noqa: PLR0917 - pytest fixtures
    _members(network, n)
    _members(private_network, n, status=MembershipStatus.PENDING)
    api.force_authenticate(coordinator)
    with django_assert_num_queries(MEMBERSHIPS_API_QUERIES):
        body = api.get("/api/v1/memberships/").json()
    assert body["count"] == 2 * n
    assert f"Organisation active 0 of {network.name}" in {
        m["organisation"] for m in body["results"]
    }


# Authenticated without a session: the count, one page of memberships with their networks
# and organisations (the networks' join answers come from the membership itself)
MY_MEMBERSHIPS_API_QUERIES = 2


@pytest.mark.parametrize("n", SIZES)
def test_my_memberships_api(api, django_assert_num_queries, n):
    person = _person()
    for i in range(n):
        MembershipFactory(
            network=NetworkFactory(name=f"Network number {i}"),
            user=person,
            organisation=OrganisationFactory(),
            status=MembershipStatus.ACTIVE if i % 2 else MembershipStatus.PENDING,
        )
    api.force_authenticate(person)
    with django_assert_num_queries(MY_MEMBERSHIPS_API_QUERIES):
        body = api.get("/api/v1/memberships/mine/").json()
    assert body["count"] == n
    assert "Network number 0" in {m["network"]["name"] for m in body["results"]}
