"""Teams attendance reports from Graph, turned into the ``TeamsReport`` that the file parser
(events/attendance/teams.py) builds, so that one import service takes either.

``fetch_attendance`` reads every report of an online meeting (one per session: a meeting
ended and started again has two) with all their records. ``to_teams_report`` keys people as
the parser does (e-mail, else the name without the guest suffix), merges re-joins (time of
overlapping joins counted once) and keeps Graph's role, so organisers and presenters are
hosts as in a file. ``fingerprint`` is a stable SHA-256 of the records, the file's sha256 in
the import: the same report is not imported twice.

Reports appear some minutes after a meeting ends and are kept about a year (Teams'
retention); none yet is ``GraphError("not_ready")``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from events.attendance.teams import (
    Attendee,
    TeamsReport,
    _union_seconds,
    clean_name,
    is_note_taker,
    person_key,
)

from .errors import BAD_RESPONSE, NOT_READY, GraphError
from .graph import GraphClient
from .meetings import find_online_meeting_id

FORMAT_GRAPH = "graph"  # TeamsReport.format of a report read from Graph


@dataclass(frozen=True)
class AttendanceInterval:
    joined: dt.datetime | None
    left: dt.datetime | None
    seconds: int


@dataclass(frozen=True)
class FetchedRecord:
    """One attendanceRecord: a person in one report."""

    email: str
    display_name: str
    identity_id: str
    role: str
    total_seconds: int
    intervals: tuple[AttendanceInterval, ...]


@dataclass(frozen=True)
class FetchedReport:
    """One meetingAttendanceReport (one session of the meeting) with all its records."""

    report_id: str
    meeting_start: dt.datetime | None
    meeting_end: dt.datetime | None
    participant_count: int | None
    records: tuple[FetchedRecord, ...]


def _when(value: Any) -> dt.datetime | None:
    """Graph's UTC timestamps (``2021-10-05T04:38:27.6027225Z``) as aware datetimes."""
    if not value:
        return None
    if not isinstance(value, str):
        raise GraphError(BAD_RESPONSE, detail="a timestamp that is not text")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise GraphError(BAD_RESPONSE, detail=f"not a timestamp: {value[:40]}") from exc
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _int(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError) as exc:
        raise GraphError(BAD_RESPONSE, detail="a number that is not one") from exc


def _record(raw: dict[str, Any]) -> FetchedRecord:
    identity = raw.get("identity") if isinstance(raw.get("identity"), dict) else {}
    intervals = [
        AttendanceInterval(
            joined=_when(interval.get("joinDateTime")),
            left=_when(interval.get("leaveDateTime")),
            seconds=_int(interval.get("durationInSeconds")),
        )
        for interval in raw.get("attendanceIntervals") or []
        if isinstance(interval, dict)
    ]
    role = str(raw.get("role") or "")
    return FetchedRecord(
        email=str(raw.get("emailAddress") or "").strip(),
        display_name=str(identity.get("displayName") or "").strip(),
        identity_id=str(identity.get("id") or ""),
        role="" if role.casefold() == "none" else role,
        total_seconds=_int(raw.get("totalAttendanceInSeconds")),
        intervals=tuple(intervals),
    )


def fetch_attendance(
    *, online_meeting_id: str = "", join_url: str = "", client: GraphClient | None = None
) -> list[FetchedReport]:
    """Every attendance report of the meeting, oldest first, each with all its records.

    Give the online meeting's id, or its join URL to look the id up. Raises GraphError:
    ``not_ready`` when Teams has no report yet, ``not_found`` when the meeting is gone,
    ``forbidden`` without OnlineMeetingArtifact.Read.All or the application access policy."""
    graph = client or GraphClient()
    if not online_meeting_id:
        if not join_url:
            raise ValueError("fetch_attendance needs online_meeting_id or join_url")
        online_meeting_id = find_online_meeting_id(join_url=join_url, client=graph)
    reports = []
    for raw in graph.get_all(
        graph.user_path("onlineMeetings", online_meeting_id, "attendanceReports")
    ):
        report_id = str(raw.get("id") or "")
        if not report_id:
            raise GraphError(BAD_RESPONSE, detail="an attendance report without id")
        records = graph.get_all(
            graph.user_path(
                "onlineMeetings", online_meeting_id, "attendanceReports", report_id,
                "attendanceRecords",
            )
        )  # fmt: skip
        count = raw.get("totalParticipantCount")
        reports.append(
            FetchedReport(
                report_id=report_id,
                meeting_start=_when(raw.get("meetingStartDateTime")),
                meeting_end=_when(raw.get("meetingEndDateTime")),
                participant_count=_int(count) if count is not None else None,
                records=tuple(_record(record) for record in records),
            )
        )
    if not reports:
        raise GraphError(NOT_READY)
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(reports, key=lambda r: (r.meeting_start or far_future, r.report_id))


def _reports(fetched: FetchedReport | Iterable[FetchedReport]) -> list[FetchedReport]:
    return [fetched] if isinstance(fetched, FetchedReport) else list(fetched)


def _person(record: FetchedRecord, report_id: str, index: int) -> tuple[str, str, bool]:
    """(key, name, guest) as the file parser decides them; a nameless anonymous joiner is
    kept apart by its identity id."""
    name, guest = clean_name(record.display_name)
    if record.email and "@" in record.email:
        return person_key(name, record.email), name, guest
    if name:
        return person_key(name, ""), name, True  # anonymous or a guest without e-mail
    anonymous = gettext("Anonymous participant")
    return f"id:{record.identity_id or f'{report_id}/{index}'}", anonymous, True


def to_teams_report(
    fetched: FetchedReport | Iterable[FetchedReport], *, title: str = ""
) -> TeamsReport:
    """The TeamsReport of one fetched report, or of several sessions together (a person's
    time over all of them, overlaps once). ``title``: the meeting's subject, when known."""
    reports = _reports(fetched)
    people: dict[str, Attendee] = {}
    totals: dict[str, int] = {}  # records without usable intervals: Graph's total
    rows = 0
    for report in reports:
        for index, record in enumerate(report.records):
            rows += 1
            key, name, guest = _person(record, report.report_id, index)
            person = people.get(key)
            if person is None:
                email = record.email.lower() if "@" in record.email else ""
                person = Attendee(key=key, name=name, email=email)
                person.is_bot = is_note_taker(record.display_name, record.email)
                people[key] = person
            person.is_guest = person.is_guest or guest
            person.role = person.role or record.role
            usable = [i for i in record.intervals if i.joined and i.left]
            for interval in usable:
                person.intervals.append((interval.joined, max(interval.joined, interval.left)))
                person.first_join = min(filter(None, [person.first_join, interval.joined]))
                person.last_leave = max(filter(None, [person.last_leave, interval.left]))
            person.joins += len(usable) or 1
            if not usable:
                totals[key] = totals.get(key, 0) + record.total_seconds
    for key, person in people.items():
        person.seconds = _union_seconds(person.intervals) if person.intervals else totals[key]
    starts = [r.meeting_start for r in reports if r.meeting_start]
    ends = [r.meeting_end for r in reports if r.meeting_end]
    joins = [p.first_join for p in people.values() if p.first_join]
    leaves = [p.last_leave for p in people.values() if p.last_leave]
    return TeamsReport(
        format=FORMAT_GRAPH,
        attendees=sorted(people.values(), key=lambda a: a.name.casefold()),
        meeting_title=title,
        rows_read=rows,
        meeting_start=min(starts or joins) if (starts or joins) else None,
        meeting_end=max(ends or leaves) if (ends or leaves) else None,
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def fingerprint(fetched: FetchedReport | Iterable[FetchedReport]) -> str:
    """SHA-256 (hex) of a canonical JSON of the reports' records: equal for the same
    report fetched twice, whatever order Graph lists things in."""
    canonical = []
    for report in sorted(_reports(fetched), key=lambda r: r.report_id):
        records = [
            {
                "email": record.email.lower(),
                "name": record.display_name,
                "id": record.identity_id,
                "role": record.role,
                "seconds": record.total_seconds,
                "intervals": sorted(
                    [_iso(i.joined) or "", _iso(i.left) or "", i.seconds] for i in record.intervals
                ),
            }
            for record in report.records
        ]
        canonical.append(
            {
                "report": report.report_id,
                "start": _iso(report.meeting_start),
                "end": _iso(report.meeting_end),
                "records": sorted(records, key=lambda r: json.dumps(r, sort_keys=True)),
            }
        )
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
