"""Celery tasks of the networks app: take ids, load, call a service; idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from . import mail, services
from .models import Announcement, Membership, MembershipStatus

log = logging.getLogger(__name__)
RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RETRY)
def deliver_announcement(announcement_id: int) -> int:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    sent = services.deliver_announcement(announcement=announcement)
    log.info("announcement %s e-mailed to %s members", announcement_id, sent)
    return sent


@shared_task(**RETRY)
def send_weekly_digests() -> int:
    sent = services.send_weekly_digests()
    log.info("weekly network digests sent: %s", sent)
    return sent


@shared_task(**RETRY)
def send_membership_decision(membership_id: int) -> None:
    membership = (
        Membership.objects.select_related("user", "network").filter(pk=membership_id).first()
    )
    if membership is None or membership.user is None:
        return
    if membership.status in (MembershipStatus.ACTIVE, MembershipStatus.DECLINED):
        mail.send_decision_mail(membership=membership)


@shared_task(**RETRY)
def send_join_request(membership_id: int) -> int:
    """Tell each coordinator of a network about a request still waiting for a decision."""
    membership = (
        Membership.objects.select_related("user", "network", "organisation")
        .filter(pk=membership_id, status=MembershipStatus.PENDING)
        .first()
    )
    if membership is None or membership.user is None:
        return 0
    coordinators = membership.network.coordinators.filter(is_active=True)
    for coordinator in coordinators:
        mail.send_join_request_mail(membership=membership, coordinator=coordinator)
    log.info("join request %s e-mailed to %s coordinators", membership_id, len(coordinators))
    return len(coordinators)


@shared_task(**RETRY)
def send_invitation(membership_id: int) -> None:
    membership = (
        Membership.objects.select_related("user", "network").filter(pk=membership_id).first()
    )
    if membership is None or membership.status != MembershipStatus.INVITED:
        return
    mail.send_invitation_mail(membership=membership)
