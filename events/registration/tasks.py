"""Celery tasks of registration: the mails to participants (confirmed, waitlisted, promoted,
cancelled, event changed or cancelled), reminders and feedback requests.

Each task takes ids, loads the row and sends one mail; a change that concerns many people
fans out into one outbox row per person. Names stay "events.tasks.*" (pinned: queued
messages and the beat schedule use them)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from outbox.services import enqueue, run_once, running_key

from ..models import Registration, RegistrationStatus
from . import notifications, selectors

logger = logging.getLogger(__name__)


def _load(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("event__theme", "user")
        .filter(pk=registration_id, anonymised_at__isnull=True)
        .first()
    )


def notice_key(kind: str, object_id: int, key: str = "") -> str:
    """The outbox key of one e-mail: "<kind>:<registration id>:<key>" (as RegistrationNotice
    was: kind, registration, key; migrated by outbox/migrations/0002)."""
    return f"{kind}:{object_id}:{key}"


def _registration_mail(task, args: list, status, send) -> bool:
    """Send if the registration still exists and is still in `status` (else nothing to say).

    Run by the outbox row of its key; a direct call (a message queued by an older release,
    an operator) goes through that same row, so it too sends at most once."""
    registration_id, key = args[0], args[1]
    outbox_key = notice_key(NOTICE_KINDS[task.name], registration_id, key)
    if running_key() != outbox_key:
        return bool(run_once(task=task, args=args, key=outbox_key))
    registration = _load(registration_id)
    if registration is None or registration.status != status:
        return False
    send(registration)
    return True


@shared_task(name="events.tasks.send_registration_confirmed")
def send_registration_confirmed(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        send_registration_confirmed,
        [registration_id, key],
        RegistrationStatus.CONFIRMED,
        notifications.send_confirmed,
    )


@shared_task(name="events.tasks.send_waitlisted")
def send_waitlisted(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        send_waitlisted,
        [registration_id, key],
        RegistrationStatus.WAITLISTED,
        notifications.send_waitlisted,
    )


@shared_task(name="events.tasks.send_promoted")
def send_promoted(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        send_promoted,
        [registration_id, key],
        RegistrationStatus.CONFIRMED,
        notifications.send_promoted,
    )


@shared_task(name="events.tasks.send_guest_confirmation_link")
def send_guest_confirmation_link(registration_id: int, key: str = "") -> bool:
    return _registration_mail(
        send_guest_confirmation_link,
        [registration_id, key],
        RegistrationStatus.PENDING,
        notifications.send_guest_confirmation_link,
    )


@shared_task(name="events.tasks.send_registration_cancelled")
def send_registration_cancelled(
    registration_id: int, key: str = "", was_confirmed: bool = True
) -> bool:
    return _registration_mail(
        send_registration_cancelled,
        [registration_id, key, was_confirmed],
        RegistrationStatus.CANCELLED,
        lambda r: notifications.send_registration_cancelled(r, was_confirmed=was_confirmed),
    )


# The outbox key kind of each registration e-mail (the first two args: registration, key).
NOTICE_KINDS = {
    send_registration_confirmed.name: "confirmed",
    send_waitlisted.name: "waitlisted",
    send_promoted.name: "promoted",
    send_guest_confirmation_link.name: "guest_confirm",
    send_registration_cancelled.name: "registration_cancelled",
}


def queue(task, *args) -> None:
    """Write this e-mail to the outbox in the current transaction; it goes out after commit.

    `task` is one of the tasks here. A registration e-mail is keyed by kind, registration
    and key (args[0], args[1]); an event-wide one by the event and its key.
    """
    if task.name in NOTICE_KINDS:
        key = notice_key(NOTICE_KINDS[task.name], args[0], args[1] if len(args) > 1 else "")
    else:
        key = notice_key(EVENT_WIDE_KINDS[task.name], args[0], str(args[-1]))
    enqueue(task=task, args=args, key=key)


def _fan_out(task, kind: str, key: str, registrations, *extra) -> int:
    """One outbox row per registration, in one transaction (a repeated key adds nothing).

    Returns how many registrations the e-mail is for."""
    ids = list(registrations.values_list("pk", flat=True))
    with transaction.atomic():
        for registration_id in ids:
            enqueue(
                task=task,
                args=[registration_id, *extra],
                key=notice_key(kind, registration_id, key),
            )
    return len(ids)


@shared_task(name="events.tasks.send_event_changed_to")
def send_event_changed_to(registration_id: int, fields: list[str]) -> bool:
    registration = _load(registration_id)
    if registration is None or registration.status not in (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ):
        return False
    notifications.send_event_changed(registration, fields=fields)
    return True


@shared_task(name="events.tasks.send_event_changed")
def send_event_changed(event_id: int, fields: list[str], key: str) -> int:
    """Tell every confirmed and waitlisted person that time or place changed (fans out)."""
    registrations = selectors.told_of_change(event_id=event_id)
    return _fan_out(send_event_changed_to, "event_changed", key, registrations, fields)


@shared_task(name="events.tasks.send_event_cancelled_to")
def send_event_cancelled_to(registration_id: int) -> bool:
    registration = _load(registration_id)
    if registration is None:
        return False
    notifications.send_event_cancelled(
        registration, with_ics=registration.status != RegistrationStatus.PENDING
    )
    return True


@shared_task(name="events.tasks.send_event_cancelled")
def send_event_cancelled(event_id: int, key: str = "") -> int:
    """Tell everyone registered (also those whose registration the cancellation ended)."""
    registrations = selectors.told_of_cancellation(event_id=event_id)
    return _fan_out(send_event_cancelled_to, "event_cancelled", "", registrations)


# The event-wide e-mails, keyed by event and the last argument (sequence, cancellation).
EVENT_WIDE_KINDS = {
    send_event_changed.name: "event_changed_event",
    send_event_cancelled.name: "event_cancelled_event",
}


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


@shared_task(name="events.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Run hourly by beat: the reminder the day before, once per registration."""
    now = timezone.now()
    ids = list(selectors.due_reminders(now).values_list("pk", flat=True))
    return sum(
        _send_stamped(pk, "reminder_sent_at", notifications.send_reminder, now) for pk in ids
    )


@shared_task(name="events.tasks.send_due_feedback_requests")
def send_due_feedback_requests() -> int:
    """Run hourly by beat: one feedback request per attendee after the event."""
    now = timezone.now()
    ids = list(selectors.due_feedback_requests(now).values_list("pk", flat=True))
    return sum(
        _send_stamped(pk, "feedback_requested_at", notifications.send_feedback_request, now)
        for pk in ids
    )
