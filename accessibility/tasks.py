"""Scheduled accessibility work: caption deadline alerts (daily, Celery beat)."""

from __future__ import annotations

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
