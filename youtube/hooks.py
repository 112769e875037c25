"""What recordings and accessibility tell the channel, recorded in their own transaction.

The caption approval (recordings.services.approve_track) and the publication gate
(accessibility.services.publish / unpublish) call these functions inside their transaction.
Each writes an outbox row naming a youtube task, so the work on YouTube happens after the
change commits, survives a broker outage, and never happens for a change that was rolled
back. Without a connected channel nothing is written and nothing calls Google.

This module imports neither recordings nor accessibility: they import it, and the youtube
tasks (youtube/tasks.py) import them.
"""

from __future__ import annotations

from outbox.services import enqueue

from .config import youtube_configured
from .models import ChannelConnection, ChannelVideo

UPLOAD_CAPTION_TASK = "youtube.upload_caption"
SET_PRIVACY_TASK = "youtube.set_privacy"


def channel_connected() -> bool:
    """A client id is configured and an administrator's connection is active."""
    if not youtube_configured():
        return False
    connection = ChannelConnection.current()
    return connection is not None and connection.is_active


def video_on_channel(*, recording_id: int) -> bool:
    """The channel is connected and this recording is one of its videos, still there: then
    publishing may make a private or unlisted video public (the gate decides)."""
    if not channel_connected():
        return False
    return ChannelVideo.objects.filter(recording_id=recording_id, gone_at__isnull=True).exists()


def caption_approved(*, track_id: int, version_id: int) -> bool:
    """Upload the approved version of a track to its video (once per version)."""
    if not channel_connected():
        return False
    enqueue(
        task=UPLOAD_CAPTION_TASK,
        args=[track_id, version_id],
        key=f"youtube.upload_caption:{version_id}",
    )
    return True


def publication_changed(*, recording_id: int, public: bool, change_id: str) -> bool:
    """Make the video public (published) or take it back to its earlier privacy.

    ``change_id`` makes the key unique per publication decision (e.g. the audit row's id or
    the published_at timestamp), so publishing, unpublishing and publishing again each act.
    """
    if not channel_connected():
        return False
    enqueue(
        task=SET_PRIVACY_TASK,
        args=[recording_id, public],
        key=f"youtube.set_privacy:{recording_id}:{change_id}"[:200],
    )
    return True
