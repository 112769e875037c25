"""Delivering the network's messages, run by its tasks: an announcement to every member who
wants each message, and the weekly digest to those who want one a week.

Each delivery is recorded (AnnouncementDelivery, DigestDelivery) in the transaction that
sends its mail, so running either twice sends nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .mail import send_announcement_mail, send_digest_mail
from .models import (
    Announcement,
    AnnouncementDelivery,
    DigestDelivery,
    Membership,
    MembershipStatus,
    MessagePreference,
)


def deliver_announcement(*, announcement: Announcement) -> int:
    """E-mail the announcement to active members who want each message. Idempotent."""
    recipients = (
        Membership.objects.filter(
            network_id=announcement.network_id,
            status=MembershipStatus.ACTIVE,
            message_preference=MessagePreference.EACH,
            user__isnull=False,
            user__is_active=True,
        )
        .exclude(announcement_deliveries__announcement=announcement)
        .select_related("user", "network")
    )
    sent = 0
    for membership in recipients:
        with transaction.atomic():
            _, created = AnnouncementDelivery.objects.get_or_create(
                announcement=announcement, membership=membership
            )
            if created:
                send_announcement_mail(membership=membership, announcement=announcement)
                sent += 1
    return sent


def week_start(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date()
    return day - dt.timedelta(days=day.weekday())


def send_weekly_digests(*, now: dt.datetime | None = None) -> int:
    """One digest per digest-preferring member per week, with the announcements since
    their previous digest (at most the last seven days). Running twice sends nothing new."""
    now = now or timezone.now()
    week = week_start(now)
    earliest = now - dt.timedelta(days=7)
    members = (
        Membership.objects.filter(
            status=MembershipStatus.ACTIVE,
            message_preference=MessagePreference.DIGEST,
            user__isnull=False,
            user__is_active=True,
            network__announcements__sent_at__gt=earliest,
            network__announcements__sent_at__lte=now,
        )
        .exclude(digest_deliveries__week=week)
        .select_related("user", "network")
        .distinct()
    )
    sent = 0
    for membership in members:
        last = membership.digest_deliveries.order_by("-covered_until").first()
        since = max(earliest, last.covered_until) if last else earliest
        announcements = list(
            membership.network.announcements.filter(sent_at__gt=since, sent_at__lte=now).order_by(
                "sent_at"
            )
        )
        if not announcements:
            continue
        with transaction.atomic():
            _, created = DigestDelivery.objects.get_or_create(
                membership=membership,
                week=week,
                defaults={"covered_until": now, "announcement_count": len(announcements)},
            )
            if created:
                send_digest_mail(membership=membership, announcements=announcements)
                sent += 1
    return sent
