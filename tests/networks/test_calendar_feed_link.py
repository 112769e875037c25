"""The network page shows its calendar address to members; coordinators may renew it."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from networks.models import MembershipStatus
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def feed_path(network) -> str:
    return reverse(
        "calendar:network", kwargs={"slug": network.slug, "token": network.calendar_token}
    )


def page(client, network) -> str:
    response = client.get(reverse("networks:detail", args=[network.slug]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_member_sees_the_address_with_copy_and_subscribe(en_client, network, settings):
    member = MembershipFactory(network=network, status=MembershipStatus.ACTIVE).user
    en_client.force_login(member)
    text = page(en_client, network)
    address = settings.SITE_URL + feed_path(network)
    assert f'value="{address}"' in text
    assert 'for="network-feed-url"' in text and 'data-copy-target="network-feed-url"' in text
    assert f'href="{address.replace("http://", "webcal://", 1)}"' in text
    assert "Make a new link" not in text  # renewing is the coordinators' business
    assert en_client.get(feed_path(network)).status_code == 200


@pytest.mark.parametrize("status", [None, MembershipStatus.PENDING, MembershipStatus.LEFT])
def test_others_do_not_see_the_address(en_client, network, status):
    person = UserFactory()
    if status:
        MembershipFactory(network=network, user=person, status=status)
    en_client.force_login(person)
    text = page(en_client, network)
    assert network.calendar_token not in text
    assert 'id="network-feed"' not in text


def test_anonymous_does_not_see_the_address(en_client, network):
    assert network.calendar_token not in page(en_client, network)


def test_coordinator_renews_the_address(en_client, network, coordinator):
    old_path = feed_path(network)
    en_client.force_login(coordinator)
    assert "Make a new link" in page(en_client, network)

    response = en_client.post(reverse("networks:new_calendar_link", args=[network.slug]))
    assert response.status_code == 302
    assert response["Location"].endswith("#network-feed")
    network.refresh_from_db()
    assert en_client.get(old_path).status_code == 404  # the old address stops at once
    assert en_client.get(feed_path(network)).status_code == 200
    assert network.calendar_token in page(en_client, network)
    assert AuditEntry.objects.filter(action="network.calendar_link_renewed").count() == 1


def test_a_member_cannot_renew_the_address(en_client, network):
    member = MembershipFactory(network=network, status=MembershipStatus.ACTIVE).user
    token = network.calendar_token
    en_client.force_login(member)
    response = en_client.post(reverse("networks:new_calendar_link", args=[network.slug]))
    assert response.status_code == 404
    network.refresh_from_db()
    assert network.calendar_token == token


def test_renewing_is_post_only(en_client, network, coordinator):
    en_client.force_login(coordinator)
    url = reverse("networks:new_calendar_link", args=[network.slug])
    assert en_client.get(url).status_code == 405
