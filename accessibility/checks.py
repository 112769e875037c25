"""Caption quality checks on WebVTT cues.

The file is parsed with webvtt-py in strict mode, but webvtt-py is lenient even then (it
silently drops malformed cues and accepts reversed or overlapping ones), so this module checks
the header, the lost lines, the order and the timing itself. Every check runs over the list of
cues once, so a three-hour file (about 3,000 cues) takes a few milliseconds.

Default thresholds (``DEFAULTS`` below; editable in ``accessibility.models.CaptionPolicy``,
whose fields take their defaults from here) and their sources:

- characters per line: warning above 37 — Finnish national AV translation quality
  recommendations (Laatusuositukset, 2020); error above 42 — Netflix Finnish Timed Text
  Style Guide.
- lines per cue: at most 2 — Netflix Finnish style guide, BBC Subtitle Guidelines, DCMP
  Captioning Key.
- cue duration: error below 0.833 s (5/6 s, Netflix minimum), warning above 7 s (Netflix
  maximum; Finnish vendor practice 1.8–7 s; DCMP asks for at least 2 s).
- reading speed: warning above 15 characters per second (Finnish guidance implies ~12 cps),
  error above 17 cps (Netflix Finnish adult programmes; BBC 160–180 words per minute).
- gap between cues: warning when 0 < gap < 0.08 s (two frames, Netflix).
- order and timing: each cue starts at or after the previous one and ends after it starts
  (W3C WebVTT specification).

Characters are counted on the tag-stripped, entity-decoded text; reading speed is characters
(spaces included, newlines not) divided by the cue's duration in milliseconds precision.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import webvtt
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from webvtt.errors import MalformedCaptionError, MalformedFileError


class Severity:
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Thresholds:
    """The limits the checks apply. A CaptionPolicy row has the same attributes, so either
    can be passed as `policy`; this module stays pure (no models, no database)."""

    max_chars_per_line_warning: int = 37
    max_chars_per_line_error: int = 42
    max_lines_per_cue: int = 2
    min_cue_seconds: float = 0.833
    max_cue_seconds_warning: float = 7.0
    max_cps_warning: float = 15.0
    max_cps_error: float = 17.0
    min_gap_seconds_warning: float = 0.08
    min_coverage: float = 0.5  # share of the video with captions
    max_silent_stretch_seconds: float = 120.0


DEFAULTS = Thresholds()


# Rule code → message template (translatable). Parameters come from the finding's params.
MESSAGES: dict[str, Any] = {
    "encoding": _("The file is not UTF-8 text (first bad byte on line %(line)s)."),
    "empty_file": _("The file is empty."),
    "header": _("The file does not start with the line WEBVTT (found: %(found)s)."),
    "malformed": _("Line %(line)s is not a valid cue: %(text)s"),
    "lost_cue": _(
        "The cue timing on line %(line)s could not be read and the cue would be lost: %(text)s"
    ),
    "no_cues": _("The file contains no cues."),
    "out_of_order": _("The cue starts before the previous cue (at %(previous)s)."),
    "end_before_start": _("The cue ends at or before its start."),
    "overlap": _("The cue overlaps the previous cue, which ends at %(previous)s."),
    "short_gap": _("The gap after the previous cue is only %(gap)s s."),
    "empty_cue": _("The cue has no text."),
    "beyond_duration": _("The cue ends at %(end)s, after the end of the video (%(duration)s)."),
    "low_coverage": _("Captions cover only %(coverage)s %% of the video (at least %(min)s %%)."),
    "long_silence": _("No captions for %(seconds)s s (from %(start)s)."),
    "too_short": _("The cue is shown for only %(seconds)s s (at least %(min)s s)."),
    "too_long": _("The cue is shown for %(seconds)s s (at most %(max)s s)."),
    "too_many_lines": _("The cue has %(count)s lines (at most %(max)s)."),
    "line_too_long": _("A line has %(count)s characters (at most %(max)s)."),
    "too_fast": _("Reading speed %(cps)s characters per second (at most %(max)s)."),
}
# Rule code → the rule's name, for findings grouped by rule (the recording page).
RULE_NAMES: dict[str, Any] = {
    "out_of_order": _("Cue order"),
    "end_before_start": _("Cue ends before it starts"),
    "overlap": _("Overlapping cues"),
    "short_gap": _("Gap between cues"),
    "empty_cue": _("Empty cue"),
    "beyond_duration": _("Cue after the end of the video"),
    "low_coverage": _("Coverage"),
    "long_silence": _("Long stretch without captions"),
    "too_short": _("Cue too short"),
    "too_long": _("Cue too long"),
    "too_many_lines": _("Lines per cue"),
    "line_too_long": _("Characters per line"),
    "too_fast": _("Reading speed"),
}
# Findings that mean the file itself could not be read: nothing is stored for these.
STRUCTURAL_CODES = frozenset(
    {"encoding", "empty_file", "header", "malformed", "lost_cue", "no_cues"}
)

_TAG = re.compile(r"<[^>]*>")
_STAMP = r"(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}"
_TIMING = re.compile(rf"^\s*({_STAMP})\s*-->\s*({_STAMP})(?=\s|$)")


@dataclass(frozen=True)
class Cue:
    """One cue: times in milliseconds, text lines as written, line number in the file."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    line: int | None = None

    @property
    def plain_lines(self) -> list[str]:
        return [html.unescape(_TAG.sub("", text)).strip() for text in self.lines]


@dataclass
class Finding:
    severity: str
    code: str
    params: dict = field(default_factory=dict)
    start_ms: int | None = None
    line: int | None = None

    @property
    def message(self) -> str:
        return message_for(self.code, self.params)

    @property
    def time(self) -> str:
        return format_ms(self.start_ms) if self.start_ms is not None else ""

    def as_dict(self) -> dict:
        return {**asdict(self), "message": self.message, "time": self.time}


# Parameters holding numbers: stored language-neutral ("58.9"), shown with the active
# language's decimal separator ("58,9" in Finnish and Swedish).
NUMERIC_PARAMS = frozenset({"cps", "max", "min", "seconds", "gap", "coverage", "count"})


def _localised(key: str, value):
    if key not in NUMERIC_PARAMS or isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return number_format(number, use_l10n=True)


def message_for(code: str, params: dict) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    if not params:
        return str(template).replace("%%", "%")
    return str(template) % {key: _localised(key, value) for key, value in params.items()}


def rule_name(code: str) -> str:
    return str(RULE_NAMES.get(code, code))


def group_findings(findings, *, examples: int = 5) -> list[dict]:
    """Stored findings (dicts, as `Finding.as_dict`) grouped by rule, in one pass.

    One item per rule code, errors first, then in the order the rule first occurs:
    ``{"code", "severity", "count", "errors", "warnings", "examples"}``, where severity is
    "error" when any finding of the rule is an error and examples are the first `examples`
    findings (start_ms, time, line, severity, params). Language-neutral: messages are made
    when shown (`message_for`), so the summary can be stored."""
    groups: dict[str, dict] = {}
    for finding in findings:
        code = finding.get("code", "")
        group = groups.get(code)
        if group is None:
            group = groups[code] = {
                "code": code,
                "severity": Severity.WARNING,
                "count": 0,
                "errors": 0,
                "warnings": 0,
                "examples": [],
            }
        severity = finding.get("severity")
        group["count"] += 1
        if severity == Severity.ERROR:
            group["errors"] += 1
            group["severity"] = Severity.ERROR
        else:
            group["warnings"] += 1
        if len(group["examples"]) < examples:
            group["examples"].append(
                {
                    "severity": severity,
                    "start_ms": finding.get("start_ms"),
                    "time": finding.get("time", ""),
                    "line": finding.get("line"),
                    "params": finding.get("params") or {},
                }
            )
    return sorted(groups.values(), key=lambda g: g["severity"] != Severity.ERROR)


@dataclass
class CheckResult:
    findings: list[Finding]
    cues: list[Cue]
    duration_ms: int | None = None
    coverage: float | None = None
    longest_gap_ms: int | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def readable(self) -> bool:
        return not any(f.code in STRUCTURAL_CODES for f in self.findings)

    def structural_messages(self) -> list[str]:
        return [f.message for f in self.findings if f.code in STRUCTURAL_CODES]

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "cues": len(self.cues),
            "errors": self.error_count,
            "warnings": self.warning_count,
            "coverage": self.coverage,
            "longest_gap_seconds": None
            if self.longest_gap_ms is None
            else round(self.longest_gap_ms / 1000, 3),
            "findings": [f.as_dict() for f in self.findings],
        }


def format_ms(ms: int) -> str:
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


# --- reading a file -------------------------------------------------------------------------


def decode(content: bytes | str) -> tuple[str | None, list[Finding]]:
    """Bytes → text (UTF-8, optional BOM removed), or a finding naming the line."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff"), []
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, [Finding(Severity.ERROR, "encoding", {"line": line}, line=line)]


def parse_vtt(content: bytes | str) -> tuple[list[Cue], list[Finding]]:
    """Parse WebVTT strictly; report what webvtt-py would silently drop, with line numbers."""
    text, findings = decode(content)
    if text is None:
        return [], findings
    raw_lines = text.splitlines()
    if not text.strip():
        return [], [Finding(Severity.ERROR, "empty_file", line=1)]
    first = raw_lines[0]
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        return [], [Finding(Severity.ERROR, "header", {"found": first[:40]}, line=1)]
    try:
        captions = webvtt.from_string(text, strict=True).captions
    except (MalformedCaptionError, MalformedFileError):
        # Strict parsing stops at the first bad block: read the rest leniently and report
        # every lost line below.
        try:
            captions = webvtt.from_string(text, strict=False).captions
        except (MalformedCaptionError, MalformedFileError):
            captions = []
    cues, findings = _locate(raw_lines, captions)
    findings += _cut_off(raw_lines)
    if not cues and not findings:
        findings.append(Finding(Severity.ERROR, "no_cues", line=len(raw_lines)))
    return cues, findings


def _locate(raw_lines: list[str], captions) -> tuple[list[Cue], list[Finding]]:
    """Pair parsed captions with their timing lines; every `-->` line left over is lost."""
    arrows = [(n, line) for n, line in enumerate(raw_lines, start=1) if "-->" in line]
    findings: list[Finding] = []
    cues: list[Cue] = []
    index = 0
    for caption in captions:
        start_ms = caption.start_time.in_milliseconds()
        end_ms = caption.end_time.in_milliseconds()
        line_no = None
        while index < len(arrows):
            n, line = arrows[index]
            index += 1
            match = _TIMING.match(line)
            if match and _to_ms(match.group(1)) == start_ms and _to_ms(match.group(2)) == end_ms:
                line_no = n
                break
            findings.append(_lost(n, line))
        cues.append(Cue(start_ms, end_ms, tuple(caption.lines), line_no))
    for n, line in arrows[index:]:
        findings.append(_lost(n, line))
    return cues, findings


def _cut_off(raw_lines: list[str]) -> list[Finding]:
    """A file that ends inside a cue timing line (a truncated upload or download)."""
    last = len(raw_lines)
    while last > 0 and not raw_lines[last - 1].strip():
        last -= 1
    if last < 2 or raw_lines[last - 2].strip():
        return []
    line = raw_lines[last - 1]
    if "-->" not in line and re.match(r"^\s*\d+:\d", line):
        return [_lost(last, line)]
    return []


def _lost(line_no: int, line: str) -> Finding:
    code = "lost_cue" if _TIMING.match(line) is None else "malformed"
    return Finding(Severity.ERROR, code, {"line": line_no, "text": line.strip()[:60]}, line=line_no)


def _to_ms(stamp: str) -> int:
    parts = stamp.split(":")
    seconds, millis = parts[-1].split(".")
    total = int(seconds) * 1000 + int(millis)
    total += int(parts[-2]) * 60_000
    if len(parts) == 3:
        total += int(parts[0]) * 3_600_000
    return total


def srt_to_vtt(content: bytes | str) -> str:
    """Convert a SubRip file to WebVTT text (raises ValueError with a readable message)."""
    text, findings = decode(content)
    if text is None:
        raise ValueError(findings[0].message)
    try:
        return webvtt.from_buffer(io.StringIO(text), format="srt").content
    except (MalformedCaptionError, MalformedFileError) as exc:
        # The library's own reason ("Invalid format") is English: say what a cue needs instead.
        message = gettext(
            "The SRT file could not be read. Each cue needs a number, a timing line such as "
            "00:00:01,000 --> 00:00:04,000 and its text."
        )
        raise ValueError(message) from exc


def looks_like_srt(content: bytes | str) -> bool:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    head = text.lstrip("\ufeff").lstrip()[:200]
    srt_timing = re.search(r"\d\d:\d\d:\d\d,\d{3}\s*-->", head)
    return not head.startswith("WEBVTT") and srt_timing is not None


# --- the checks -----------------------------------------------------------------------------


def check_vtt(content: bytes | str, *, duration_seconds: float | None = None, policy=None):
    """Parse and check a WebVTT file. Returns a CheckResult (never raises on bad content)."""
    cues, findings = parse_vtt(content)
    duration_ms = None if duration_seconds is None else round(duration_seconds * 1000)
    if not cues:
        return CheckResult(findings=findings, cues=[], duration_ms=duration_ms)
    result = check_cues(cues, duration_ms=duration_ms, policy=policy)
    result.findings = findings + result.findings
    return result


def check_cues(  # noqa: C901, PLR0912, PLR0915 - one pass over up to 63,000 cues
    cues: list[Cue], *, duration_ms: int | None = None, policy=None
) -> CheckResult:
    """Every quality rule over the cue list, in one pass plus the coverage summary."""
    if policy is None:
        policy = DEFAULTS
    findings: list[Finding] = []
    add = findings.append
    err, warn = Severity.ERROR, Severity.WARNING
    min_ms = round(policy.min_cue_seconds * 1000)
    max_ms = round(policy.max_cue_seconds_warning * 1000)
    gap_ms = round(policy.min_gap_seconds_warning * 1000)
    prev_start = prev_end = None
    covered = 0
    covered_until = 0
    longest_gap, longest_gap_at = 0, 0
    if not cues:
        add(Finding(err, "no_cues"))
    for cue in cues:
        start, end, line = cue.start_ms, cue.end_ms, cue.line
        if prev_start is not None and start < prev_start:
            add(Finding(err, "out_of_order", {"previous": format_ms(prev_start)}, start, line))
        if end <= start:
            add(Finding(err, "end_before_start", {}, start, line))
        if prev_end is not None and prev_start is not None and start >= prev_start:
            if start < prev_end:
                add(Finding(err, "overlap", {"previous": format_ms(prev_end)}, start, line))
            elif 0 < start - prev_end < gap_ms:
                add(Finding(warn, "short_gap", {"gap": _seconds(start - prev_end)}, start, line))
        texts = cue.plain_lines
        nonblank = [t for t in texts if t]
        length = end - start
        if not nonblank:
            add(Finding(err, "empty_cue", {}, start, line))
        if duration_ms is not None and end > duration_ms:
            params = {"end": format_ms(end), "duration": format_ms(duration_ms)}
            add(Finding(err, "beyond_duration", params, start, line))
        if length > 0:
            if length < min_ms:
                params = {"seconds": _seconds(length), "min": _seconds(min_ms)}
                add(Finding(err, "too_short", params, start, line))
            elif length > max_ms:
                params = {"seconds": _seconds(length), "max": _seconds(max_ms)}
                add(Finding(warn, "too_long", params, start, line))
        if len(nonblank) > policy.max_lines_per_cue:
            params = {"count": len(nonblank), "max": policy.max_lines_per_cue}
            add(Finding(err, "too_many_lines", params, start, line))
        longest_line = max((len(t) for t in texts), default=0)
        if longest_line > policy.max_chars_per_line_error:
            params = {"count": longest_line, "max": policy.max_chars_per_line_error}
            add(Finding(err, "line_too_long", params, start, line))
        elif longest_line > policy.max_chars_per_line_warning:
            params = {"count": longest_line, "max": policy.max_chars_per_line_warning}
            add(Finding(warn, "line_too_long", params, start, line))
        if length > 0 and nonblank:
            cps = sum(len(t) for t in texts) * 1000 / length
            if cps > policy.max_cps_error:
                params = {"cps": f"{cps:.1f}", "max": _seconds(int(policy.max_cps_error * 1000))}
                add(Finding(err, "too_fast", params, start, line))
            elif cps > policy.max_cps_warning:
                params = {"cps": f"{cps:.1f}", "max": _seconds(int(policy.max_cps_warning * 1000))}
                add(Finding(warn, "too_fast", params, start, line))
        # Coverage: union of [start, end) intervals, gaps between them.
        if end > start:
            if start > covered_until and start - covered_until > longest_gap:
                longest_gap, longest_gap_at = start - covered_until, covered_until
            if end > covered_until:
                covered += end - max(start, covered_until)
                covered_until = end
        prev_start = start if prev_start is None else max(prev_start, start)
        prev_end = end if prev_end is None else max(prev_end, end)
    coverage = None
    if duration_ms:
        tail = duration_ms - covered_until
        if tail > longest_gap:
            longest_gap, longest_gap_at = tail, covered_until
        coverage = min(1.0, covered / duration_ms)
        if coverage < policy.min_coverage:
            params = {
                "coverage": f"{coverage * 100:.0f}",
                "min": f"{policy.min_coverage * 100:.0f}",
            }
            add(Finding(err, "low_coverage", params))
    if longest_gap > policy.max_silent_stretch_seconds * 1000:
        params = {"seconds": _seconds(longest_gap), "start": format_ms(longest_gap_at)}
        add(Finding(warn, "long_silence", params, longest_gap_at))
    return CheckResult(
        findings=findings,
        cues=cues,
        duration_ms=duration_ms,
        coverage=coverage,
        longest_gap_ms=longest_gap,
    )


def transcript_paragraphs(vtt_text: str) -> list[str]:
    """The captions as plain text, one item per cue (for the transcript)."""
    cues, _findings = parse_vtt(vtt_text)
    return [" ".join(t for t in cue.plain_lines if t) for cue in cues if any(cue.plain_lines)]


# --- writing cues back ----------------------------------------------------------------------

_TIMING_PARTS = re.compile(rf"^(\s*)({_STAMP})(\s*-->\s*)({_STAMP})(.*)$", re.DOTALL)


def replace_cue(
    vtt_text: str, index: int, start_ms: int, end_ms: int, lines: list[str] | tuple[str, ...]
) -> str:
    """The WebVTT text with cue `index` (0-based, as `parse_vtt` counts) given new times and text.

    Only that cue's two timestamps and its text lines change: its id, the settings after the
    timing (``align:start``), NOTE and STYLE blocks, line endings and every other byte stay as
    they were. Raises ValueError for an index out of range, empty text, a text line holding
    "-->", or times that do not follow.

    The text must be one `parse_vtt` reads without structural findings (as every stored track
    is): then its n-th line holding "-->" is the timing of cue n, so one pass over the lines
    finds the cue without parsing the file again (a few milliseconds for 63,000 cues, where
    webvtt-py takes seconds). Check the result with `check_vtt` before storing it.
    """
    new_lines = [line.rstrip() for line in lines if line.strip()]
    if not new_lines:
        raise ValueError("empty text")
    if any("-->" in line for line in new_lines):
        raise ValueError("a text line holds -->")
    if start_ms < 0 or end_ms <= start_ms:
        raise ValueError("the cue must end after it starts")
    if index < 0:
        raise ValueError("no such cue")
    raw = vtt_text.splitlines(keepends=True)
    timing_at = _nth_timing_line(raw, index)
    timing = raw[timing_at]
    body = timing.rstrip("\r\n")
    newline = timing[len(body) :] or "\n"
    match = _TIMING_PARTS.match(body)
    if match is None:  # not a timing line: the text was not readable
        raise ValueError("no timing line")
    lead, _start, arrow, _end, settings = match.groups()
    raw[timing_at] = f"{lead}{format_ms(start_ms)}{arrow}{format_ms(end_ms)}{settings}{newline}"
    text_end = timing_at + 1
    while text_end < len(raw) and raw[text_end].strip():
        text_end += 1
    last_newline = newline if text_end < len(raw) or raw[text_end - 1].endswith("\n") else ""
    replacement = [line + newline for line in new_lines]
    replacement[-1] = new_lines[-1] + last_newline
    raw[timing_at + 1 : text_end] = replacement
    return "".join(raw)


def _nth_timing_line(raw: list[str], index: int) -> int:
    seen = -1
    for position, line in enumerate(raw):
        if "-->" in line:
            seen += 1
            if seen == index:
                return position
    raise ValueError("no such cue")


_SRT_KEPT_TAG = re.compile(r"</?(?:i|b|u)>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")


def _srt_text(line: str) -> str:
    """One cue line for SubRip: the speaker of a voice tag written out ("Name: "), <i>, <b>
    and <u> kept (SubRip players show them), every other tag removed, entities decoded."""
    line = _VOICE.sub(lambda m: f"{m.group(1).strip()}: ", line)
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    line = _SRT_KEPT_TAG.sub(keep, line)
    line = html.unescape(_TAG.sub("", line))
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], line).strip()


def _srt_ms(ms: int) -> str:
    return format_ms(ms).replace(".", ",")


def vtt_to_srt(vtt_text: str) -> str:
    """WebVTT text → SubRip: numbered blocks, comma decimals, cue settings, NOTE and STYLE
    dropped (SubRip has none). See `_srt_text` for the tags."""
    cues, _findings = parse_vtt(vtt_text)
    blocks = []
    for number, cue in enumerate(cues, start=1):
        texts = [text for text in (_srt_text(line) for line in cue.lines) if text]
        timing = f"{_srt_ms(cue.start_ms)} --> {_srt_ms(cue.end_ms)}"
        blocks.append("\n".join([str(number), timing, *texts]))
    return "\n\n".join(blocks) + "\n" if blocks else ""
