"""Reads of the channel connection for pages: what is left of today's quota, pending work."""

from __future__ import annotations

from dataclasses import dataclass, field

from outbox.models import OutboxMessage, OutboxStatus

from . import quota
from .config import youtube_configured, youtube_settings
from .hooks import SET_PRIVACY_TASK, UPLOAD_CAPTION_TASK
from .models import ChannelConnection, ChannelVideo, UploadedCaption

WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True)
class ChannelSummary:
    connected: bool
    needs_reconnection: bool
    quota_left: int
    daily_quota: int
    pending_work: int


def pending_youtube_work():
    return OutboxMessage.objects.filter(task__startswith="youtube.", status__in=WAITING)


def channel_summary() -> ChannelSummary | None:
    """None without YOUTUBE_CLIENT_ID (no query); else 3 queries."""
    if not youtube_configured():
        return None
    connection = ChannelConnection.current()
    return ChannelSummary(
        connected=connection is not None and connection.is_active,
        needs_reconnection=connection is not None and connection.revoked_at is not None,
        quota_left=quota.remaining(),
        daily_quota=youtube_settings().daily_quota,
        pending_work=pending_youtube_work().count(),
    )


@dataclass
class RecordingOnChannel:
    """The recording page's YouTube block."""

    summary: ChannelSummary
    video: ChannelVideo | None
    uploaded: list[UploadedCaption] = field(default_factory=list)
    pending_work: int = 0


def recording_on_channel(recording) -> RecordingOnChannel | None:
    """None without a configured connection (no query)."""
    summary = channel_summary()
    if summary is None:
        return None
    track_ids = list(recording.tracks.values_list("pk", flat=True))
    pending = pending_youtube_work()
    pending = (
        pending.filter(task=SET_PRIVACY_TASK, args__0=recording.pk).count()
        + pending.filter(task=UPLOAD_CAPTION_TASK, args__0__in=track_ids).count()
        if track_ids
        else pending.filter(task=SET_PRIVACY_TASK, args__0=recording.pk).count()
    )
    return RecordingOnChannel(
        summary=summary,
        video=ChannelVideo.objects.filter(recording=recording).first(),
        uploaded=list(UploadedCaption.objects.filter(recording=recording).order_by("language")),
        pending_work=pending,
    )
