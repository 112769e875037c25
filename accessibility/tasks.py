"""Scheduled accessibility work: caption deadline alerts (daily, Celery beat), each alert
mail an outbox row (accessibility.services.send_deadline_alerts)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="accessibility.tasks.send_deadline_alerts",
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_deadline_alerts() -> str:
    """Idempotent: a recording is alerted at most once a day."""
    return f"alerted about {services.send_deadline_alerts()} recordings"


@shared_task(
    name="accessibility.tasks.send_deadline_alert",
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_deadline_alert(recording_id: int, person_id: int, day: str) -> bool:
    """One alert mail to one person (run by the outbox, once per row)."""
    return services.send_deadline_alert(
        recording_id=recording_id, person_id=person_id, day=dt.date.fromisoformat(day)
    )
