"""Reading the channel's videos into Kohtaamo (videos.list, captions.list).

The one place where what YouTube says about a video is written on the recording
(availability, duration, view count, the error shown when the video is gone) and on its
ChannelVideo. Used by the beat task youtube.read_videos (every video, 50 ids a call) and by
recordings.tasks.sync_recording when a channel is connected (private videos are readable
only this way; without a connection the yt-dlp path is used as before).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from recordings.models import Availability, ErrorKind, Recording
from recordings.platform import youtube_id
from recordings.services import SyncOutcome, recheck_tracks, sync_from_platform

from . import client
from .errors import MESSAGES, NOT_CONNECTED, NOT_FOUND, QUOTA_EXCEEDED, REVOKED, YouTubeError
from .models import ChannelVideo

logger = logging.getLogger(__name__)

FALL_BACK_KINDS = frozenset({NOT_CONNECTED, REVOKED, QUOTA_EXCEEDED})
PRIVACY_TO_AVAILABILITY = {
    "public": Availability.PUBLIC,
    "unlisted": Availability.UNLISTED,
    "private": Availability.PRIVATE,
}


def channel_video_ids(recordings: Iterable[Recording]) -> dict[int, str]:
    """{recording id: YouTube video id} for the recordings that are YouTube videos."""
    found = {}
    for recording in recordings:
        video_id = youtube_id(recording.url)
        if video_id:
            found[recording.pk] = video_id
    return found


def _store_video(recording_id: int, video_id: str, info: client.VideoInfo | None) -> None:
    now = timezone.now()
    if info is None:
        _store_gone(recording_id, video_id, now)
        return
    with transaction.atomic():
        recording = Recording.objects.select_for_update().filter(pk=recording_id).first()
        if recording is None:
            return
        duration_changed = (
            info.duration_seconds is not None
            and recording.duration_seconds != info.duration_seconds
        )
        values = {
            "video_id": video_id,
            "availability": PRIVACY_TO_AVAILABILITY.get(info.privacy_status, Availability.UNKNOWN),
            "last_synced_at": now,
            "last_error": "",
            "last_error_kind": ErrorKind.NONE,
        }
        if info.duration_seconds is not None:
            values["duration_seconds"] = info.duration_seconds
        if info.view_count is not None:
            values.update(view_count=info.view_count, views_read_at=now)
        Recording.objects.filter(pk=recording_id).update(**values)
        ChannelVideo.objects.update_or_create(
            recording_id=recording_id,
            defaults={
                "video_id": video_id,
                "privacy_status": info.privacy_status,
                "duration_seconds": info.duration_seconds,
                "view_count": info.view_count,
                "read_at": now,
                "gone_at": None,
            },
        )
        if duration_changed:
            recording.refresh_from_db()
            recheck_tracks(recording=recording)


def _store_gone(recording_id: int, video_id: str, now) -> None:
    """YouTube no longer returns the video (deleted): the recording is not available."""
    Recording.objects.filter(pk=recording_id).update(
        availability=Availability.UNAVAILABLE,
        last_synced_at=now,
        last_error=str(MESSAGES[NOT_FOUND]),
        last_error_kind=ErrorKind.NEEDS_PERSON,
    )
    ChannelVideo.objects.update_or_create(
        recording_id=recording_id,
        defaults={"video_id": video_id, "read_at": now, "gone_at": now, "privacy_status": ""},
    )
    logger.info("YouTube no longer has video %s (recording %s)", video_id, recording_id)


def store_privacy(recording_id: int, privacy: str) -> None:
    """After videos.update: the new privacy on the recording and its ChannelVideo."""
    Recording.objects.filter(pk=recording_id).update(
        availability=PRIVACY_TO_AVAILABILITY.get(privacy, Availability.UNKNOWN)
    )
    ChannelVideo.objects.filter(recording_id=recording_id).update(privacy_status=privacy)


def mark_gone(recording_id: int, video_id: str) -> None:
    _store_gone(recording_id, video_id, timezone.now())


def read_recordings(recordings: Iterable[Recording], *, service=None) -> int:
    """Read the videos of these recordings, 50 a call (1 unit each), storing each batch as it
    comes. Raises YouTubeError (quota, revoked ...) with the batches before it stored."""
    ids = channel_video_ids(recordings)
    if not ids:
        return 0
    service = service or client.youtube_service()
    pairs = list(ids.items())
    for start in range(0, len(pairs), client.BATCH_SIZE):
        chunk = pairs[start : start + client.BATCH_SIZE]
        answers = client.read_videos([video_id for _pk, video_id in chunk], service=service)
        for recording_id, video_id in chunk:
            _store_video(recording_id, video_id, answers.get(video_id))
    return len(pairs)


def read_all(*, service=None) -> int:
    """Every YouTube recording's video (the beat task)."""
    return read_recordings(Recording.objects.only("pk", "url").order_by("pk"), service=service)


def sync_from_channel(*, recording: Recording, service=None) -> SyncOutcome:
    """recordings.tasks.sync_recording's path when a channel is connected."""
    try:
        read_recordings([recording], service=service)
    except YouTubeError as error:
        logger.warning("reading video of recording %s failed: %r", recording.pk, error)
        if error.kind in FALL_BACK_KINDS:
            # The channel cannot answer today: the public page still can (not private ones).
            return sync_from_platform(recording=recording)
        return SyncOutcome(ok=False, retry=error.transient, message=str(error.message))
    recording.refresh_from_db()
    if recording.availability == Availability.UNAVAILABLE:
        return SyncOutcome(ok=False, retry=False, message=recording.last_error)
    return SyncOutcome(ok=True)


def read_caption_kinds(*, recording: Recording, service=None) -> dict[str, str]:
    """Which tracks YouTube has per language (captions.list, 50 units): "standard" when a
    person's (non-draft) track exists, else "asr" (automatic speech recognition)."""
    video_id = youtube_id(recording.url)
    if not video_id:
        return {}
    try:
        tracks = client.caption_tracks(video_id, service=service)
    except YouTubeError as error:
        if error.kind == NOT_FOUND:
            mark_gone(recording.pk, video_id)
        raise
    kinds: dict[str, str] = {}
    for track in tracks:
        if track.kind == "asr":
            kinds.setdefault(track.language, "asr")
        elif not track.is_draft:
            kinds[track.language] = "standard"
    ChannelVideo.objects.update_or_create(
        recording_id=recording.pk,
        defaults={"video_id": video_id, "caption_kinds": kinds, "captions_read_at": timezone.now()},
    )
    return kinds
