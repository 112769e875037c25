"""The network's e-mails, each in the recipient's language, with an unsubscribe link."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from kohtaamo.mail import send_templated_mail

from .models import Announcement, Membership


def unsubscribe_url(membership: Membership) -> str:
    return settings.SITE_URL + reverse(
        "networks:unsubscribe", kwargs={"token": membership.unsubscribe_token}
    )


def _message_headers(membership: Membership) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(membership)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _language(membership: Membership) -> str | None:
    return membership.user.language if membership.user_id else None


def _context(membership: Membership, **extra) -> dict:
    return {
        "membership": membership,
        "network": membership.network,
        "network_url": settings.SITE_URL + membership.network.get_absolute_url(),
        "unsubscribe_url": unsubscribe_url(membership),
        "preferences_url": settings.SITE_URL
        + reverse("networks:membership", kwargs={"pk": membership.pk}),
        **extra,
    }


def send_announcement_mail(*, membership: Membership, announcement: Announcement) -> None:
    send_templated_mail(
        to=membership.user.email,
        template_prefix="email/networks/announcement",
        context=_context(membership, announcement=announcement),
        language=_language(membership),
        headers=_message_headers(membership),
    )


def send_digest_mail(*, membership: Membership, announcements: Sequence[Announcement]) -> None:
    send_templated_mail(
        to=membership.user.email,
        template_prefix="email/networks/digest",
        context=_context(membership, announcements=announcements),
        language=_language(membership),
        headers=_message_headers(membership),
    )


def send_decision_mail(*, membership: Membership) -> None:
    send_templated_mail(
        to=membership.user.email,
        template_prefix="email/networks/membership_decision",
        context=_context(membership, approved=membership.is_active),
        language=_language(membership),
        headers=_message_headers(membership),
    )


def send_join_request_mail(*, membership: Membership, coordinator) -> None:
    """To a coordinator: who asks to join, from which organisation, and where to decide.
    The requester's contact details stay on the site, behind the coordinator's sign-in."""
    manage_url = settings.SITE_URL + reverse(
        "networks:manage", kwargs={"slug": membership.network.slug}
    )
    send_templated_mail(
        to=coordinator.email,
        template_prefix="email/networks/join_request",
        context={
            "membership": membership,
            "network": membership.network,
            "person": membership.user.get_full_name(),
            "manage_url": manage_url,
        },
        language=coordinator.language,
    )


def send_invitation_mail(*, membership: Membership) -> None:
    accept_url = settings.SITE_URL + reverse(
        "networks:invitation", kwargs={"token": membership.invitation_token}
    )
    send_templated_mail(
        to=membership.email,
        template_prefix="email/networks/invitation",
        context=_context(membership, accept_url=accept_url),
        language=_language(membership),
        headers=_message_headers(membership),
    )
