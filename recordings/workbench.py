"""The caption workbench: one human track's cues beside its video, fixed one cue at a time.

The page parses the track's WebVTT on every request (about 1.5 s for a 2 MB, 63,000-cue
track) and renders one page of cues (CUES_PER_PAGE), so its size and its queries stay the same
whatever the length of the track. Each cue has an edit form that posts to
`recordings.services.edit_cue`, which stores a new version and re-checks the whole track.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accessibility.checks import Cue, format_ms, message_for, parse_vtt, rule_name
from accounts.permissions import ability_required
from accounts.roles import Ability

from . import services
from .models import CaptionTrack, TrackKind, TrackStatus
from .views import _finding_groups

CUES_PER_PAGE = 50

_NUMBER = re.compile(r"[0-9]+")
_SECONDS = re.compile(r"([0-9]+)(?:\.([0-9]{1,3}))?")


class CueTimeError(ValueError):
    """A cue time that cannot be read."""


def parse_time(value: str) -> int:
    """A cue time as people write it → milliseconds; CueTimeError when it cannot be read.

    "00:01:02.500", "1:02:03,5", "01:02.5" and "62.5" (seconds) are all understood: hours,
    minutes and milliseconds may be left out, and the decimal separator is "." or ","."""
    parts = (value or "").strip().replace(",", ".").split(":")
    *whole, last = parts
    match = _SECONDS.fullmatch(last)
    if len(parts) > 3 or match is None or not all(_NUMBER.fullmatch(p) for p in whole):
        raise CueTimeError(value)
    seconds, millis = int(match[1]), int((match[2] or "").ljust(3, "0"))
    if (whole and seconds >= 60) or (len(whole) == 2 and int(whole[1]) >= 60):
        raise CueTimeError(value)
    minutes = 0
    for part in whole:
        minutes = minutes * 60 + int(part)
    return (minutes * 60 + seconds) * 1000 + millis


class CueTimeField(forms.CharField):
    default_error_messages = {
        "invalid": gettext_lazy(
            "Write the time as hours:minutes:seconds.milliseconds, for example 00:01:02.500."
        )
    }

    def to_python(self, value) -> int | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_time(value)
        except CueTimeError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class CueEditForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text=gettext_lazy("Each caption line on a line of its own, at most two lines."),
    )
    start = CueTimeField(
        label=gettext_lazy("Starts at"),
        help_text=gettext_lazy("For example 00:01:02.500"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    end = CueTimeField(
        label=gettext_lazy("Ends at"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Reason for the change (optional)"), required=False, max_length=300
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    cue = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_text(self) -> str:
        lines = [line.rstrip() for line in self.cleaned_data["text"].splitlines()]
        return "\n".join(line for line in lines if line.strip())


@dataclass
class CueRow:
    """One cue as the page shows it, with its findings and its edit form."""

    index: int
    cue: Cue
    findings: list[dict] = field(default_factory=list)
    form: CueEditForm | None = None
    open: bool = False

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def start(self) -> str:
        return format_ms(self.cue.start_ms)

    @property
    def end(self) -> str:
        return format_ms(self.cue.end_ms)

    @property
    def text_lines(self) -> list[str]:
        return [line for line in self.cue.plain_lines if line]


def _load_track(pk: int, track_pk: int) -> CaptionTrack:
    try:
        return (
            CaptionTrack.objects.select_related("recording")
            .defer("recording__platform_info")
            .get(pk=track_pk, recording_id=pk, kind=TrackKind.HUMAN)
        )
    except CaptionTrack.DoesNotExist as exc:
        raise Http404 from exc


def _version_number(track: CaptionTrack) -> int | None:
    """The current version's number (the newest version's number: no query)."""
    return track.version_count or None


def _cue_of(cues: list[Cue]):
    """Finding → index of its cue: by the cue's timing line, else by its start time."""
    by_line = {cue.line: n for n, cue in enumerate(cues) if cue.line is not None}
    by_start: dict[int, int] = {}
    for n, cue in enumerate(cues):
        by_start.setdefault(cue.start_ms, n)

    def find(finding: dict) -> int | None:
        line = finding.get("line")
        if line in by_line:
            return by_line[line]
        start = finding.get("start_ms")
        return by_start.get(start) if start is not None else None

    return find


def findings_by_cue(findings: list[dict], find, wanted: range) -> dict[int, list]:
    """The findings of the cues whose index is in `wanted` (`find`: see _cue_of), with
    their messages."""
    found: dict[int, list] = {}
    for finding in findings or []:
        index = find(finding)
        if index is not None and index in wanted:
            code = finding.get("code", "")
            found.setdefault(index, []).append(
                {
                    "code": code,
                    "severity": finding.get("severity"),
                    "name": rule_name(code),
                    "text": message_for(code, finding.get("params") or {}),
                }
            )
    return found


def _requested_cue(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("cue", ""))
    except ValueError:
        return None


def _rows(track, cues, find, page: Page, bound: tuple[int, CueEditForm] | None) -> list[CueRow]:
    first = page.start_index() - 1 if page.object_list else 0
    wanted = range(first, first + len(page.object_list))
    found = findings_by_cue(track.findings, find, wanted)
    version = _version_number(track)
    rows = []
    for index in wanted:
        cue = cues[index]
        row = CueRow(index=index, cue=cue, findings=found.get(index, []))
        if bound is not None and bound[0] == index:
            row.form, row.open = bound[1], True
        else:
            row.form = CueEditForm(
                prefix=f"cue-{index}",
                initial={
                    "text": "\n".join(cue.lines),
                    "start": row.start,
                    "end": row.end,
                    "expected_version": version,
                    "cue": index,
                },
            )
        rows.append(row)
    return rows


def _example_links(groups: list[dict], find) -> list[dict]:
    for group in groups:
        for example in group["examples"]:
            example["cue"] = find(example)
    return groups


def _embed(request: HttpRequest, recording) -> str:
    """The privacy-enhanced embed with the player API on, or "" for other platforms."""
    if not recording.video_id or "youtube" not in (recording.platform or "youtube").lower():
        return ""
    origin = f"{request.scheme}://{request.get_host()}"
    query = urlencode({"enablejsapi": 1, "origin": origin, "cc_load_policy": 0})
    return f"https://www.youtube-nocookie.com/embed/{recording.video_id}?{query}"


def _render(
    request: HttpRequest,
    track: CaptionTrack,
    *,
    cue: int | None = None,
    bound: tuple[int, CueEditForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page holding cue `cue` (focused) or the page asked for by ?page=."""
    cues, _findings = parse_vtt(track.vtt)
    page_number = request.GET.get("page")
    if cue is not None and 0 <= cue < len(cues):
        page_number = cue // CUES_PER_PAGE + 1
    else:
        cue = None
    page = Paginator(range(len(cues)), CUES_PER_PAGE).get_page(page_number)
    find = _cue_of(cues)
    recording = track.recording
    context = {
        "recording": recording,
        "track": track,
        "version": _version_number(track),
        "page": page,
        "cue_count": len(cues),
        "rows": _rows(track, cues, find, page, bound),
        "groups": _example_links(_finding_groups(track.findings_summary), find),
        "focus": cue,
        "embed_url": _embed(request, recording),
        "iframe_api_url": settings.YOUTUBE_IFRAME_API_URL,
        "may_approve": track.status != TrackStatus.APPROVED and not track.error_count,
    }
    response = render(request, "recordings/workbench.html", context, status=status)
    response["Content-Security-Policy"] = player_policy()
    return response


def player_policy() -> str:
    """The site's Content-Security-Policy plus scripts from the IFrame Player API's origin:
    only this page loads the player API (it loads its widget from the same origin), so no
    other page lets YouTube's scripts run."""
    api = urlsplit(settings.YOUTUBE_IFRAME_API_URL)
    return f"{settings.CONTENT_SECURITY_POLICY}; script-src 'self' {api.scheme}://{api.netloc}"


@ability_required(Ability.MANAGE_RECORDINGS)
def workbench(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    track = _load_track(pk, track_pk)
    return _render(request, track, cue=_requested_cue(request))


def workbench_url(track: CaptionTrack, index: int) -> str:
    url = reverse("recordings:workbench", args=[track.recording_id, track.pk])
    return f"{url}?{urlencode({'cue': index})}#cue-{index}"


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def workbench_cue_edit(request: HttpRequest, pk: int, track_pk: int, index: int) -> HttpResponse:
    track = _load_track(pk, track_pk)
    form = CueEditForm(request.POST, prefix=f"cue-{index}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            track = services.edit_cue(
                track=track,
                cue_index=index,
                text=data["text"],
                start_ms=data["start"],
                end_ms=data["end"],
                by=request.user,
                note=data["note"],
                expected_version=data["expected_version"],
            )
        except services.RecordingError as exc:
            form = _refused(request, track, index, str(exc.message))
        else:
            _report_recheck(request, track, index, start_ms=data["start"])
            return redirect(workbench_url(track, index))
    return _render(request, track, cue=index, bound=(index, form), status=400)


def _refused(request, track: CaptionTrack, index: int, message: str) -> CueEditForm:
    """The form as posted with the service's reason. Saving it again targets the version
    current now, which the page shows (the track was read after any other person's save)."""
    data = request.POST.copy()
    data[f"cue-{index}-expected_version"] = _version_number(track) or ""
    form = CueEditForm(data, prefix=f"cue-{index}")
    form.is_valid()
    form.add_error(None, message)
    return form


def _report_recheck(request, track: CaptionTrack, index: int, *, start_ms: int) -> None:
    """What the check says now. The edited cue's findings are found by its start time (the
    findings carry it), so the 2 MB text is not parsed once more for this message."""
    still = [
        message_for(f.get("code", ""), f.get("params") or {})
        for f in track.findings
        if f.get("start_ms") == start_ms
    ]
    summary = _(
        "Cue %(number)d saved as version %(version)s. Checked again: errors %(errors)d, "
        "warnings %(warnings)d."
    ) % {
        "number": index + 1,
        "version": _version_number(track) or "–",
        "errors": track.error_count,
        "warnings": track.warning_count,
    }
    if still:
        detail = _("This cue still has findings: %(findings)s") % {"findings": " ".join(still)}
        messages.warning(request, f"{summary} {detail}")
    else:
        detail = _("This cue has no findings now.")
        messages.success(request, f"{summary} {detail}")
