"""Recording operations: add, read the platform, caption tracks, reviews and caption orders."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accessibility import checks
from accessibility.models import CaptionPolicy
from accounts.audit import record_audit
from kohtaamo.errors import DomainError
from kohtaamo.uploads import check_upload
from youtube import hooks as youtube_hooks

from . import platform
from .models import (
    VERSION_KIND_OF_SOURCE,
    CaptionOrder,
    CaptionTrack,
    CaptionTrackVersion,
    ErrorKind,
    Recording,
    TrackKind,
    TrackSource,
    TrackStatus,
    VersionKind,
)
from .signals import recording_added

# What we keep of the platform's metadata (the full info dict holds hundreds of URLs).
KEPT_INFO_KEYS = (
    "id",
    "title",
    "duration",
    "availability",
    "live_status",
    "upload_date",
    "view_count",
    "webpage_url",
    "extractor_key",
    "channel",
    "language",
)


class RecordingError(DomainError):
    """A domain error of recordings, with a message for the user."""


class CaptionFileRejectedError(RecordingError):
    """The caption file could not be read: nothing was stored."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(str(m) for m in messages))
        self.messages = messages


@dataclass
class SyncOutcome:
    ok: bool
    retry: bool = False
    message: str = ""


# --- recordings -------------------------------------------------------------------------------


@transaction.atomic
def add_recording(*, url: str, event=None, is_live_recording: bool = True, by=None) -> Recording:
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise RecordingError(_("Give the full address of the video, starting with https://."))
    recording = Recording.objects.create(
        url=url,
        event=event,
        is_live_recording=is_live_recording,
        video_id=platform.youtube_id(url),
        title=event.display_title if event is not None else "",
        recorded_on=timezone.localdate(event.starts_at) if event is not None else None,
    )
    record_audit(actor=by, action="recording.added", obj=recording, url=url)
    recording_added.send(sender=Recording, recording_id=recording.pk)
    return recording


def sync_from_platform(*, recording: Recording) -> SyncOutcome:
    """Read the platform's metadata for one recording and store it (or the error)."""
    try:
        info = platform.extract_info(recording.url)
    except platform.PlatformError as exc:
        _store_error(recording, exc)
        return SyncOutcome(ok=False, retry=not exc.needs_person, message=exc.message)
    facts = platform.facts_from_info(info)
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        duration_changed = locked.duration_seconds != facts.duration_seconds
        _apply_facts(locked, facts, info)
        _record_automatic_tracks(locked, facts.automatic_languages)
        if duration_changed:
            recheck_tracks(recording=locked)
    fetch_errors = _fetch_missing_human_tracks(locked, facts.human_tracks)
    recording.refresh_from_db()
    if fetch_errors:
        return SyncOutcome(ok=False, retry=False, message=" ".join(fetch_errors))
    return SyncOutcome(ok=True)


def _apply_facts(recording: Recording, facts: platform.PlatformFacts, info: dict) -> None:
    now = timezone.now()
    recording.video_id = facts.video_id or recording.video_id
    recording.platform = facts.platform
    recording.title = recording.title or facts.title
    recording.duration_seconds = facts.duration_seconds
    recording.availability = facts.availability
    recording.uploaded_on = facts.uploaded_on or recording.uploaded_on
    if facts.is_live_recording is not None:
        recording.is_live_recording = facts.is_live_recording
    if facts.view_count is not None:
        recording.view_count = facts.view_count
        recording.views_read_at = now
    recording.last_synced_at = now
    recording.last_error = ""
    recording.last_error_kind = ErrorKind.NONE
    recording.platform_info = {
        **{key: info.get(key) for key in KEPT_INFO_KEYS},
        "human_languages": sorted(facts.human_tracks),
        "automatic_languages": facts.automatic_languages,
    }
    recording.save()


def _record_automatic_tracks(recording: Recording, languages: list[str]) -> None:
    CaptionTrack.objects.filter(recording=recording, kind=TrackKind.AUTOMATIC).exclude(
        language__in=languages
    ).delete()
    for language in languages:
        CaptionTrack.objects.get_or_create(
            recording=recording,
            language=language,
            kind=TrackKind.AUTOMATIC,
            defaults={"source": TrackSource.PLATFORM, "status": TrackStatus.RECEIVED},
        )


def _fetch_missing_human_tracks(recording: Recording, tracks: dict[str, str]) -> list[str]:
    have = set(recording.tracks.filter(kind=TrackKind.HUMAN).values_list("language", flat=True))
    errors = []
    for language, url in tracks.items():
        if language in have:
            continue
        try:
            fetch_platform_track(recording=recording, language=language, url=url)
        except (platform.PlatformError, RecordingError) as exc:
            errors.append(str(exc))
    return errors


def _store_error(recording: Recording, exc: platform.PlatformError) -> None:
    kind = ErrorKind.NEEDS_PERSON if exc.needs_person else ErrorKind.TEMPORARY
    Recording.objects.filter(pk=recording.pk).update(
        last_error=exc.message[:2000], last_error_kind=kind, last_synced_at=timezone.now()
    )
    recording.last_error, recording.last_error_kind = exc.message[:2000], kind


# --- caption tracks ---------------------------------------------------------------------------


def read_caption_file(content, *, file_name: str = "") -> str:
    """Uploaded bytes (or file) → WebVTT text. SRT is converted. Raises CaptionFileRejectedError.

    Size (UPLOAD_LIMITS["captions"]) and kind by content (WebVTT or SRT, never by the
    name) come from `kohtaamo.uploads.check_upload`, as for every upload."""
    try:
        checked = check_upload(content, kind="captions", name=file_name)
    except ValidationError as exc:
        raise CaptionFileRejectedError(exc.messages) from exc
    content = checked.data
    if checked.kind == "srt":
        try:
            return checks.srt_to_vtt(content)
        except ValueError as exc:
            raise CaptionFileRejectedError([str(exc)]) from exc
    text, findings = checks.decode(content)
    if text is None:
        raise CaptionFileRejectedError([f.message for f in findings])
    return text


@transaction.atomic
def store_track(
    *,
    recording: Recording,
    language: str,
    content: bytes,
    file_name: str = "",
    source: str = TrackSource.UPLOADED,
    by=None,
    order: CaptionOrder | None = None,
) -> CaptionTrack:
    """Check a caption file and store it as the human track of a language.

    A file that cannot be read (not UTF-8, no header, lost cues) is refused with messages that
    name the lines, and nothing is stored. Quality findings are stored with the track.
    """
    language = (language or "").strip().lower()
    if not language or len(language) > 15:
        raise RecordingError(_("Choose the language of the captions."))
    text = read_caption_file(content, file_name=file_name)
    result = checks.check_vtt(
        text, duration_seconds=recording.duration_seconds, policy=CaptionPolicy.load()
    )
    if not result.readable:
        raise CaptionFileRejectedError(result.structural_messages())
    Recording.objects.select_for_update().filter(pk=recording.pk).first()
    # update_or_create locks the track row: the new version's number cannot be taken twice.
    track, _created = CaptionTrack.objects.update_or_create(
        recording=recording,
        language=language,
        kind=TrackKind.HUMAN,
        defaults={
            "source": source,
            "status": TrackStatus.RECEIVED,
            "vtt": text,
            "file_name": file_name[:255],
            "uploaded_by": by if getattr(by, "is_authenticated", False) else None,
            "reviewed_by": None,
            "reviewed_at": None,
            "order": order,
        },
    )
    _save_result(track, result)
    kind = VERSION_KIND_OF_SOURCE.get(source, VersionKind.UPLOADED)
    version = _add_version(track, kind=kind, by=by, note=file_name, result=result)
    record_audit(
        actor=by,
        action="captions.stored",
        obj=recording,
        language=language,
        source=source,
        errors=result.error_count,
        warnings=result.warning_count,
        version=version.number,
    )
    return track


def _add_version(
    track: CaptionTrack, *, kind: str, by, note: str, result: checks.CheckResult
) -> CaptionTrackVersion:
    """Store the track's text as its next version (the caller holds the track's row lock)."""
    version = CaptionTrackVersion.objects.create(
        track=track,
        number=track.version_count + 1,
        kind=kind,
        note=(note or "")[:300],
        vtt=track.vtt,
        made_by=by if getattr(by, "is_authenticated", False) else None,
        error_count=result.error_count,
        warning_count=result.warning_count,
    )
    track.current_version, track.version_count = version, version.number
    track.save(update_fields=["current_version", "version_count"])
    return version


def _save_result(track: CaptionTrack, result: checks.CheckResult) -> None:
    track.findings = [f.as_dict() for f in result.findings]
    track.error_count = result.error_count
    track.warning_count = result.warning_count
    track.coverage = result.coverage
    track.checked_at = timezone.now()
    track.save(update_fields=["findings", "error_count", "warning_count", "coverage", "checked_at"])


def recheck_tracks(*, recording: Recording, policy: CaptionPolicy | None = None) -> int:
    """Run the checks again (duration or policy changed). Returns the number of tracks."""
    policy = policy or CaptionPolicy.load()
    count = 0
    for track in recording.tracks.filter(kind=TrackKind.HUMAN):
        result = checks.check_vtt(
            track.vtt, duration_seconds=recording.duration_seconds, policy=policy
        )
        _save_result(track, result)
        count += 1
    return count


def fetch_platform_track(
    *, recording: Recording, language: str, url: str | None = None, by=None
) -> CaptionTrack:
    """Download the human-made track of a language from the platform and check it."""
    if url is None:
        info = platform.extract_info(recording.url)
        url = platform.human_tracks(info).get(language)
        if not url:
            raise RecordingError(
                _("The platform has no captions made by a person in language %(lang)s.")
                % {"lang": language}
            )
    content = platform.fetch_track(url)
    return store_track(
        recording=recording,
        language=language,
        content=content,
        file_name=f"{recording.video_id or 'platform'}.{language}.vtt",
        source=TrackSource.PLATFORM,
        by=by,
    )


@transaction.atomic
def start_review(*, track: CaptionTrack, by) -> CaptionTrack:
    track = CaptionTrack.objects.select_for_update().get(pk=track.pk)
    if track.kind != TrackKind.HUMAN:
        raise RecordingError(_("Automatic captions cannot be reviewed; they never count."))
    track.status = TrackStatus.IN_REVIEW
    track.reviewed_by, track.reviewed_at = None, None
    track.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    record_audit(actor=by, action="captions.review_started", obj=track.recording)
    return track


@transaction.atomic
def approve_track(*, track: CaptionTrack, by, expected_version: int | None = None) -> CaptionTrack:
    """A person has watched the video with these captions and accepts them.

    The current version is the one approved (and uploaded to YouTube when a channel is
    connected). `expected_version` is the number the person saw: a different current number
    means the captions changed meanwhile, and nothing is approved."""
    track = _locked_track(track)
    if track.kind != TrackKind.HUMAN:
        raise RecordingError(_("Automatic captions cannot be approved; they never count."))
    _check_expected(track, expected_version)
    if track.checked_at is None or track.error_count:
        raise RecordingError(_("Captions with errors cannot be approved. Fix the file first."))
    if track.current_version_id is None:
        raise RecordingError(_("These captions have no stored version to approve."))
    track.status = TrackStatus.APPROVED
    track.reviewed_by, track.reviewed_at = by, timezone.now()
    track.approved_version_id = track.current_version_id
    track.save(update_fields=["status", "reviewed_by", "reviewed_at", "approved_version"])
    record_audit(
        actor=by,
        action="captions.approved",
        obj=track.recording,
        language=track.language,
        version=track.version_count,
    )
    youtube_hooks.caption_approved(track_id=track.pk, version_id=track.current_version_id)
    return track


def _locked_track(track: CaptionTrack) -> CaptionTrack:
    """The track's row, locked until the transaction ends (without loading old versions)."""
    return CaptionTrack.objects.select_for_update().select_related("recording").get(pk=track.pk)


def _check_expected(track: CaptionTrack, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != track.version_count:
        raise RecordingError(
            _(
                "The captions changed since you opened the page (now version %(current)s, "
                "you saw version %(seen)s). Open the page again and check the newest version."
            )
            % {"current": track.version_count, "seen": expected_version}
        )


def _store_new_text(
    track: CaptionTrack, *, text: str, kind: str, by, note: str
) -> CaptionTrackVersion:
    """New text for a locked track: re-checked, a new version, and no longer approved."""
    result = checks.check_vtt(
        text, duration_seconds=track.recording.duration_seconds, policy=CaptionPolicy.load()
    )
    if not result.readable:
        raise CaptionFileRejectedError(result.structural_messages())
    track.vtt = text
    track.status = TrackStatus.RECEIVED
    track.reviewed_by, track.reviewed_at = None, None
    track.save(update_fields=["vtt", "status", "reviewed_by", "reviewed_at", "updated_at"])
    _save_result(track, result)
    return _add_version(track, kind=kind, by=by, note=note, result=result)


@transaction.atomic
def edit_cue(
    *,
    track: CaptionTrack,
    cue_index: int,
    text: str,
    start_ms: int,
    end_ms: int,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> CaptionTrack:
    """Rewrite one cue (0-based, as `checks.parse_vtt` counts) and check the whole track again.

    Stores an EDITED version; the track is no longer approved (the approved version stays
    recorded as history). Refuses empty text, an end at or before the start, a cue that does
    not exist, a result that would not parse, and a stale `expected_version`."""
    track = _locked_track(track)
    if track.kind != TrackKind.HUMAN:
        raise RecordingError(_("Automatic captions cannot be edited here."))
    _check_expected(track, expected_version)
    lines = [line.rstrip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise RecordingError(_("Write the text of the cue."))
    if start_ms < 0 or end_ms <= start_ms:
        raise RecordingError(_("The cue must end after it starts."))
    if any("-->" in line for line in lines):
        raise RecordingError(_('The text of a cue cannot contain "-->".'))
    try:
        new_text = checks.replace_cue(track.vtt, cue_index, start_ms, end_ms, lines)
    except ValueError as exc:
        raise RecordingError(
            _("There is no cue number %(number)s in these captions.") % {"number": cue_index + 1}
        ) from exc
    # A cue that would not parse back (a lost line) makes the text unreadable: refused below.
    try:
        version = _store_new_text(track, text=new_text, kind=VersionKind.EDITED, by=by, note=note)
    except CaptionFileRejectedError as exc:
        raise RecordingError(
            _("The edited cue could not be read back; nothing was saved.")
        ) from exc
    record_audit(
        actor=by,
        action="captions.cue_edited",
        obj=track.recording,
        language=track.language,
        cue=cue_index + 1,
        version=version.number,
        errors=track.error_count,
        warnings=track.warning_count,
    )
    return track


@transaction.atomic
def restore_version(
    *, track: CaptionTrack, version: CaptionTrackVersion, by, note: str = ""
) -> CaptionTrack:
    """Make an earlier version's text current again, as a new RESTORED version."""
    track = _locked_track(track)
    if version.track_id != track.pk:
        raise RecordingError(_("That version belongs to other captions."))
    if version.pk == track.current_version_id:
        raise RecordingError(_("That version is already the current one."))
    text = CaptionTrackVersion.objects.values_list("vtt", flat=True).get(pk=version.pk)
    note = note.strip() or str(_("Restored version %(number)s") % {"number": version.number})
    new = _store_new_text(track, text=text, kind=VersionKind.RESTORED, by=by, note=note)
    record_audit(
        actor=by,
        action="captions.version_restored",
        obj=track.recording,
        language=track.language,
        restored=version.number,
        version=new.number,
    )
    return track


# --- caption orders ---------------------------------------------------------------------------


@transaction.atomic
def order_captions(
    *,
    recording: Recording,
    vendor: str,
    by=None,
    language: str = "fi",
    ordered_on: dt.date | None = None,
    due_on: dt.date | None = None,
    minutes: Decimal | None = None,
    price_per_minute: Decimal | None = None,
) -> CaptionOrder:
    if not vendor.strip():
        raise RecordingError(_("Name the vendor."))
    if minutes is None:
        if not recording.duration_seconds:
            raise RecordingError(_("Give the minutes: the video's duration is not known yet."))
        minutes = Decimal(math.ceil(recording.duration_seconds / 60))
    if minutes <= 0:
        raise RecordingError(_("The minutes must be more than zero."))
    ordered_on = ordered_on or timezone.localdate()
    if due_on is not None and due_on < ordered_on:
        raise RecordingError(_("The due date is before the order date."))
    order = CaptionOrder(
        recording=recording,
        vendor=vendor.strip(),
        language=language,
        ordered_on=ordered_on,
        due_on=due_on,
        minutes=minutes,
        ordered_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if price_per_minute is not None:
        order.price_per_minute = price_per_minute
    order.save()
    record_audit(
        actor=by,
        action="captions.ordered",
        obj=recording,
        vendor=order.vendor,
        total=str(order.total),
    )
    return order


@transaction.atomic
def deliver_order(
    *, order: CaptionOrder, content: bytes, file_name: str = "", by=None
) -> CaptionTrack:
    """A vendor's file: the same checks as any upload, stored as a vendor track."""
    order = CaptionOrder.objects.select_for_update().select_related("recording").get(pk=order.pk)
    track = store_track(
        recording=order.recording,
        language=order.language,
        content=content,
        file_name=file_name,
        source=TrackSource.VENDOR,
        by=by,
        order=order,
    )
    if order.delivered_on is None:
        order.delivered_on = timezone.localdate()
        order.save(update_fields=["delivered_on"])
    return track
