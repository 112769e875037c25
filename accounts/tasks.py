"""Scheduled work of the accounts app (see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="accounts.tasks.apply_retention",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def apply_retention() -> dict[str, object]:
    """Nightly: anonymise personal data past the retention time and remove old access
    log lines. Safe to run twice."""
    result = services.apply_retention()
    return {
        "cutoff": result.cutoff.isoformat(),
        "registrations": result.registrations,
        "access_entries": result.access_entries,
    }
