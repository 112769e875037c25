"""Who gets what (issue 21): the coordinator's member page shows each member's message
choice and, above the list, how many active members get each message, a weekly digest or
nothing; ordinary members see nobody's choice."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from networks import selectors
from networks.models import MembershipStatus, MessagePreference
from tests.factories import MembershipFactory, UserFactory

from .test_views import MEMBER_LIST_QUERIES

pytestmark = pytest.mark.django_db

EACH, DIGEST, NONE = MessagePreference.EACH, MessagePreference.DIGEST, MessagePreference.NONE


def _member(network, name: str, preference: str, status=MembershipStatus.ACTIVE):
    return MembershipFactory(
        network=network,
        user=UserFactory(display_name=name, password=None),
        message_preference=preference,
        status=status,
    )


def _members(network, n: int) -> None:
    choices = [EACH, DIGEST, NONE]
    for i in range(n):
        _member(network, f"Member {i:02d}", choices[i % 3])


@pytest.fixture
def mixed(network):
    for i, preference in enumerate([EACH, EACH, DIGEST, DIGEST, DIGEST, NONE]):
        _member(network, f"Active {i}", preference)
    # Not counted: they get no messages as members now.
    _member(network, "Waiting Wilma", EACH, status=MembershipStatus.PENDING)
    _member(network, "Gone Greta", EACH, status=MembershipStatus.LEFT)
    return network


def _summary(html: str) -> dict[str, int]:
    table = re.search(r'<table id="message-choices">.*?</table>', html, re.DOTALL).group(0)
    return {
        label: int(count)
        for label, count in re.findall(
            r'<th scope="row">([^<]+)</th>\s*<td class="num">(\d+)</td>', table
        )
    }


def test_the_coordinator_sees_how_many_get_each_kind_of_message(en_client, mixed, coordinator):
    en_client.force_login(coordinator)
    html = en_client.get(reverse("networks:manage", args=[mixed.slug])).content.decode()
    assert "How the active members get the network" in html
    assert _summary(html) == {"Each message": 2, "A weekly digest": 3, "No messages": 1}
    # The summary comes before the member list.
    assert html.index('id="message-choices"') < html.index("Active 0")


def test_every_choice_is_listed_also_when_nobody_made_it(en_client, network, coordinator):
    _member(network, "Only One", DIGEST)
    en_client.force_login(coordinator)
    html = en_client.get(reverse("networks:manage", args=[network.slug])).content.decode()
    assert _summary(html) == {"Each message": 0, "A weekly digest": 1, "No messages": 0}


def test_each_member_row_shows_their_choice(en_client, mixed, coordinator):
    en_client.force_login(coordinator)
    html = en_client.get(reverse("networks:manage", args=[mixed.slug])).content.decode()
    rows = dict(re.findall(r'<tr>\s*<th scope="row">([^<]+)</th>(.*?)</tr>', html, re.DOTALL))
    assert "Each message" in rows["Active 0"]
    assert "A weekly digest" in rows["Active 2"]
    assert "No messages" in rows["Active 5"]
    # Someone who left gets nothing whatever they once chose: no choice is shown for them.
    assert "Each message" not in rows["Gone Greta"]


@pytest.mark.parametrize("n", [3, 30])
def test_the_counts_take_one_query_whatever_the_number_of_members(
    network, django_assert_num_queries, n
):
    _members(network, n)
    with django_assert_num_queries(1):
        counts = selectors.message_preference_counts(network=network)
    assert [(c.preference, c.count) for c in counts] == [
        (EACH, (n + 2) // 3),
        (DIGEST, (n + 1) // 3),
        (NONE, n // 3),
    ]


@pytest.mark.parametrize("n", [3, 30])
def test_the_member_page_query_count_is_fixed(
    en_client, network, coordinator, django_assert_num_queries, n
):
    _members(network, n)
    for i in range(n):
        _member(network, f"Request {i}", EACH, status=MembershipStatus.PENDING)
    en_client.force_login(coordinator)
    url = reverse("networks:manage", args=[network.slug])
    en_client.get(url)
    with django_assert_num_queries(MEMBER_LIST_QUERIES):
        response = en_client.get(url)
    assert len(response.context["rows"]) == len(response.context["request_rows"]) == n
    assert sum(c.count for c in response.context["preferences"]) == n


def test_an_ordinary_member_sees_no_ones_message_choice(client, mixed):
    member = _member(mixed, "Ordinary Olli", EACH).user
    client.cookies["django_language"] = "en"
    client.force_login(member)
    assert client.get(reverse("networks:manage", args=[mixed.slug])).status_code == 404
    detail = client.get(reverse("networks:detail", args=[mixed.slug]))
    directory = client.get(reverse("networks:directory", args=[mixed.slug]))
    assert "Active 0" in directory.content.decode()  # the members are listed, not their choices
    for response in (detail, directory):
        assert response.status_code == 200
        html = response.content.decode()
        assert "message-choices" not in html
        assert "A weekly digest" not in html
        assert "No messages" not in html
