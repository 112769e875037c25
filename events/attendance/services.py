"""Attendance: who came (check-in per person, a headcount for open events) and the import
of a Teams attendance report (preview, checks, confirmation, merge of a second report).

The report itself is parsed in events/attendance/teams.py; this module matches its
attendees to registrations and saves, in one transaction, only what a person confirmed."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_audit
from kohtaamo.uploads import check_upload

from ..errors import EventsError
from ..models import (
    AttendanceImport,
    AttendanceSource,
    Event,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from ..registration.services import lock_event
from . import teams


class AttendanceError(EventsError):
    default_message = _("Attendance cannot be recorded for this event.")


def mark_attendance(*, registrations: Iterable[Registration], attended: bool, by) -> int:
    """Check-in: mark registrations as attended or not (bulk). Returns how many changed."""
    ids = [r.pk for r in registrations]
    if not ids:
        return 0
    with transaction.atomic():
        rows = Registration.objects.filter(
            pk__in=ids, status=RegistrationStatus.CONFIRMED
        ).select_related("event")
        event_ids = sorted({r.event_id for r in rows})
        changed = rows.update(attended=attended, attendance_source=AttendanceSource.CHECK_IN)
        for event_id in event_ids:
            record_audit(
                actor=by,
                action="attendance.checked_in",
                obj=Event.objects.get(pk=event_id),
                attended=attended,
                count=changed,
            )
        return changed


def record_headcount(*, event: Event, headcount: int | None, by) -> Event:
    """Drop-in sessions: how many took part (None clears it)."""
    if event.registration_mode != RegistrationMode.DROP_IN:
        raise AttendanceError(
            _("A headcount is for drop-in sessions; use the check-in list for this event.")
        )
    if headcount is not None and headcount < 0:
        raise AttendanceError(_("The headcount cannot be negative."))
    with transaction.atomic():
        locked = lock_event(event)
        old = locked.headcount
        locked.headcount = headcount
        locked.save(update_fields=["headcount", "updated_at"])
        record_audit(actor=by, action="attendance.headcount", obj=locked, old=old, new=headcount)
    event.headcount = headcount
    return event


class AttendanceImportError(EventsError):
    """The file cannot be imported; the message names the line when it can."""

    def __init__(self, message=None, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


class AttendanceAlreadyImportedError(AttendanceImportError):
    default_message = _(
        "This file has already been imported for this event; the numbers were not changed."
    )


class AttendanceNeedsConfirmationError(AttendanceImportError):
    """The organiser can still import the file by confirming on the preview."""


class AttendanceReportMismatchError(AttendanceNeedsConfirmationError):
    """The report looks like another meeting's (date or title); `mismatches` says how."""

    def __init__(self, mismatches: list[ReportMismatch]) -> None:
        self.mismatches = mismatches
        super().__init__(" ".join([*(m.message for m in mismatches), str(MISMATCH_ADVICE)]))


class AttendanceMergeNotConfirmedError(AttendanceNeedsConfirmationError):
    default_message = _(
        "This event already has an imported Teams report. Check in the preview whom this file "
        "adds, then confirm the merge."
    )


# --- Teams attendance import


@dataclass
class AttendeeResult:
    name: str
    email: str
    minutes: int
    joins: int
    status: str  # "matched", "unmatched", "too_short", "note_taker", "host"
    registration_id: int | None = None
    is_guest: bool = False
    role: str = ""
    is_host: bool = False  # organiser, co-organiser or presenter (counted only on request)
    identity: str = field(default="", repr=False)  # the hash kept between files


MISMATCH_ADVICE = _(
    "Check that you chose the report of this event. If it does belong to this event, "
    "confirm it and give a reason; the confirmation is recorded."
)


def _when(value: dt.datetime) -> str:
    """A date and time in the language being shown (fi: 23.11.2026 klo 14.00)."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


@dataclass(frozen=True)
class ReportMismatch:
    """One way a Teams report does not fit the event; the message is built when shown,
    in the language then active."""

    kind: str  # "start", "end", "title"
    report: dt.datetime | str
    event: dt.datetime | str

    @property
    def message(self) -> str:
        if self.kind == "title":
            text = _("The report's meeting is called “%(report)s”, but the event is “%(event)s”.")
            return text % {"report": self.report, "event": self.event}
        if self.kind == "start":
            text = _(
                "The report's meeting started on %(report)s, but the event starts on %(event)s."
            )
        else:
            text = _("The report's meeting ended on %(report)s, but the event ends on %(event)s.")
        return text % {"report": _when(self.report), "event": _when(self.event)}

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class MergePreview:
    """What a further report for the same event changes (people remembered as hashes)."""

    previous_files: int
    added: list[AttendeeResult]
    counted_before: int
    counted_after: int
    matched_before: int
    matched_after: int
    anonymous_before: int
    anonymous_after: int


@dataclass
class AttendanceImportResult:
    """What an import found (and, unless dry_run, saved)."""

    event_id: int
    file_name: str
    file_sha256: str
    report_format: str
    min_minutes: int
    counted: int = 0
    matched: int = 0
    unmatched: int = 0
    too_short: int = 0
    note_takers: int = 0
    hosts: int = 0  # organisers and presenters left out of the counts
    count_hosts: bool = False
    anonymous_attendees: int = 0
    dry_run: bool = False
    saved: bool = False
    people: list[AttendeeResult] = field(default_factory=list)
    report_title: str = ""
    report_start: dt.datetime | None = None
    report_end: dt.datetime | None = None
    mismatches: list[ReportMismatch] = field(default_factory=list)
    merge: MergePreview | None = None
    other_meeting_reason: str = ""

    @property
    def participants(self) -> list[AttendeeResult]:
        return [p for p in self.people if not p.is_host]

    @property
    def host_people(self) -> list[AttendeeResult]:
        return [p for p in self.people if p.is_host]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.mismatches) and not self.other_meeting_reason

    def as_dict(self) -> dict:
        return {
            "event": self.event_id,
            "file": self.file_name,
            "sha256": self.file_sha256,
            "format": self.report_format,
            "min_minutes": self.min_minutes,
            "counted": self.counted,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "too_short": self.too_short,
            "note_takers": self.note_takers,
            "hosts": self.hosts,
            "count_hosts": self.count_hosts,
            "anonymous_attendees": self.anonymous_attendees,
            "report_title": self.report_title,
            "report_start": self.report_start.isoformat() if self.report_start else None,
            "report_end": self.report_end.isoformat() if self.report_end else None,
            "mismatches": [str(m) for m in self.mismatches],
            "merged_with_files": self.merge.previous_files if self.merge else 0,
            "dry_run": self.dry_run,
            "saved": self.saved,
        }


def _identity_hash(key: str) -> str:
    """Imports keep who-was-there only as hashes (no names or e-mails in the summary)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def import_attendance(
    *,
    event: Event,
    file_bytes: bytes,
    file_name: str,
    by,
    dry_run: bool = False,
    count_hosts: bool = False,
    merge: bool = False,
    belongs_to_event: bool = False,
    reason: str = "",
) -> AttendanceImportResult:
    """Import a Teams attendance report for an event.

    People with at least ATTENDANCE_MIN_MINUTES count. A counted person whose e-mail
    matches a (not cancelled) registration marks it attended (source teams, minutes);
    the others are counted in event.anonymous_attendees, no user is created. Note-taker
    bots never count; organisers and presenters (the Role column) only with count_hosts.
    The same file twice is refused (sha256).

    The report must be of this event: its meeting start and end within
    ATTENDANCE_REPORT_TOLERANCE_MINUTES of the event's, and its title (if the file has
    one) containing the event's title, case and spacing ignored. Otherwise the import is
    refused (AttendanceReportMismatchError) unless the organiser confirms belongs_to_event with
    a reason, which is audited. A further file for an event that has one is merged per
    person (longest time over all files, so nobody is counted twice) only with merge=True;
    the dry run shows what it adds (result.merge). See docs/architecture.md."""
    try:
        check_upload(file_bytes, kind="teams-report", name=file_name)
    except ValidationError as exc:
        raise AttendanceImportError(" ".join(exc.messages)) from exc
    sha = hashlib.sha256(file_bytes).hexdigest()
    try:
        report = teams.parse_report(file_bytes)
    except teams.TeamsReportError as exc:
        raise AttendanceImportError(exc.message, line=exc.line) from exc
    return import_report(
        event=event,
        report=report,
        fingerprint=sha,
        source_name=file_name,
        by=by,
        dry_run=dry_run,
        count_hosts=count_hosts,
        merge=merge,
        belongs_to_event=belongs_to_event,
        reason=reason,
    )


def import_report(
    *,
    event: Event,
    report: teams.TeamsReport,
    fingerprint: str,
    source_name: str,
    by,
    dry_run: bool = False,
    count_hosts: bool = False,
    merge: bool = False,
    belongs_to_event: bool = False,
    reason: str = "",
) -> AttendanceImportResult:
    """Import a Teams report however it came: parsed from a file (import_attendance) or
    fetched from Microsoft Graph (events.meetings.services.fetch_teams_attendance).

    Every check of the import is here: the same report twice for the event (`fingerprint`,
    a file's sha256), another meeting's report, organisers and presenters, the merge of a
    further report, the audit. `source_name` is the file's name (or the source's) kept with
    the import. See import_attendance for the rules."""
    min_minutes = getattr(settings, "ATTENDANCE_MIN_MINUTES", 5)
    reason = " ".join((reason or "").split())
    result = AttendanceImportResult(
        event_id=event.pk,
        file_name=source_name,
        file_sha256=fingerprint,
        report_format=report.format,
        min_minutes=min_minutes,
        dry_run=dry_run,
        count_hosts=count_hosts,
        report_title=report.meeting_title,
        report_start=report.meeting_start,
        report_end=report.meeting_end,
    )
    with transaction.atomic():
        locked = lock_event(event)
        if locked.attendance_imports.filter(file_sha256=fingerprint).exists():
            raise AttendanceAlreadyImportedError
        result.mismatches = _report_mismatches(locked, report)
        people = _classify(locked, report, min_minutes, result, count_hosts=count_hosts)
        previous = list(locked.attendance_imports.values_list("summary", flat=True))
        result.anonymous_attendees = _anonymous_total(previous, people)
        if previous:
            result.merge = _merge_preview(previous, people, result)
        if result.mismatches and belongs_to_event:
            if not reason:
                raise AttendanceNeedsConfirmationError(
                    _("Say why this report belongs to this event, so that it can be checked.")
                )
            if len(reason) > OTHER_MEETING_REASON_MAX:
                raise AttendanceNeedsConfirmationError(
                    _("The reason is too long: at most %(count)s characters.")
                    % {"count": OTHER_MEETING_REASON_MAX}
                )
            result.other_meeting_reason = reason
        if dry_run:
            transaction.set_rollback(True)
            return result
        if result.needs_confirmation:
            raise AttendanceReportMismatchError(result.mismatches)
        if result.merge and not merge:
            raise AttendanceMergeNotConfirmedError
        _save_import(locked, result, people, by)
    event.anonymous_attendees = locked.anonymous_attendees
    result.saved = True
    return result


OTHER_MEETING_REASON_MAX = 500


def _normal_title(text: str) -> str:
    """A title compared with case and spacing ignored."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _report_mismatches(event: Event, report) -> list[ReportMismatch]:
    """How the report's meeting differs from the event, beyond the tolerance."""
    tolerance = dt.timedelta(minutes=settings.ATTENDANCE_REPORT_TOLERANCE_MINUTES)
    found = []
    if report.meeting_start and abs(report.meeting_start - event.starts_at) > tolerance:
        found.append(ReportMismatch("start", report.meeting_start, event.starts_at))
    elif report.meeting_end and abs(report.meeting_end - event.ends_at) > tolerance:
        found.append(ReportMismatch("end", report.meeting_end, event.ends_at))
    if report.meeting_title:
        meeting = _normal_title(report.meeting_title)
        titles = {event.display_title, event.title, event.theme.title if event.theme_id else ""}
        if not any(_normal_title(t) and _normal_title(t) in meeting for t in titles):
            found.append(ReportMismatch("title", report.meeting_title, event.display_title))
    return found


def _classify(event: Event, report, min_minutes: int, result, *, count_hosts: bool) -> dict:
    registrations = {
        r.email.lower(): r
        for r in event.registrations.exclude(status=RegistrationStatus.CANCELLED).exclude(email="")
    }
    people = {}
    for person in report.attendees:
        registration = registrations.get(person.email) if person.email else None
        if person.is_bot:
            status = "note_taker"
            result.note_takers += 1
        elif person.is_host and not count_hosts:
            status = "host"
            result.hosts += 1
        elif person.seconds < min_minutes * 60:
            status = "too_short"
            result.too_short += 1
        else:
            result.counted += 1
            status = "matched" if registration else "unmatched"
            if registration:
                result.matched += 1
            else:
                result.unmatched += 1
        identity = _identity_hash(person.key)
        result.people.append(
            AttendeeResult(
                name=person.name,
                email=person.email,
                minutes=person.minutes,
                joins=person.joins,
                status=status,
                registration_id=registration.pk if registration else None,
                is_guest=person.is_guest,
                role=person.role,
                is_host=person.is_host and not person.is_bot,
                identity=identity,
            )
        )
        if status != "note_taker":
            people[identity] = {
                "seconds": person.seconds,
                "counted": status in ("matched", "unmatched"),
                "registration": registration.pk if registration else None,
            }
    return people


def _merged_people(summaries: list[dict]) -> dict[str, dict]:
    """Per person over several files: the longest time, and a registration if any file
    matched one."""
    merged: dict[str, dict] = {}
    for summary in summaries:
        for key, person in (summary or {}).get("people", {}).items():
            best = merged.get(key)
            if best is None or person["seconds"] > best["seconds"]:
                merged[key] = dict(person, registration=person.get("registration"))
            if person.get("registration"):
                merged[key]["registration"] = person["registration"]
    return merged


def _anonymous_total(previous: list[dict], people: dict) -> int:
    """Distinct counted people without a registration over all files of the event."""
    merged = _merged_people([*previous, {"people": people}])
    return sum(1 for p in merged.values() if p["counted"] and not p.get("registration"))


def _merge_preview(previous: list[dict], people: dict, result) -> MergePreview:
    before = _merged_people(previous)
    after = _merged_people([*previous, {"people": people}])

    def totals(merged):
        counted = [p for p in merged.values() if p["counted"]]
        matched = sum(1 for p in counted if p.get("registration"))
        return len(counted), matched, len(counted) - matched

    counted_before, matched_before, anonymous_before = totals(before)
    counted_after, matched_after, anonymous_after = totals(after)
    added = [
        p
        for p in result.people
        if after.get(p.identity, {}).get("counted")
        and not before.get(p.identity, {}).get("counted")
    ]
    return MergePreview(
        previous_files=len(previous),
        added=added,
        counted_before=counted_before,
        counted_after=counted_after,
        matched_before=matched_before,
        matched_after=matched_after,
        anonymous_before=anonymous_before,
        anonymous_after=anonymous_after,
    )


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _save_import(event: Event, result: AttendanceImportResult, people: dict, by) -> None:
    try:
        with transaction.atomic():
            AttendanceImport.objects.create(
                event=event,
                file_sha256=result.file_sha256,
                file_name=result.file_name[:255],
                imported_by=_actor(by),
                report_format=result.report_format,
                counted=result.counted,
                matched=result.matched,
                unmatched=result.unmatched,
                too_short=result.too_short,
                summary={"people": people, "min_minutes": result.min_minutes},
            )
    except IntegrityError as exc:
        raise AttendanceAlreadyImportedError from exc
    by_registration = {
        p.registration_id: p
        for p in result.people
        if p.registration_id and p.status in ("matched", "too_short")  # not hosts, not bots
    }
    regs = Registration.objects.select_for_update().filter(pk__in=list(by_registration))
    for registration in regs:
        person = by_registration[registration.pk]
        registration.minutes_attended = max(registration.minutes_attended or 0, person.minutes)
        if person.status == "matched":
            registration.attended = True
            registration.attendance_source = AttendanceSource.TEAMS
        elif registration.attended is None:  # too short; a check-in mark is kept
            registration.attended = False
            registration.attendance_source = AttendanceSource.TEAMS
        registration.save(update_fields=["attended", "attendance_source", "minutes_attended"])
    event.anonymous_attendees = result.anonymous_attendees
    event.save(update_fields=["anonymous_attendees", "updated_at"])
    record_audit(
        actor=by,
        action="attendance.teams_imported",
        obj=event,
        file=result.file_name,
        counted=result.counted,
        matched=result.matched,
        unmatched=result.unmatched,
        too_short=result.too_short,
        hosts_left_out=result.hosts,
        merged_with_files=result.merge.previous_files if result.merge else None,
    )
    if result.mismatches:  # the organiser confirmed a report that looks like another meeting
        record_audit(
            actor=by,
            action="attendance.teams_report_confirmed",
            obj=event,
            file=result.file_name,
            reason=result.other_meeting_reason,
            differences=[m.kind for m in result.mismatches],
            report_start=result.report_start.isoformat() if result.report_start else None,
            report_end=result.report_end.isoformat() if result.report_end else None,
            report_title=result.report_title or None,
            event_start=timezone.localtime(event.starts_at).isoformat(),
            event_end=timezone.localtime(event.ends_at).isoformat(),
        )
