"""Announcements: at once for "each", in the weekly digest for "digest", nothing for "none"."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from networks import delivery, services, tasks
from networks.models import (
    Announcement,
    DigestDelivery,
    Membership,
    MembershipStatus,
    MessagePreference,
)
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def members(network):
    return {
        preference: MembershipFactory(
            network=network,
            user=UserFactory(email=f"{preference}@example.fi"),
            message_preference=preference,
        )
        for preference in MessagePreference.values
    }


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_announcement_arrives_at_once_only_for_each_message(
    network, coordinator, members, django_capture_on_commit_callbacks
):
    MembershipFactory(
        network=network,
        user=UserFactory(email="left@example.fi"),
        status=MembershipStatus.LEFT,
        message_preference=MessagePreference.EACH,
    )
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.send_announcement(
            network=network, subject="Meeting moved", body="Now on Friday.", by=coordinator
        )
    assert _recipients() == ["each@example.fi"]
    message = mail.outbox[0]
    token = members["each"].unsubscribe_token
    assert "Now on Friday." in message.body
    assert f"/networks/unsubscribe/{token}/" in message.body
    assert token in message.extra_headers["List-Unsubscribe"]
    # A retried task sends nothing twice.
    tasks.deliver_announcement(announcement.pk)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_weekly_digest_collects_the_weeks_announcements_once(
    network, coordinator, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_announcement(network=network, subject="First", body="One", by=coordinator)
        services.send_announcement(network=network, subject="Second", body="Two", by=coordinator)
    mail.outbox.clear()
    now = timezone.now() + dt.timedelta(minutes=1)
    assert delivery.send_weekly_digests(now=now) == 1
    assert _recipients() == ["digest@example.fi"]
    digest = mail.outbox[0]
    assert "First" in digest.body and "Second" in digest.body
    assert members["digest"].unsubscribe_token in digest.extra_headers["List-Unsubscribe"]
    # Idempotent: the same week again sends nothing, and is recorded once.
    assert delivery.send_weekly_digests(now=now + dt.timedelta(hours=1)) == 0
    assert tasks.send_weekly_digests() == 0
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().announcement_count == 2


@pytest.mark.django_db
def test_next_weeks_digest_holds_only_the_new_announcements(network, coordinator, members):
    services.send_announcement(network=network, subject="Old news", body="x", by=coordinator)
    now = timezone.now() + dt.timedelta(minutes=1)
    delivery.send_weekly_digests(now=now)
    mail.outbox.clear()
    later = now + dt.timedelta(days=7)
    fresh = services.send_announcement(network=network, subject="New", body="y", by=coordinator)
    Announcement.objects.filter(pk=fresh.pk).update(sent_at=later - dt.timedelta(days=1))
    assert delivery.send_weekly_digests(now=later) == 1
    assert "New" in mail.outbox[0].subject + mail.outbox[0].body
    assert "Old news" not in mail.outbox[0].body


@pytest.mark.django_db
def test_no_digest_without_announcements(members):
    assert delivery.send_weekly_digests() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_unsubscribe_link_works_without_signing_in(en_client, members):
    membership = members["digest"]
    url = f"/networks/unsubscribe/{membership.unsubscribe_token}/"
    page = en_client.get(url)
    assert page.status_code == 200
    assert b"Stop all announcements" in page.content
    membership.refresh_from_db()
    assert membership.message_preference == MessagePreference.DIGEST  # GET changes nothing
    done = en_client.post(url)
    assert done.status_code == 200
    membership.refresh_from_db()
    assert membership.message_preference == MessagePreference.NONE
    assert en_client.get("/networks/unsubscribe/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_no_csrf_token(members):
    membership = members["each"]
    response = Client(enforce_csrf_checks=True).post(
        f"/networks/unsubscribe/{membership.unsubscribe_token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Membership.objects.get(pk=membership.pk).message_preference == "none"
