"""The programme's archive: every table as CSV, a data dictionary, the final report's PDF and
the caption files in one ZIP (docs/archive.md).

- ``build_archive`` writes the ZIP to a file, streaming: each table is read in chunks
  (``.iterator(chunk_size=…)``) and written straight into its ZIP member, so memory stays
  bounded however long the tables are.
- ``request_archive`` records a request and its build task in one transaction (the outbox);
  ``run_archive_request`` (the task) builds it into private storage.

What each column holds and how it is treated lives in ``archive.classification``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import record_audit

from .classification import FIELDS, NOT_ARCHIVED, Treatment
from .models import ArchiveRequest, ArchiveStatus

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
CAPTION_CHUNK_SIZE = 50
BUILD_TASK = "archive.build"
PSEUDONYM_HEX = 20  # 80 bits: no collisions in a programme's people, unreadable without key
DICTIONARY_HEADER = [
    "table",
    "table_meaning",
    "file",
    "column",
    "type",
    "meaning",
    "personal_data",
    "treatment",
]


# --- what is archived ---------------------------------------------------------------------


def archived_models() -> list[type[models.Model]]:
    """The project's own models whose rows go into the archive, in a stable order."""
    found = []
    for label in settings.PROJECT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        found.extend(
            model
            for model in config.get_models()
            if model._meta.label not in NOT_ARCHIVED and not model._meta.proxy
        )
    return found


def treatment_of(model: type[models.Model], field: models.Field) -> Treatment | None:
    """How a column is treated (None: not classified, so it is left out)."""
    return FIELDS.get(model._meta.label, {}).get(field.name)


@dataclass
class Column:
    field: models.Field
    treatment: Treatment | None

    @property
    def archived(self) -> bool:
        return self.treatment in (Treatment.KEEP, Treatment.PERSONAL, Treatment.PERSON)


def columns_of(model: type[models.Model]) -> list[Column]:
    return [Column(f, treatment_of(model, f)) for f in model._meta.concrete_fields]


# --- pseudonyms ---------------------------------------------------------------------------


def pseudonym_key() -> bytes:
    """ARCHIVE_PSEUDONYM_KEY, or a key derived from SECRET_KEY for this purpose only."""
    configured = getattr(settings, "ARCHIVE_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"kohtaamo.archive.pseudonym", hashlib.sha256
    ).digest()


class Pseudonymiser:
    """HMAC-SHA256 of a value under the archive's key: the same value (an e-mail address
    in any table, in any letter case) always gives the same pseudonym, and without the key
    a pseudonym cannot be turned back into the value."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()
        return "p-" + digest[:PSEUDONYM_HEX]

    def person(self, pk) -> str:
        return "" if pk is None else self._mac(f"person:{pk}")

    def value(self, value) -> str:
        if value is None or (isinstance(value, str | list | dict) and not value):
            return ""
        if isinstance(value, dict | list):
            text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        else:
            text = " ".join(str(value).split()).casefold()
        return self._mac(f"value:{text}")


# --- cells --------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _converter(column: Column, *, keep: bool, pseudonyms: Pseudonymiser) -> Callable:
    if keep or column.treatment == Treatment.KEEP:
        return _cell
    if column.treatment == Treatment.PERSON:
        return pseudonyms.person
    return pseudonyms.value


# --- the dictionary -----------------------------------------------------------------------


def _type_of(field: models.Field) -> str:
    kind = field.get_internal_type()
    if field.is_relation and field.related_model is not None:
        return f"{kind} → {field.related_model._meta.db_table}"
    return kind


def _meaning(field: models.Field) -> str:
    text = str(field.verbose_name)
    text = text[:1].upper() + text[1:]
    if field.help_text:
        text = f"{text}. {field.help_text}"
    if field.choices:
        values = "; ".join(f"{key} = {label}" for key, label in field.flatchoices)
        text = f"{text}. " + _("Values: %(values)s") % {"values": values}
    return text


def _treatment_text(treatment: Treatment | None, *, keep: bool) -> str:
    if treatment is None:
        return _("left out: not classified")
    if treatment == Treatment.SECRET:
        return _("left out: a secret (password, token, key or access link)")
    if treatment == Treatment.KEEP or keep:
        return _("kept")
    return _("pseudonymised")


def _personal_text(treatment: Treatment | None) -> str:
    if treatment in (Treatment.PERSONAL, Treatment.PERSON):
        return _("yes")
    if treatment == Treatment.SECRET:
        return _("secret")
    if treatment is None:
        return _("not classified")
    return _("no")


def _table_file(model: type[models.Model]) -> str:
    return f"tables/{model._meta.db_table}.csv"


def dictionary_rows(*, keep: bool) -> Iterator[list[str]]:
    """One row per column of every table (archived or left out), in the active language."""
    for model in archived_models():
        meaning = str(model._meta.verbose_name_plural)
        for column in columns_of(model):
            yield [
                model._meta.db_table,
                meaning[:1].upper() + meaning[1:],
                _table_file(model),
                column.field.attname,
                _type_of(column.field),
                _meaning(column.field),
                _personal_text(column.treatment),
                _treatment_text(column.treatment, keep=keep),
            ]
    for label, reason in NOT_ARCHIVED.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        yield [
            model._meta.db_table,
            str(model._meta.verbose_name_plural),
            "",
            "",
            "",
            "",
            "",
            _("table not archived: %(reason)s") % {"reason": reason},
        ]


# --- writing ------------------------------------------------------------------------------


def _csv_member(archive: zipfile.ZipFile, name: str):
    """A CSV writer straight into a ZIP member (UTF-8 with BOM, for Excel)."""
    raw = archive.open(name, "w", force_zip64=True)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    return text, csv.writer(text)


def _write_table(archive: zipfile.ZipFile, model, *, keep: bool, pseudonyms: Pseudonymiser) -> int:
    columns = [c for c in columns_of(model) if c.archived]
    converters = [_converter(c, keep=keep, pseudonyms=pseudonyms) for c in columns]
    text, writer = _csv_member(archive, _table_file(model))
    rows = 0
    with text:
        writer.writerow([c.field.attname for c in columns])
        query = (
            model._base_manager.order_by("pk")
            .values_list(*(c.field.attname for c in columns))
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for values in query:
            writer.writerow([convert(v) for convert, v in zip(converters, values, strict=True)])
            rows += 1
    return rows


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _write_captions(archive: zipfile.ZipFile) -> int:
    """Every caption track's current text (`CaptionTrack.vtt`, the newest version's), as
    captions/<recording id>-<language>-<kind>.vtt."""
    from recordings.models import CaptionTrack  # noqa: PLC0415 - the archive reads every app

    written = 0
    tracks = (
        CaptionTrack.objects.exclude(vtt="")
        .order_by("recording_id", "language", "kind")
        .values_list("recording_id", "language", "kind", "vtt")
        .iterator(chunk_size=CAPTION_CHUNK_SIZE)
    )
    for recording_id, language, kind, vtt in tracks:
        name = f"captions/{recording_id}-{_UNSAFE.sub('_', language)}-{_UNSAFE.sub('_', kind)}.vtt"
        archive.writestr(name, vtt.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        written += 1
    return written


def programme_dates(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The whole programme: its first event's date to its last held event (today at most)."""
    from events.reports.periods import programme_period  # noqa: PLC0415

    period = programme_period()
    today = today or timezone.localdate()
    end = min(period.end, today)
    return period.start, max(end, period.start)


def final_report_pdf(*, language: str, as_of: dt.datetime) -> tuple[bytes, str]:
    """The final report over the whole programme as a PDF, and the period's label."""
    from events.reports.compute import attendance_report  # noqa: PLC0415
    from events.reports.documents import funder_report_pdf  # noqa: PLC0415
    from events.reports.final import final_report_tables  # noqa: PLC0415
    from events.reports.periods import range_label  # noqa: PLC0415

    start, end = programme_dates(timezone.localtime(as_of).date())
    with translation.override(language):
        label = _("Whole programme (%(range)s)") % {"range": range_label(start, end)}
    report = attendance_report(
        start=start, end=end, breakdowns=["kind", "theme"], label=label, as_of=as_of, compare=False
    )
    tables = final_report_tables(report)
    return funder_report_pdf(report, language=language, final=tables), label


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the whole read; on PostgreSQL a read-only REPEATABLE READ one,
    so every table, the PDF and the captions show the same moment (when the caller has
    not opened a transaction already: then its isolation stands)."""
    connection = transaction.get_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


@dataclass
class ArchiveSummary:
    path: Path
    keep_personal_data: bool
    language: str
    period: str
    tables: dict[str, int] = field(default_factory=dict)
    captions: int = 0


def _readme(summary: ArchiveSummary, *, made_at: dt.datetime) -> str:
    lines = [
        _("Kohtaamo: the programme's archive"),
        "",
        _("Made: %(when)s") % {"when": date_format(timezone.localtime(made_at), "DATETIME_FORMAT")},
        _("Period of the final report: %(period)s") % {"period": summary.period},
        (
            _("Personal data: kept (ARCHIVE_KEEP_PERSONAL_DATA is on).")
            if summary.keep_personal_data
            else _(
                "Personal data: pseudonymised. Names, e-mail addresses, phone numbers, free "
                "text that can identify a person and people's ids are replaced by pseudonyms "
                "(p-…). The same value has the same pseudonym in every table, so tables can "
                "still be joined, but a pseudonym cannot be turned back into the value."
            )
        ),
        _(
            "Never archived: password hashes, tokens, keys, secret links, sessions and the "
            "secrets of connected accounts."
        ),
        "",
        _("Contents:"),
        _("- tables/: one CSV file per table (UTF-8, first row: the column names)"),
        _(
            "- data_dictionary.csv: every table and column, its type, its meaning, whether "
            "it holds personal data and how it was treated"
        ),
        _("- final_report.pdf: the final report over the whole programme"),
        _("- captions/: the caption files, <recording id>-<language>-<kind>.vtt"),
        "",
        _("Rows per table:"),
        *(f"- {name}: {rows}" for name, rows in summary.tables.items()),
        _("Caption files: %(count)s") % {"count": summary.captions},
        "",
    ]
    return "\r\n".join(lines)


def build_archive(
    *,
    output: Path | str,
    keep_personal_data: bool | None = None,
    language: str | None = None,
    as_of: dt.datetime | None = None,
) -> ArchiveSummary:
    """Write the programme's archive ZIP to `output` (replaced only once complete).

    `keep_personal_data` defaults to ARCHIVE_KEEP_PERSONAL_DATA, `language` (of the
    dictionary, the README and the PDF) to ARCHIVE_LANGUAGE.
    """
    output = Path(output)
    keep = keeps_personal_data() if keep_personal_data is None else keep_personal_data
    language = language or getattr(settings, "ARCHIVE_LANGUAGE", "fi")
    as_of = as_of or timezone.now()
    pseudonyms = Pseudonymiser(pseudonym_key())
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, part = tempfile.mkstemp(prefix=".archive-", suffix=".part", dir=output.parent)
    os.close(handle)
    try:
        with translation.override(language), _snapshot():
            pdf, label = final_report_pdf(language=language, as_of=as_of)
            summary = ArchiveSummary(
                path=output, keep_personal_data=keep, language=language, period=label
            )
            with zipfile.ZipFile(
                part, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            ) as archive:
                for model in archived_models():
                    summary.tables[model._meta.db_table] = _write_table(
                        archive, model, keep=keep, pseudonyms=pseudonyms
                    )
                text, writer = _csv_member(archive, "data_dictionary.csv")
                with text:
                    writer.writerow(DICTIONARY_HEADER)
                    writer.writerows(dictionary_rows(keep=keep))
                archive.writestr("final_report.pdf", pdf)
                summary.captions = _write_captions(archive)
                archive.writestr("README.txt", _readme(summary, made_at=as_of).encode("utf-8"))
        Path(part).replace(output)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    return summary


# --- requests from the reports page -------------------------------------------------------


def archive_storage() -> Storage:
    """Private storage for archives: STORAGES["archive"] if configured, else ARCHIVE_ROOT on
    the file system (never under MEDIA_ROOT: there is no public URL to an archive)."""
    if "archive" in settings.STORAGES:
        return storages["archive"]
    return FileSystemStorage(location=settings.ARCHIVE_ROOT, base_url=None)


def keeps_personal_data() -> bool:
    """ARCHIVE_KEEP_PERSONAL_DATA: whether archives keep personal data as it is."""
    return bool(getattr(settings, "ARCHIVE_KEEP_PERSONAL_DATA", False))


@transaction.atomic
def request_archive(*, by) -> ArchiveRequest:
    """Record that `by` asked for an archive; the build runs in a background task."""
    from outbox.services import enqueue  # noqa: PLC0415

    request = ArchiveRequest.objects.create(
        requested_by=by,
        keep_personal_data=keeps_personal_data(),
        language=getattr(settings, "ARCHIVE_LANGUAGE", "fi"),
    )
    record_audit(
        actor=by,
        action="archive.requested",
        obj=request,
        keep_personal_data=request.keep_personal_data,
    )
    enqueue(task=BUILD_TASK, args=[request.pk], key=f"archive:{request.pk}")
    return request


def run_archive_request(*, request_id: int) -> bool:
    """Build the archive of one request into private storage (the task). Idempotent: a
    request that is already done is left alone. False when there was nothing to do."""
    from outbox.services import stale_claim_limit  # noqa: PLC0415

    now = timezone.now()
    # Claimed by one UPDATE: pending, failed (a retry), or running so long that its worker
    # must have died (the outbox's stale-claim limit, longer than the task time limit).
    claimable = Q(status__in=[ArchiveStatus.PENDING, ArchiveStatus.FAILED]) | Q(
        status=ArchiveStatus.RUNNING, started_at__lte=now - stale_claim_limit()
    )
    if not ArchiveRequest.objects.filter(claimable, pk=request_id).update(
        status=ArchiveStatus.RUNNING, started_at=now, error=""
    ):
        return False  # done already, gone, or being made right now
    request = ArchiveRequest.objects.get(pk=request_id)
    made_at = timezone.now()
    name = f"kohtaamo-archive-{timezone.localtime(made_at):%Y%m%d-%H%M%S}-{request.pk}.zip"
    try:
        with tempfile.TemporaryDirectory(prefix="kohtaamo-archive-") as folder:
            path = Path(folder) / name
            build_archive(
                output=path,
                keep_personal_data=request.keep_personal_data,
                language=request.language,
                as_of=made_at,
            )
            storage = archive_storage()
            with path.open("rb") as handle:
                stored = storage.save(name, File(handle, name=name))
            size = path.stat().st_size
    except Exception as exc:
        ArchiveRequest.objects.filter(pk=request_id).update(
            status=ArchiveStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__module__}.{type(exc).__qualname__}"[:200],
        )
        raise
    ArchiveRequest.objects.filter(pk=request_id).update(
        status=ArchiveStatus.DONE, finished_at=timezone.now(), file_name=stored, size=size
    )
    return True


def open_archive(*, request: ArchiveRequest, by):
    """The stored ZIP of a finished request, opened for reading (the download is audited).
    FileNotFoundError when it is not ready or its file is gone."""
    if not request.is_ready:
        raise FileNotFoundError(request.pk)
    storage = archive_storage()
    if not storage.exists(request.file_name):
        raise FileNotFoundError(request.file_name)
    record_audit(actor=by, action="archive.downloaded", obj=request)
    return storage.open(request.file_name, "rb")
