"""The versions of a human caption track: the list, a cue-level comparison, downloads, restore.

Lists never load a version's text (`defer("vtt")`); the comparison loads the two texts it
compares and the download the one it sends.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accessibility.checks import Cue, format_ms, parse_vtt, vtt_to_srt
from accounts.permissions import ability_required
from accounts.roles import Ability

from . import services
from .models import CaptionTrack, CaptionTrackVersion, TrackKind

# The comparison shows at most this many changed cues (and says how many there are).
MAX_CHANGES = 200

DOWNLOAD_TYPES = {
    "vtt": "text/vtt; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
}


def _track(pk: int, track_pk: int) -> CaptionTrack:
    """The human track of this recording, without its text or findings (404 otherwise)."""
    try:
        return (
            CaptionTrack.objects.select_related("recording", "reviewed_by")
            .defer("vtt", "findings", "findings_summary", "recording__platform_info")
            .get(pk=track_pk, recording_id=pk, kind=TrackKind.HUMAN)
        )
    except CaptionTrack.DoesNotExist as exc:
        raise Http404 from exc


def _versions(track: CaptionTrack) -> QuerySet[CaptionTrackVersion]:
    return track.versions.select_related("made_by").defer("vtt").order_by("-number")


def _version(track: CaptionTrack, number, *, with_text: bool = True) -> CaptionTrackVersion:
    try:
        number = int(number)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    versions = track.versions.all() if with_text else track.versions.defer("vtt")
    try:
        return versions.get(number=number)
    except CaptionTrackVersion.DoesNotExist as exc:
        raise Http404 from exc


@ability_required(Ability.MANAGE_RECORDINGS)
def version_list(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    track = _track(pk, track_pk)
    versions = list(_versions(track))
    newest = versions[0].number if versions else None
    return render(
        request,
        "recordings/versions.html",
        {
            "recording": track.recording,
            "track": track,
            "versions": versions,
            "compare_a": newest - 1 if newest and newest > 1 else newest,
            "compare_b": newest,
        },
    )


@dataclass
class Change:
    kind: str  # "added", "removed", "changed"
    label: str
    before: Cue | None
    after: Cue | None

    @property
    def time(self) -> str:
        cue = self.after or self.before
        return f"{format_ms(cue.start_ms)} – {format_ms(cue.end_ms)}"

    @staticmethod
    def text(cue: Cue | None) -> str:
        return "\n".join(cue.lines) if cue is not None else ""

    @property
    def before_text(self) -> str:
        return self.text(self.before)

    @property
    def after_text(self) -> str:
        return self.text(self.after)

    @property
    def before_time(self) -> str:
        return "" if self.before is None else format_ms(self.before.start_ms)

    @property
    def after_time(self) -> str:
        return "" if self.after is None else format_ms(self.after.start_ms)


def cue_changes(before: list[Cue], after: list[Cue]) -> list[Change]:
    """The cues that differ between two versions (timing or text), in order."""
    labels = {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}
    keys_a = [(c.start_ms, c.end_ms, c.lines) for c in before]
    keys_b = [(c.start_ms, c.end_ms, c.lines) for c in after]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    changes: list[Change] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = before[a0:a1], after[b0:b1]
        paired = min(len(old), len(new)) if tag == "replace" else 0
        changes.extend(Change("changed", labels["changed"], old[i], new[i]) for i in range(paired))
        changes.extend(Change("removed", labels["removed"], cue, None) for cue in old[paired:])
        changes.extend(Change("added", labels["added"], None, cue) for cue in new[paired:])
    return changes


@ability_required(Ability.MANAGE_RECORDINGS)
def compare(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    track = _track(pk, track_pk)
    versions = list(_versions(track))
    if not versions:
        raise Http404
    newest = versions[0].number
    first = _version(track, request.GET.get("a") or max(newest - 1, 1))
    second = _version(track, request.GET.get("b") or newest)
    changes = cue_changes(parse_vtt(first.vtt)[0], parse_vtt(second.vtt)[0])
    return render(
        request,
        "recordings/compare.html",
        {
            "recording": track.recording,
            "track": track,
            "versions": versions,
            "first": first,
            "second": second,
            "changes": changes[:MAX_CHANGES],
            "change_count": len(changes),
            "capped": len(changes) > MAX_CHANGES,
            "max_changes": MAX_CHANGES,
        },
    )


@ability_required(Ability.MANAGE_RECORDINGS)
def version_download(
    request: HttpRequest,  # noqa: ARG001 - a view's signature; the decorator reads it
    pk: int,
    track_pk: int,
    number: int,
    fmt: str,
) -> HttpResponse:
    if fmt not in DOWNLOAD_TYPES:
        raise Http404
    track = _track(pk, track_pk)
    version = _version(track, number)
    body = version.vtt if fmt == "vtt" else vtt_to_srt(version.vtt)
    stem = track.recording.video_id or str(track.recording.pk)
    name = f"{stem}.{track.language}.v{version.number}.{fmt}"
    response = HttpResponse(body.encode("utf-8"), content_type=DOWNLOAD_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def restore(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    track = _track(pk, track_pk)
    try:
        version = _version(track, request.POST.get("number"), with_text=False)
    except Http404:
        messages.error(request, _("Choose the version to restore."))
        return redirect("recordings:versions", pk=pk, track_pk=track_pk)
    try:
        track = services.restore_version(
            track=track, version=version, by=request.user, note=request.POST.get("note", "")
        )
    except services.RecordingError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _(
                "Version %(old)s was restored as version %(new)s. Checked again: %(errors)d "
                "errors, %(warnings)d warnings. Review and approve it again."
            )
            % {
                "old": version.number,
                "new": track.version_count,
                "errors": track.error_count,
                "warnings": track.warning_count,
            },
        )
    return redirect("recordings:versions", pk=pk, track_pk=track_pk)
