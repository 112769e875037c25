"""Background tasks of events: registration e-mails, reminders and feedback requests.

Every task takes ids, loads the rows and is idempotent: an e-mail about a registration is
recorded (RegistrationNotice, or the reminder/feedback timestamps) in the same transaction
that sends it, so a retry or a second run never sends it twice, and a failed send leaves
nothing recorded and is retried with backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from celery import shared_task
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from . import notifications
from .models import (
    Event,
    EventStatus,
    Registration,
    RegistrationNotice,
    RegistrationStatus,
)

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (OSError, OperationalError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
FEEDBACK_WINDOW = dt.timedelta(days=7)


def _load(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("event__theme", "user")
        .filter(pk=registration_id, anonymised_at__isnull=True)
        .first()
    )


def _send_once(
    registration: Registration, *, kind: str, key: str, send: Callable[[Registration], None]
) -> bool:
    """Send unless this (kind, key) was already sent; the record and the send commit together."""
    try:
        with transaction.atomic():
            _notice, created = RegistrationNotice.objects.get_or_create(
                registration=registration, kind=kind, key=key[:100]
            )
            if created:
                send(registration)
            return created
    except IntegrityError:
        return False


def _registration_mail(registration_id: int, kind: str, key: str, status, send) -> bool:
    registration = _load(registration_id)
    if registration is None or registration.status != status:
        return False
    return _send_once(registration, kind=kind, key=key, send=send)


@shared_task(name="events.tasks.send_registration_confirmed", **RETRY)
def send_registration_confirmed(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        registration_id,
        "confirmed",
        key,
        RegistrationStatus.CONFIRMED,
        notifications.send_confirmed,
    )


@shared_task(name="events.tasks.send_waitlisted", **RETRY)
def send_waitlisted(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        registration_id,
        "waitlisted",
        key,
        RegistrationStatus.WAITLISTED,
        notifications.send_waitlisted,
    )


@shared_task(name="events.tasks.send_promoted", **RETRY)
def send_promoted(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        registration_id, "promoted", key, RegistrationStatus.CONFIRMED, notifications.send_promoted
    )


@shared_task(name="events.tasks.send_guest_confirmation_link", **RETRY)
def send_guest_confirmation_link(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        registration_id,
        "guest_confirm",
        key,
        RegistrationStatus.PENDING,
        notifications.send_guest_confirmation_link,
    )


@shared_task(name="events.tasks.send_registration_cancelled", **RETRY)
def send_registration_cancelled(
    registration_id: int, key: str = "", was_confirmed: bool = True
) -> bool:
    return _registration_mail(
        registration_id,
        "registration_cancelled",
        key,
        RegistrationStatus.CANCELLED,
        lambda r: notifications.send_registration_cancelled(r, was_confirmed=was_confirmed),
    )


@shared_task(name="events.tasks.send_event_changed", **RETRY)
def send_event_changed(event_id: int, fields: list[str], key: str) -> int:
    """Tell every confirmed and waitlisted person that time or place changed."""
    registrations = Registration.objects.select_related("event__theme", "user").filter(
        event_id=event_id,
        event__status=EventStatus.PUBLISHED,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
        anonymised_at__isnull=True,
    )
    return sum(
        _send_once(
            registration,
            kind="event_changed",
            key=key,
            send=lambda r: notifications.send_event_changed(r, fields=fields),
        )
        for registration in registrations
    )


@shared_task(name="events.tasks.send_event_cancelled", **RETRY)
def send_event_cancelled(event_id: int) -> int:
    """Tell everyone registered (also those whose registration the cancellation ended)."""
    event = Event.objects.filter(pk=event_id, status=EventStatus.CANCELLED).first()
    if event is None:
        return 0
    still_registered = ~Q(status=RegistrationStatus.CANCELLED)
    if event.cancelled_at:
        still_registered |= Q(cancelled_at__gte=event.cancelled_at)
    registrations = (
        Registration.objects.select_related("event__theme", "user")
        .filter(event=event, anonymised_at__isnull=True)
        .filter(still_registered)
    )
    return sum(
        _send_once(
            registration,
            kind="event_cancelled",
            key="",
            send=lambda r: notifications.send_event_cancelled(
                r, with_ics=r.status != RegistrationStatus.PENDING
            ),
        )
        for registration in registrations
    )


def _send_stamped(
    registration_id: int, field: str, send: Callable[[Registration], None], now
) -> bool:
    """Claim the registration by setting `field`, then send; a failure rolls both back."""
    with transaction.atomic():
        claimed = Registration.objects.filter(
            pk=registration_id, **{f"{field}__isnull": True}
        ).update(**{field: now})
        if not claimed:
            return False
        registration = _load(registration_id)
        if registration is None:
            return False
        send(registration)
    return True


def due_reminders(now=None):
    """Confirmed registrations of published events starting within the next 24 hours."""
    now = now or timezone.now()
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        anonymised_at__isnull=True,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + dt.timedelta(hours=24),
    ).filter(Q(user__isnull=True) | Q(user__reminders_enabled=True))


@shared_task(name="events.tasks.send_due_reminders", **RETRY)
def send_due_reminders() -> int:
    """Run hourly by beat: the reminder the day before, once per registration."""
    now = timezone.now()
    ids = list(due_reminders(now).values_list("pk", flat=True))
    return sum(
        _send_stamped(pk, "reminder_sent_at", notifications.send_reminder, now) for pk in ids
    )


def due_feedback_requests(now=None):
    """Attendees (confirmed, not marked absent) of events that ended in the past week."""
    now = now or timezone.now()
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        feedback_requested_at__isnull=True,
        anonymised_at__isnull=True,
        event__status=EventStatus.PUBLISHED,
        event__ends_at__lte=now,
        event__ends_at__gt=now - FEEDBACK_WINDOW,
    ).exclude(attended=False)


@shared_task(name="events.tasks.send_due_feedback_requests", **RETRY)
def send_due_feedback_requests() -> int:
    """Run hourly by beat: one feedback request per attendee after the event."""
    now = timezone.now()
    ids = list(due_feedback_requests(now).values_list("pk", flat=True))
    return sum(
        _send_stamped(pk, "feedback_requested_at", notifications.send_feedback_request, now)
        for pk in ids
    )


@shared_task(**RETRY)
def store_calendar_entries(event_ids: list[int], language: str) -> int:
    """Store the feed entries a feed request had to write itself (events/feeds.py)."""
    from .feeds import store_entries

    stored = store_entries(event_ids, language)
    logger.info("Stored %s calendar entries in %s", stored, language)
    return stored


@shared_task(**RETRY)
def prune_calendar_entries() -> int:
    """Daily: drop the stored feed entries of events older than any feed shows."""
    from .feeds import prune_entries

    deleted = prune_entries()
    logger.info("Pruned %s calendar entries", deleted)
    return deleted
