"""Upload checks by size and by CONTENT, never by the file's name or declared type.

Every upload entry point goes through `check_upload(file, kind=...)` before anything parses
the file: slides (``"slides"``: `events.planning.services.add_material`), Teams attendance
reports (``"teams-report"``: `events.attendance.services.import_attendance`), member lists
(``"member-list"``: `networks.imports.read_member_file`) and caption files and vendor deliveries
(``"captions"``: `recordings.services.read_caption_file`). Views and forms check nothing of
their own. `check_upload` returns a `CheckedUpload`: what the bytes are (``kind``), the bytes
(read once, at most the limit plus one byte) and, for text, the decoded text. The kinds of
content (`sniff_upload(file, allowed={...})` is the lower-level form):

* ``"pdf"``           starts with ``%PDF-``
* ``"xlsx"``          a ZIP holding ``[Content_Types].xml`` and an ``xl/`` folder
* ``"webvtt"``        text whose first line is ``WEBVTT`` (after an optional BOM)
* ``"srt"``           text that starts with a cue number and an SRT time line
* ``"teams-report"``  delimited text with the headings of a Teams attendance report
* ``"csv"``           any other text in UTF-8 or UTF-16 (with or without BOM); for tables
                      also Windows-1252 (what Excel's plain "CSV" saves on Finnish Windows)

Refusals are `django.core.exceptions.ValidationError` with a translated message naming the
file and the problem; the services turn them into their own domain errors.

Bounds (settings, see docs/privacy.md "Uploads"):

* size per upload kind: `UPLOAD_LIMITS[kind]`, else `MAX_UPLOAD_BYTES`;
* tables as text (CSV, Teams reports): `CSV_LIMITS` rows, columns and characters per line;
* XLSX workbooks: `XLSX_LIMITS`, checked on the archive before any XML is read: number of
  parts (from the end-of-archive record, before the central directory is even parsed),
  each part's uncompressed size and compression ratio, the total uncompressed size, the
  shared-strings part's size and number of strings, and per worksheet the ``<dimension>``
  and a streamed count of rows, columns and cells (with their ``r`` positions: openpyxl
  fills gaps up to them) and the length of each value. The stream is expat with handlers
  that only count, so the check itself needs little memory, and it stops at the first
  bound exceeded. Declared sizes are enough: `zipfile` never inflates a part beyond
  its declared size (it stops there and the CRC check fails).

The check streams parts through expat and refuses any DTD or entity declaration (what
defusedxml forbids; no workbook part has one). openpyxl then parses with defusedxml, a
dependency for that reason: openpyxl switches to it by itself when it is installed.
For *type* sniffing no library is used, deliberately: `filetype` and `puremagic`
look at the first bytes only (an XLSX is "a ZIP whose first entry looks like Office"), know
nothing of WebVTT, SRT or the text encodings, and `python-magic` needs the libmagic C
library on every machine. The accepted kinds are few and each is checked by its structure
(the ZIP's central directory, the caption header and time lines, a strict decode), which is
stronger than a magic number.
"""

from __future__ import annotations

import codecs
import re
import struct
import xml.parsers.expat
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO, StringIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "pdf": _("a PDF document"),
    "xlsx": _("an Excel workbook (XLSX)"),
    "webvtt": _("WebVTT captions"),
    "srt": _("SRT captions"),
    "teams-report": _("a Teams attendance report"),
    "csv": _("a CSV or text file"),
    "zip": _("a ZIP archive"),
    "office": _("another Office document"),
    "binary": _("binary data"),
}
TEXT_KINDS = frozenset({"webvtt", "srt", "teams-report", "csv"})
TABLE_KINDS = frozenset({"teams-report", "csv"})
# What each upload point accepts, by content.
UPLOAD_KINDS: dict[str, frozenset[str]] = {
    "slides": frozenset({"pdf"}),
    "teams-report": frozenset({"teams-report"}),
    "member-list": frozenset({"csv", "xlsx"}),
    "captions": frozenset({"webvtt", "srt"}),
}
DEFAULT_CSV_LIMITS = {"rows": 50_000, "columns": 100, "line_chars": 10_000}
DEFAULT_XLSX_LIMITS = {
    "parts": 100,  # an Excel or LibreOffice workbook has 10–30
    "part_bytes": 10 * 1024 * 1024,  # uncompressed, per part
    "total_bytes": 30 * 1024 * 1024,  # uncompressed, all parts
    "ratio": 100,  # uncompressed / compressed, for parts over 1 MB
    "shared_strings_bytes": 10 * 1024 * 1024,
    "rows": 10_000,
    "columns": 50,
    "cells": 100_000,  # a member list of 5,000 people in 20 columns
    "cell_chars": 32_767,  # Excel's own limit for one cell
}
_RATIO_FROM_BYTES = 1024 * 1024

# SRT times have a decimal comma; cues with full stops and no header are WebVTT without it.
_SRT_TIME = re.compile(r"^\d{1,2}:\d{2}:\d{2},\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2},\d{1,3}")
# Headings of Teams attendance reports (new and old format; English, Finnish, Swedish).
_TEAMS_MARKERS = (
    "meeting summary",
    "1. summary",
    "meeting title",
    "total number of participants",
    "1. yhteenveto",
    "kokouksen otsikko",
    "osallistujien kokonaismäärä",
    "1. sammanfattning",
    "mötesrubrik",
    "totalt antal deltagare",
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class _BoundExceededError(Exception):
    """A bound exceeded; `sniff_upload` turns it into a ValidationError naming the file."""

    def __init__(self, message, **params) -> None:
        super().__init__(str(message))
        self.message, self.params = message, params


def _xlsx_limits() -> dict[str, int]:
    return {**DEFAULT_XLSX_LIMITS, **getattr(settings, "XLSX_LIMITS", {})}


def _csv_limits() -> dict[str, int]:
    return {**DEFAULT_CSV_LIMITS, **getattr(settings, "CSV_LIMITS", {})}


def upload_limit(kind: str) -> int:
    """The largest upload accepted for an upload point, in bytes."""
    return getattr(settings, "UPLOAD_LIMITS", {}).get(kind, settings.MAX_UPLOAD_BYTES)


def _name(uploaded_file) -> str:
    return getattr(uploaded_file, "name", "") or str(_("the file"))


def _read_all(uploaded_file, max_bytes: int) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(uploaded_file, size, max_bytes)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise _too_large(uploaded_file, len(data), max_bytes)
    return data


def _too_large(uploaded_file, size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is too large (%(size)s); the largest file accepted is %(limit)s."),
        code="file_too_large",
        params={
            "name": _name(uploaded_file),
            "size": filesizeformat(size),
            "limit": filesizeformat(max_bytes),
        },
    )


def decode_text(data: bytes) -> str | None:
    """UTF-8 or UTF-16 text (BOM honoured and removed), or None when it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        encoding = "utf-16-le" if data[1::2].count(0) > len(data) // 4 else "utf-16-be"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return None
        return None if "\x00" in text else text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _zip_entry_count(data: bytes) -> int | None:
    """Entries declared in the end-of-central-directory record (None when there is none)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, at + 10)[0]


def _zip_kind(data: bytes) -> str:
    entries = _zip_entry_count(data)
    if entries is None:
        return "binary"
    if entries > _xlsx_limits()["parts"]:
        # Not parsed at all: a central directory of many thousand entries costs memory.
        raise _BoundExceededError(
            _("It holds %(count)s parts; a workbook may have at most %(limit)s."),
            count=entries,
            limit=_xlsx_limits()["parts"],
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "binary"
    if "[Content_Types].xml" in names:
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
        return "office"
    return "zip"


# --- Bounds on what a parser will be asked to read --------------------------------------


def _size(n: int) -> str:
    return str(filesizeformat(n))


def _number(n: int) -> str:
    return number_format(n, force_grouping=True)


def _check_table_text(text: str) -> None:
    """Rows, columns and line length of a table sent as text (CSV, Teams report)."""
    limits = _csv_limits()
    for number, line in enumerate(StringIO(text), start=1):
        if number > limits["rows"]:
            raise _BoundExceededError(
                _("It has more than %(limit)s lines."), limit=_number(limits["rows"])
            )
        if len(line) > limits["line_chars"] + 2:  # the line break is not counted
            raise _BoundExceededError(
                _("Line %(line)s is longer than %(limit)s characters."),
                line=_number(number),
                limit=_number(limits["line_chars"]),
            )
        if max(line.count(d) for d in ",;\t") >= limits["columns"]:
            raise _BoundExceededError(
                _("Line %(line)s has more than %(limit)s columns."),
                line=_number(number),
                limit=_number(limits["columns"]),
            )


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2]


class _Parts:
    """The workbook's relationships: worksheets and shared strings, by part name."""

    def __init__(self, limit: int) -> None:
        self.limit, self.count = limit, 0
        self.worksheets: list[str] = []
        self.shared_strings: list[str] = []

    def startElement(self, name, attrs):  # noqa: N802 - expat's names
        if _local(name) != "Relationship":
            return
        self.count += 1
        if self.count > self.limit:
            raise _BoundExceededError(
                _("It holds %(count)s parts; a workbook may have at most %(limit)s."),
                count=_number(self.count),
                limit=_number(self.limit),
            )
        kind = (attrs.get("Type") or "").rsplit("/", 1)[-1]
        target = (attrs.get("Target") or "").replace("\\", "/")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if kind == "worksheet":
            self.worksheets.append(target)
        elif kind == "sharedStrings":
            self.shared_strings.append(target)


class _Sheet:
    """Streams a worksheet or the shared strings, counting; keeps nothing it has read."""

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits
        self.row = self.rows = self.cells = self.column = self.strings = 0
        self.text_chars: int | None = None  # inside a <v> or <t>

    def startElement(self, name, attrs):  # noqa: N802 - expat's names
        tag, limits = _local(name), self.limits
        if tag == "c":
            match = _CELL_REF.match(attrs.get("r") or "")
            self.column = _column_index(match.group(1)) if match else self.column + 1
            self.cells += 1
            if self.column > limits["columns"]:
                raise _BoundExceededError(
                    _("Its sheet has a row with more than %(limit)s columns (row %(row)s)."),
                    limit=_number(limits["columns"]),
                    row=_number(self.row),
                )
            if self.cells > limits["cells"]:
                raise _BoundExceededError(
                    _("Its sheet has more than %(limit)s cells."), limit=_number(limits["cells"])
                )
        elif tag == "row":
            number = attrs.get("r") or ""
            self.row = int(number) if number.isdigit() else self.row + 1
            self.rows += 1
            self.column = 0
            if max(self.row, self.rows) > limits["rows"]:
                raise _BoundExceededError(
                    _("Its sheet has more than %(limit)s rows."), limit=_number(limits["rows"])
                )
        elif tag in ("v", "t"):
            self.text_chars = 0
        elif tag == "si":
            self.strings += 1
            if self.strings > limits["cells"]:
                raise _BoundExceededError(
                    _("It holds more than %(limit)s different texts."),
                    limit=_number(limits["cells"]),
                )
        elif tag == "dimension":
            self._check_dimension(attrs.get("ref") or "")

    def _check_dimension(self, ref: str) -> None:
        # openpyxl fills every row up to the dimension's last column: refuse it early.
        last = _CELL_REF.match(ref.rpartition(":")[2])
        if last and (
            _column_index(last.group(1)) > self.limits["columns"]
            or int(last.group(2)) > self.limits["rows"]
        ):
            raise _BoundExceededError(
                _(
                    "Its sheet says it spans %(ref)s: more than %(rows)s rows or %(columns)s "
                    "columns."
                ),
                ref=ref[:40],
                rows=_number(self.limits["rows"]),
                columns=_number(self.limits["columns"]),
            )

    def characters(self, content):
        if self.text_chars is not None:
            self.text_chars += len(content)
            if self.text_chars > self.limits["cell_chars"]:
                raise _BoundExceededError(
                    _("A cell holds more than %(limit)s characters."),
                    limit=_number(self.limits["cell_chars"]),
                )

    def endElement(self, name):  # noqa: N802 - expat's names
        if _local(name) in ("v", "t"):
            self.text_chars = None


class _DeclarationError(ValueError):
    """A DTD or entity declaration: no workbook part has one (XML bombs do)."""


def _no_declarations(*_args) -> None:
    raise _DeclarationError


def _stream(archive: zipfile.ZipFile, part: str, handler) -> None:
    """Feed a part through expat in chunks; DTDs and entities are refused, as defusedxml
    does (raw expat is twice as fast as SAX, and this runs before openpyxl reads)."""
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_declarations
    parser.EntityDeclHandler = _no_declarations
    parser.ExternalEntityRefHandler = _no_declarations
    parser.StartElementHandler = handler.startElement
    if hasattr(handler, "characters"):
        parser.CharacterDataHandler = handler.characters
        parser.EndElementHandler = handler.endElement
    with archive.open(part) as source:
        while chunk := source.read(256 * 1024):
            parser.Parse(chunk, False)  # noqa: FBT003 - expat takes isfinal by position
        parser.Parse(b"", True)  # noqa: FBT003 - expat takes isfinal by position


def _check_xlsx(data: bytes) -> None:
    """The archive's parts and sheets within XLSX_LIMITS, before openpyxl reads anything."""
    limits = _xlsx_limits()
    with zipfile.ZipFile(BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > limits["parts"]:
            raise _BoundExceededError(
                _("It holds %(count)s parts; a workbook may have at most %(limit)s."),
                count=_number(len(infos)),
                limit=_number(limits["parts"]),
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits["part_bytes"]:
                raise _BoundExceededError(
                    _("Its part “%(part)s” unpacks to %(size)s; at most %(limit)s is accepted."),
                    part=info.filename[:80],
                    size=_size(info.file_size),
                    limit=_size(limits["part_bytes"]),
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_FROM_BYTES and ratio > limits["ratio"]:
                raise _BoundExceededError(
                    _(
                        "Its part “%(part)s” is compressed %(ratio)s-fold; at most "
                        "%(limit)s-fold is accepted."
                    ),
                    part=info.filename[:80],
                    ratio=_number(int(ratio)),
                    limit=_number(limits["ratio"]),
                )
        if total > limits["total_bytes"]:
            raise _BoundExceededError(
                _("It unpacks to %(size)s; at most %(limit)s is accepted."),
                size=_size(total),
                limit=_size(limits["total_bytes"]),
            )
        names = {info.filename: info for info in infos}
        parts = _Parts(limits["parts"])
        if "xl/_rels/workbook.xml.rels" in names:
            _stream(archive, "xl/_rels/workbook.xml.rels", parts)
        worksheets = set(parts.worksheets) | {
            n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")
        }
        strings = set(parts.shared_strings) | ({"xl/sharedStrings.xml"} & set(names))
        for part in sorted(strings):
            if part in names and names[part].file_size > limits["shared_strings_bytes"]:
                raise _BoundExceededError(
                    _("Its shared texts unpack to %(size)s; at most %(limit)s is accepted."),
                    size=_size(names[part].file_size),
                    limit=_size(limits["shared_strings_bytes"]),
                )
        for part in sorted(strings) + sorted(worksheets):
            if part not in names:
                raise zipfile.BadZipFile(part)
            _stream(archive, part, _Sheet(limits))


def _text_kind(text: str) -> str:
    head = text[:4096]
    if head.startswith("WEBVTT") and (len(head) == 6 or head[6] in " \t\r\n"):
        return "webvtt"
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    if len(lines) >= 2 and lines[0].isdigit() and _SRT_TIME.match(lines[1]):
        return "srt"
    lowered = head.lower()
    if any(marker in lowered for marker in _TEAMS_MARKERS):
        return "teams-report"
    return "csv"


def content_kind(data: bytes) -> tuple[str, str | None]:
    """What these bytes are, and their text when they are text."""
    if data.startswith(b"%PDF-"):
        return "pdf", None
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data), None
    text = decode_text(data)
    if text is None:
        return "binary", None
    return _text_kind(text), text


def _accepted(kind: str, allowed: set[str]) -> str | None:
    if kind in allowed:
        return kind
    # A Teams report is a CSV; a plain table may be an older Teams report (its parser decides).
    if kind == "teams-report" and "csv" in allowed:
        return "csv"
    if kind == "csv" and "teams-report" in allowed:
        return "teams-report"
    return None


def _refusal(
    uploaded_file, kind: str, text: str | None, allowed: set[str], data: bytes = b""
) -> ValidationError:
    params = {
        "name": _name(uploaded_file),
        "found": KIND_LABELS.get(kind, kind),
        "expected": ", ".join(str(KIND_LABELS.get(k, k)) for k in sorted(allowed)),
    }
    if "webvtt" in allowed and kind == "srt":
        return ValidationError(
            _(
                "“%(name)s” is an SRT file, not WebVTT. Convert it to WebVTT: the file must "
                "start with the line “WEBVTT” and times use a full stop (00:00:01.000)."
            ),
            code="srt_not_webvtt",
            params=params,
        )
    if "webvtt" in allowed and kind in TEXT_KINDS and text is not None:
        first = next((line for line in text.splitlines() if line.strip()), "")
        params["line"] = first[:60]
        return ValidationError(
            _("“%(name)s” is not a WebVTT file: line 1 must be “WEBVTT”, but it is “%(line)s”."),
            code="no_webvtt_header",
            params=params,
        )
    if kind == "binary" and allowed & TEXT_KINDS and data.startswith(_UTF16_BOMS):
        return ValidationError(
            _("“%(name)s” is cut off or damaged: it cannot be read as UTF-16 text."),
            code="damaged_utf16",
            params=params,
        )
    if kind == "binary" and allowed & TEXT_KINDS:
        return ValidationError(
            _(
                "“%(name)s” cannot be read as text. Save it as UTF-8 or UTF-16 text "
                "(for example “CSV UTF-8”)."
            ),
            code="not_text",
            params=params,
        )
    return ValidationError(
        _("“%(name)s” is %(found)s by its content; expected %(expected)s."),
        code="wrong_content",
        params=params,
    )


def _windows_text(data: bytes) -> str | None:
    """Windows-1252 text (Excel's plain "CSV"), or None when it holds control characters."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return None
    return text


def _bound_error(uploaded_file, bound: _BoundExceededError) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is too large to read safely. %(reason)s"),
        code="too_large_to_read",
        params={"name": _name(uploaded_file), "reason": str(bound.message) % bound.params},
    )


def _check(uploaded_file, data: bytes, allowed: set[str] | frozenset[str]):
    if not data:
        raise ValidationError(
            _("“%(name)s” is empty."), code="empty_file", params={"name": _name(uploaded_file)}
        )
    kind, text = content_kind(data)
    if kind == "binary" and allowed & TABLE_KINDS:
        text = _windows_text(data)
        kind = "binary" if text is None else _text_kind(text)
    if kind in TEXT_KINDS and not (text or "").strip():  # a BOM or white space only
        raise ValidationError(
            _("“%(name)s” has no content: it holds only white space or a byte-order mark."),
            code="empty_text",
            params={"name": _name(uploaded_file)},
        )
    accepted = _accepted(kind, allowed)
    if accepted is None:
        raise _refusal(uploaded_file, kind, text, allowed, data)
    if accepted in TABLE_KINDS:
        _check_table_text(text)
    elif accepted == "xlsx":
        try:
            _check_xlsx(data)
        except (
            zipfile.BadZipFile,
            zlib.error,
            xml.parsers.expat.ExpatError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            ValueError,
            OSError,
        ) as exc:
            raise ValidationError(
                _("“%(name)s” is damaged and cannot be read as an Excel workbook."),
                code="damaged_xlsx",
                params={"name": _name(uploaded_file)},
            ) from exc
    return accepted, text


def sniff_upload(uploaded_file, *, allowed: set[str], max_bytes: int | None = None) -> str:
    """Check an upload's size, content and bounds; return its kind (one of `allowed`).

    The file is left at position 0 for the caller to read.
    """
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    data = _read_all(uploaded_file, max_bytes)
    try:
        return _check(uploaded_file, data, allowed)[0]
    except _BoundExceededError as bound:
        raise _bound_error(uploaded_file, bound) from None


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed `check_upload`: its kind by content, its bytes, its text."""

    kind: str
    data: bytes
    text: str | None
    name: str


def check_upload(upload, *, kind: str, name: str = "") -> CheckedUpload:
    """The one check of every upload point (`UPLOAD_KINDS`: slides, teams-report,
    member-list, captions): size limit `upload_limit(kind)`, content kind, and the bounds
    of tables and workbooks. `upload` is an uploaded file (read at most once, never past
    its limit) or bytes. Raises ValidationError with a translated message naming the file.
    """
    if isinstance(upload, bytes | bytearray | memoryview):
        upload = BytesIO(bytes(upload))
        upload.name = name
    elif name and not getattr(upload, "name", ""):
        upload.name = name
    data = _read_all(upload, upload_limit(kind))
    try:
        found, text = _check(upload, data, UPLOAD_KINDS[kind])
    except _BoundExceededError as bound:
        raise _bound_error(upload, bound) from None
    return CheckedUpload(kind=found, data=data, text=text, name=_name(upload))


def read_text(uploaded_file, *, max_bytes: int | None = None) -> str:
    """The text of an upload (UTF-8/UTF-16, BOM removed); ValidationError when not text."""
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    text = decode_text(_read_all(uploaded_file, max_bytes))
    if text is None:
        raise _refusal(uploaded_file, "binary", None, {"csv"})
    return text
