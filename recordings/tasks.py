"""Background reading of the video platform: on a new URL, daily, and on demand."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from kohtaamo.celery import TransientError
from youtube import hooks, sync

from . import selectors, services
from .models import Recording
from .signals import recording_added

logger = logging.getLogger(__name__)


@shared_task(name="recordings.tasks.sync_recording")
def sync_recording(recording_id: int) -> str:
    """Read one recording's metadata. Private/removed: stored, not retried. Network or
    platform trouble (5xx, rate limit): stored, and retried by the one retry policy."""
    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return "gone"
    outcome = _sync(recording)
    # Embedded mode (tasks run in the request): the error is stored and shown, no retry loop.
    if outcome.retry and not settings.CELERY_TASK_ALWAYS_EAGER:
        raise TransientError(outcome.message[:200])
    return "ok" if outcome.ok else f"error: {outcome.message[:200]}"


def _sync(recording: Recording) -> services.SyncOutcome:
    """A connected channel reads its own videos (private ones too: youtube.sync); otherwise,
    or for other platforms, yt-dlp reads the public page."""
    if hooks.channel_connected() and sync.channel_video_ids([recording]):
        return sync.sync_from_channel(recording=recording)
    return services.sync_from_platform(recording=recording)


@receiver(recording_added)
def sync_added_recording(*, recording_id: int, **_kwargs) -> None:
    """A new recording's metadata is read in the background once its row is committed."""
    transaction.on_commit(lambda: sync_recording.delay(recording_id))


@shared_task(name="recordings.tasks.refresh_all_recordings")
def refresh_all_recordings() -> str:
    """Daily: view counts and availability of every recording (one task per recording)."""
    ids = list(selectors.recordings_to_refresh().values_list("pk", flat=True))
    for recording_id in ids:
        sync_recording.delay(recording_id)
    return f"queued {len(ids)}"
