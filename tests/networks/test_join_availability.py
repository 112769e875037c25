"""Who may join a network: the network page, the API and `request_to_join` agree."""

import re

import pytest
from rest_framework.test import APIClient

from networks import services
from networks.models import JoinPolicy, Membership, MembershipStatus, Visibility
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

# policy, the person's membership status ("" none), may_join, action, reason
CASES = [
    ("open", JoinPolicy.OPEN, "", True, "join", ""),
    ("approval", JoinPolicy.APPROVAL, "", True, "request", ""),
    ("invitation_only", JoinPolicy.INVITATION, "", False, "", "invitation_only"),
    ("member", JoinPolicy.OPEN, MembershipStatus.ACTIVE, False, "", "member"),
    ("pending", JoinPolicy.APPROVAL, MembershipStatus.PENDING, False, "", "pending"),
    ("invited", JoinPolicy.INVITATION, MembershipStatus.INVITED, True, "accept", ""),
    ("left", JoinPolicy.APPROVAL, MembershipStatus.LEFT, True, "request", ""),
    ("declined", JoinPolicy.APPROVAL, MembershipStatus.DECLINED, True, "request", ""),
    (
        "left_invitation_only",
        JoinPolicy.INVITATION,
        MembershipStatus.LEFT,
        False,
        "",
        "invitation_only",
    ),
]

BUTTONS = {"join": "Join the network", "request": "Ask to join", "accept": "Accept and join"}


def _membership_box(html: str) -> str:
    box = re.search(
        r'<section aria-labelledby="membership-heading">(.*?)</section>', html, re.DOTALL
    )
    assert box, "no membership section"
    return box.group(1)


def _clients(person):
    page, api = APIClient(), APIClient()
    page.cookies["django_language"] = "en"
    api.cookies["django_language"] = "en"
    if person is not None:
        page.force_login(person)
        api.force_authenticate(person)
    return page, api


@pytest.mark.parametrize(
    ("policy", "status", "may", "action", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_page_api_and_service_agree(policy, status, may, action, reason):
    network = NetworkFactory(join_policy=policy, visibility=Visibility.PUBLIC)
    person = UserFactory()
    if status:
        MembershipFactory(network=network, user=person, status=status)
    page, api = _clients(person)

    box = _membership_box(page.get(f"/networks/{network.slug}/").content.decode())
    detail = api.get(f"/api/v1/networks/{network.pk}/").json()["join"]
    listed = [n["join"] for n in api.get("/api/v1/networks/").json()["results"]]

    assert (detail["may_join"], detail["action"], detail["reason"]) == (may, action, reason)
    assert listed == [detail]
    shown = [label for key, label in BUTTONS.items() if label in box]
    assert shown == ([BUTTONS[action]] if may else [])

    before = Membership.objects.filter(network=network, user=person).first()
    if may:
        membership = services.request_to_join(network=network, person=person)
        expected = MembershipStatus.PENDING if action == "request" else MembershipStatus.ACTIVE
        assert membership.status == expected
    else:
        with pytest.raises(services.NetworkError) as refused:
            services.request_to_join(network=network, person=person)
        assert str(refused.value.message) == detail["message"]
        after = Membership.objects.filter(network=network, user=person).first()
        assert (after and after.status) == (before and before.status)


def test_signed_out_the_page_and_api_offer_joining_after_sign_in():
    network = NetworkFactory(join_policy=JoinPolicy.OPEN, visibility=Visibility.PUBLIC)
    page, api = _clients(None)
    box = _membership_box(page.get(f"/networks/{network.slug}/").content.decode())
    detail = api.get(f"/api/v1/networks/{network.pk}/").json()["join"]
    assert detail == {
        "may_join": True,
        "action": "join",
        "reason": "",
        "message": None,
        "status": "",
        "sign_in_needed": True,
    }
    assert BUTTONS["join"] in box


@pytest.mark.parametrize("count", [2, 6])
def test_network_list_api_asks_a_fixed_number_of_queries(count, django_assert_num_queries):
    person = UserFactory()
    for index in range(count):
        network = NetworkFactory(join_policy=JoinPolicy.APPROVAL, visibility=Visibility.PUBLIC)
        if index % 2:
            MembershipFactory(network=network, user=person)
    _page, api = _clients(person)
    with django_assert_num_queries(LIST_QUERIES):
        body = api.get("/api/v1/networks/").json()
    assert body["count"] == count
    assert {n["join"]["reason"] for n in body["results"]} == {"", "member"}


LIST_QUERIES = 2  # the count, and the networks with the person's membership status
