"""Upload checks by size and by CONTENT, never by the file's name or declared type.

Every upload entry point (captions, Teams attendance reports, member lists, slides) calls
`sniff_upload(file, allowed={...})` before parsing. It returns what the bytes are:

* ``"pdf"``           starts with ``%PDF-``
* ``"xlsx"``          a ZIP holding ``[Content_Types].xml`` and an ``xl/`` folder
* ``"webvtt"``        text whose first line is ``WEBVTT`` (after an optional BOM)
* ``"srt"``           text that starts with a cue number and an SRT time line
* ``"teams-report"``  delimited text with the headings of a Teams attendance report
* ``"csv"``           any other text in UTF-8 or UTF-16 (with or without BOM)

and raises `django.core.exceptions.ValidationError` with a translated message naming the
problem otherwise. `read_text(file)` decodes a text upload the same way.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
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

_SRT_TIME = re.compile(r"^\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}")
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
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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


def _zip_kind(data: bytes) -> str:
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


def _refusal(uploaded_file, kind: str, text: str | None, allowed: set[str]) -> ValidationError:
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


def sniff_upload(uploaded_file, *, allowed: set[str], max_bytes: int | None = None) -> str:
    """Check an upload's size and content; return its kind (one of `allowed`).

    The file is left at position 0 for the caller to read.
    """
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    data = _read_all(uploaded_file, max_bytes)
    if not data:
        raise ValidationError(
            _("“%(name)s” is empty."), code="empty_file", params={"name": _name(uploaded_file)}
        )
    kind, text = content_kind(data)
    if kind in TEXT_KINDS and not (text or "").strip():  # a BOM or white space only
        raise ValidationError(
            _("“%(name)s” has no content: it holds only white space or a byte-order mark."),
            code="empty_text",
            params={"name": _name(uploaded_file)},
        )
    accepted = _accepted(kind, allowed)
    if accepted is None:
        raise _refusal(uploaded_file, kind, text, allowed)
    return accepted


def read_text(uploaded_file, *, max_bytes: int | None = None) -> str:
    """The text of an upload (UTF-8/UTF-16, BOM removed); ValidationError when not text."""
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    text = decode_text(_read_all(uploaded_file, max_bytes))
    if text is None:
        raise _refusal(uploaded_file, "binary", None, {"csv"})
    return text
