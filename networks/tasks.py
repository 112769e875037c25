"""Celery tasks of the networks app: take ids, load, call a delivery or a mail.

The mails that follow a change are outbox rows written in the change's transaction
(``queue``): each goes out at most once. A join request fans out into one row per
coordinator; an announcement records each delivery (AnnouncementDelivery) as it sends.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from outbox.services import enqueue

from . import delivery, mail, selectors
from .models import Announcement, Membership, MembershipStatus

log = logging.getLogger(__name__)


@shared_task(name="networks.tasks.deliver_announcement")
def deliver_announcement(announcement_id: int, key: str = "") -> int:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    sent = delivery.deliver_announcement(announcement=announcement)
    log.info("announcement %s e-mailed to %s members", announcement_id, sent)
    return sent


@shared_task(name="networks.tasks.send_weekly_digests")
def send_weekly_digests() -> int:
    sent = delivery.send_weekly_digests()
    log.info("weekly network digests sent: %s", sent)
    return sent


@shared_task(name="networks.tasks.send_membership_decision")
def send_membership_decision(membership_id: int, key: str = "") -> None:
    membership = (
        Membership.objects.select_related("user", "network").filter(pk=membership_id).first()
    )
    if membership is None or membership.user is None:
        return
    if membership.status in (MembershipStatus.ACTIVE, MembershipStatus.DECLINED):
        mail.send_decision_mail(membership=membership)


@shared_task(name="networks.tasks.send_join_request")
def send_join_request(membership_id: int, key: str = "") -> int:
    """Tell each coordinator of a network about a request still waiting for a decision:
    one outbox row per coordinator, so a failure with one does not repeat the others."""
    coordinators = selectors.coordinators_to_tell_of_request(membership_id=membership_id)
    with transaction.atomic():
        for coordinator_id in coordinators:
            enqueue(
                task=send_join_request_to,
                args=[membership_id, coordinator_id],
                key=f"network-join-request:{membership_id}:{key}:{coordinator_id}",
            )
    log.info("join request %s queued for %s coordinators", membership_id, len(coordinators))
    return len(coordinators)


@shared_task(name="networks.tasks.send_join_request_to")
def send_join_request_to(membership_id: int, coordinator_id: int) -> bool:
    membership = (
        Membership.objects.select_related("user", "network", "organisation")
        .filter(pk=membership_id, status=MembershipStatus.PENDING)
        .first()
    )
    if membership is None or membership.user is None:
        return False
    coordinator = membership.network.coordinators.filter(is_active=True, pk=coordinator_id).first()
    if coordinator is None:
        return False
    mail.send_join_request_mail(membership=membership, coordinator=coordinator)
    return True


@shared_task(name="networks.tasks.send_invitation")
def send_invitation(membership_id: int, key: str = "") -> None:
    membership = (
        Membership.objects.select_related("user", "network").filter(pk=membership_id).first()
    )
    if membership is None or membership.status != MembershipStatus.INVITED:
        return
    mail.send_invitation_mail(membership=membership)


def queue(task, object_id: int) -> None:
    """Write this mail to the outbox in the current transaction; it goes out after commit.

    Keyed by task, object and the moment of the change (a later request, decision or
    invitation of the same membership is a new mail)."""
    kind = task.name.rpartition(".")[2]
    stamp = timezone.now().isoformat()
    enqueue(task=task, args=[object_id, stamp], key=f"network-{kind}:{object_id}:{stamp}")
