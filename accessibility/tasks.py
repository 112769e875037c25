"""Scheduled accessibility work: caption deadline alerts (daily, Celery beat), each alert
mail an outbox row."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from outbox.services import deliver, enqueue

from . import selectors, services


@shared_task(name="accessibility.tasks.send_deadline_alerts")
def send_deadline_alerts(today: str | None = None) -> int:
    """E-mail communications staff about caption deadlines within 3 days; returns how many
    recordings were alerted.

    Each recording is claimed for the day in the transaction that writes its alert mails to
    the outbox, one row per person keyed by recording, deadline, day and person; this run
    then delivers them itself (it is already in the background), and the outbox dispatcher
    retries any that failed. A second run the same day sends nothing.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    due = selectors.recordings_due_soon(today=day)
    if not due:
        return 0
    staff = list(selectors.communications_staff().values_list("pk", flat=True))
    alerted = 0
    for recording, status in due:
        with transaction.atomic():
            if not services.claim_deadline_alert(recording_id=recording.pk, today=day):
                continue
            messages = [
                enqueue(
                    task=send_deadline_alert,
                    args=[recording.pk, person_id, day.isoformat()],
                    key=f"caption-deadline:{recording.pk}:{status.deadline}:{day}:{person_id}",
                    hand_over_after_commit=False,
                )
                for person_id in staff
            ]
        for message in messages:
            deliver(message_id=message.pk)
        alerted += 1
    return alerted


@shared_task(name="accessibility.tasks.send_deadline_alert")
def send_deadline_alert(recording_id: int, person_id: int, day: str) -> bool:
    """One alert mail to one person (run by the outbox, once per row)."""
    return services.send_deadline_alert(
        recording_id=recording_id, person_id=person_id, day=dt.date.fromisoformat(day)
    )
