"""Background reading of the video platform: on a new URL, daily, and on demand."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from . import selectors, services
from .models import Recording

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="recordings.tasks.sync_recording", max_retries=5)
def sync_recording(self, recording_id: int) -> str:
    """Read one recording's metadata. Private/removed: stored, not retried. Network or
    platform trouble (5xx, rate limit): stored and retried with exponential backoff."""
    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return "gone"
    outcome = services.sync_from_platform(recording=recording)
    # Embedded mode (tasks run in the request): the error is stored and shown, no retry loop.
    in_process = settings.CELERY_TASK_ALWAYS_EAGER
    if outcome.retry and not in_process and self.request.retries < self.max_retries:
        countdown = min(3600, 60 * 2**self.request.retries)
        raise self.retry(countdown=countdown)
    return "ok" if outcome.ok else f"error: {outcome.message[:200]}"


@shared_task(name="recordings.tasks.refresh_all_recordings")
def refresh_all_recordings() -> str:
    """Daily: view counts and availability of every recording (one task per recording)."""
    ids = list(selectors.recordings_to_refresh().values_list("pk", flat=True))
    for recording_id in ids:
        sync_recording.delay(recording_id)
    return f"queued {len(ids)}"
