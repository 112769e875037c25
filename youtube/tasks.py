"""The work on YouTube (Celery tasks, names pinned: outbox rows and the beat schedule hold them).

upload_caption and set_privacy are outbox rows written by youtube.hooks in the transaction of
the decision (a caption approval, a publication); read_videos runs from beat. They are the
only callers of the client's write calls (tests/youtube/test_gate.py checks it).

When the call cannot be made now the work waits instead of failing:
- the day's quota cannot pay for it (our ledger, or Google's 403 quotaExceeded): until the
  next Pacific midnight plus a few minutes;
- the token was revoked or has expired, or the channel is disconnected: an hour at a time,
  until an administrator connects the channel again.
Waiting is outbox.services.RetryLater: the row goes back to pending without using an attempt.
A YouTube outage (5xx, 429) is an ordinary failure, retried with the outbox's backoff.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone
from django.utils.translation import get_language_info

from accounts.audit import record_audit
from outbox.services import RetryLater
from recordings.models import CaptionTrack, PublicationState, Recording, TrackStatus
from recordings.platform import youtube_id

from . import client, sync
from .errors import (
    FORBIDDEN,
    NOT_CONNECTED,
    NOT_FOUND,
    QUOTA_EXCEEDED,
    REVOKED,
    YouTubeError,
)
from .hooks import SET_PRIVACY_TASK, UPLOAD_CAPTION_TASK, channel_connected
from .models import ChannelVideo, UploadedCaption
from .quota import PACIFIC, pacific_day

logger = logging.getLogger(__name__)

READ_VIDEOS_TASK = "youtube.read_videos"
AFTER_MIDNIGHT = dt.timedelta(minutes=5)
RECONNECT_WAIT = dt.timedelta(hours=1)
DEFAULT_PRIVACY = "unlisted"


def next_quota_day(now: dt.datetime | None = None) -> dt.datetime:
    """A few minutes past the next midnight Pacific time, when Google's quota starts again."""
    tomorrow = pacific_day(now) + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(), tzinfo=PACIFIC) + AFTER_MIDNIGHT


def _wait_or_raise(error: YouTubeError) -> None:
    """Quota and connection trouble: wait (RetryLater). Anything else: raise it again."""
    if error.kind == QUOTA_EXCEEDED:
        raise RetryLater(next_quota_day(), f"quota: {error.detail}") from error
    if error.kind in (REVOKED, NOT_CONNECTED):
        raise RetryLater(timezone.now() + RECONNECT_WAIT, "reconnect the channel") from error
    raise error


# --- captions ---------------------------------------------------------------------------


def _track_name(language: str) -> str:
    try:
        return get_language_info(language)["name_local"].capitalize()
    except KeyError:
        return language


def _still_approved(track: CaptionTrack | None, version_id: int) -> bool:
    return (
        track is not None
        and track.status == TrackStatus.APPROVED
        and track.approved_version_id == version_id
    )


@shared_task(name=UPLOAD_CAPTION_TASK, ignore_result=True)
def upload_caption(track_id: int, version_id: int) -> str:
    """Put the approved version of a track on its video: captions.update (450 units) when
    Kohtaamo already uploaded this language, else captions.insert (400 units)."""
    track = (
        CaptionTrack.objects.select_related("recording", "approved_version")
        .filter(pk=track_id)
        .first()
    )
    if not _still_approved(track, version_id):
        logger.info(
            "caption upload of track %s v%s skipped: not approved now", track_id, version_id
        )
        return "skipped"
    recording, version = track.recording, track.approved_version
    video_id = youtube_id(recording.url)
    if not video_id:
        return "not a YouTube video"
    uploaded = UploadedCaption.objects.filter(recording=recording, language=track.language).first()
    if uploaded is not None and uploaded.version_id == version_id:
        return "already uploaded"
    try:
        caption_id, operation = _send_caption(uploaded, video_id, track.language, version.vtt)
    except YouTubeError as error:
        if error.kind == NOT_FOUND:
            sync.mark_gone(recording.pk, video_id)
            return "gone"
        if error.kind == FORBIDDEN:
            return _refused(recording, error, "captions")
        _wait_or_raise(error)
    UploadedCaption.objects.update_or_create(
        recording=recording,
        language=track.language,
        defaults={
            "caption_id": caption_id,
            "track": track,
            "version": version,
            "version_number": version.number,
            "uploaded_at": timezone.now(),
        },
    )
    _note_standard_track(recording, video_id, track.language)
    record_audit(
        actor=None,
        action="youtube.caption_uploaded",
        obj=recording,
        language=track.language,
        version=version.number,
        operation=operation,
    )
    return operation


def _send_caption(uploaded, video_id: str, language: str, vtt: str) -> tuple[str, str]:
    service = client.youtube_service()
    if uploaded is not None:
        try:
            return client.update_caption(uploaded.caption_id, vtt, service=service), "update"
        except YouTubeError as error:
            if error.kind != NOT_FOUND or error.reason != "captionNotFound":
                raise
            # someone deleted our track on YouTube: add it again
    name = _track_name(language)
    return client.insert_caption(video_id, language, name, vtt, service=service), "insert"


def _note_standard_track(recording: Recording, video_id: str, language: str) -> None:
    """The video now has a person's track in this language (known without captions.list)."""
    video, _created = ChannelVideo.objects.get_or_create(
        recording=recording, defaults={"video_id": video_id}
    )
    video.caption_kinds = {**(video.caption_kinds or {}), language: "standard"}
    video.save(update_fields=["caption_kinds"])


def _refused(recording: Recording, error: YouTubeError, what: str) -> str:
    logger.warning("YouTube refused %s for recording %s: %r", what, recording.pk, error)
    record_audit(
        actor=None, action="youtube.refused", obj=recording, what=what, reason=error.reason
    )
    return "refused"


# --- privacy ----------------------------------------------------------------------------


def _target_privacy(public: bool, video: ChannelVideo | None) -> str:
    if public:
        return "public"
    before = video.privacy_before_publication if video else ""
    # Never back to public: public on YouTube only while published through the gate.
    return before if before in ("unlisted", "private") else DEFAULT_PRIVACY


@shared_task(name=SET_PRIVACY_TASK, ignore_result=True)
def set_privacy(recording_id: int, public: bool) -> str:
    """Make the video public (the recording is published) or take it back to its privacy
    before publication. Checked again here: public only while the recording is PUBLISHED
    in Kohtaamo, which only accessibility.services.publish can make it."""
    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return "gone"
    published = recording.publication_state == PublicationState.PUBLISHED
    if published != bool(public):
        logger.info("privacy change of recording %s skipped: decision changed", recording_id)
        return "skipped"
    video_id = youtube_id(recording.url)
    if not video_id:
        return "not a YouTube video"
    try:
        return _change_privacy(recording, video_id, public=bool(public))
    except YouTubeError as error:
        if error.kind == NOT_FOUND:
            sync.mark_gone(recording.pk, video_id)
            return "gone"
        if error.kind == FORBIDDEN:
            return _refused(recording, error, "privacy")
        _wait_or_raise(error)
    return "unreachable"


def _change_privacy(recording: Recording, video_id: str, *, public: bool) -> str:
    service = client.youtube_service()
    current = client.video_status(video_id, service=service)
    now_privacy = current.status.get("privacyStatus", "")
    video, _created = ChannelVideo.objects.get_or_create(
        recording=recording, defaults={"video_id": video_id}
    )
    if public and now_privacy != "public":
        video.privacy_before_publication = now_privacy
        video.save(update_fields=["privacy_before_publication"])
    target = _target_privacy(public, video)
    if now_privacy == target:
        sync.store_privacy(recording.pk, target)
        return "unchanged"
    client.set_privacy(video_id, target, current=current, service=service)
    sync.store_privacy(recording.pk, target)
    record_audit(
        actor=None,
        action="youtube.privacy_changed",
        obj=recording,
        before=now_privacy,
        after=target,
    )
    return target


# --- reads ------------------------------------------------------------------------------


@shared_task(name=READ_VIDEOS_TASK, ignore_result=True)
def read_videos() -> str:
    """Beat: every YouTube recording's privacy, duration and views (50 ids a call, 1 unit).
    Quota or connection trouble ends this run; the next one reads again."""
    if not channel_connected():
        return "not connected"
    try:
        count = sync.read_all()
    except YouTubeError as error:
        logger.warning("reading the channel's videos stopped: %r", error)
        return f"stopped: {error.kind}"
    return f"read {count}"
