"""A Graph client that answers from recorded responses instead of the network: the demo data
(events/demo.py) makes its Teams meetings and fetches their attendance through the same
functions (meetings.py, attendance.py) and the same events services as a site with Graph
configured, with this client as their ``client=``.

The answers are the JSON files in ``microsoft365/recorded/`` (shapes from Microsoft's
documented example responses; each file says where it came from), filled in per meeting as
Graph would: every created meeting gets its own ids and join URL (from its ``transactionId``,
so the same demo gives the same ids), a meeting is found by its join URL, moved, cancelled
or deleted. A meeting given ``add_attendance`` has the recorded attendance report, its times
moved to the meeting's and the recorded people replaced by the ones given; any other meeting
has no report yet (Graph's empty list: ``not_ready``). Nothing is sent anywhere and no
configuration is needed.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import itertools
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .errors import BAD_RESPONSE, NOT_FOUND, GraphError

RECORDED = Path(__file__).parent / "recorded"
DEMO_ORGANISER = "tapahtumat@kohtaamo.example"
_MEETING_TOKEN = re.compile(r"meeting_[A-Za-z0-9]+")
_ODATA_STRING = re.compile(r"^JoinWebUrl eq '((?:[^']|'')*)'$")


@cache
def _recorded(name: str) -> str:
    """A recorded answer's JSON text (after its leading // lines: where it came from)."""
    lines = (RECORDED / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("//"))


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of a recorded answer."""
    return json.loads(_recorded(name))


def _utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _graph_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moved(value: str | None, shift: dt.timedelta) -> str | None:
    return _graph_time(_utc(value) + shift) if value else value


class ReplayClient:
    """What meetings.py and attendance.py use of ``graph.GraphClient`` (``user_path``, ``get``,
    ``get_all``, ``post``, ``patch``, ``delete``, ``sleep``), answered from the recordings.
    ``calls`` lists (method, path) of every call."""

    def __init__(self, *, organiser: str = DEMO_ORGANISER) -> None:
        self.organiser = organiser
        self.calls: list[tuple[str, str]] = []
        self._events: dict[str, dict[str, Any]] = {}  # calendar event id -> the event
        self._people: dict[str, tuple[tuple[str, str], list[tuple[str, str]]]] = {}
        self._numbers = itertools.count(1)

    def sleep(self, seconds: float) -> None:
        """Nothing to wait for."""

    # ---------------------------------------------------------------- as GraphClient

    def user_path(self, *parts: str) -> str:
        segments = (self.organiser, *parts)
        return "/users/" + "/".join(quote(part, safe="=:@") for part in segments)

    def get(self, path: str, *, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls.append(("GET", path))
        parts = self._parts(path)
        if parts == ["onlineMeetings"]:
            return self._find(str((params or {}).get("$filter", "")))
        if len(parts) == 3 and parts[0] == "onlineMeetings" and parts[2] == "attendanceReports":
            return self._reports(parts[1])
        if (
            len(parts) == 5
            and parts[0] == "onlineMeetings"
            and parts[2:5:2] == ["attendanceReports", "attendanceRecords"]
        ):
            return self._records(parts[1], parts[3])
        raise GraphError(BAD_RESPONSE, detail=f"nothing recorded for GET {path}")

    def get_all(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        page: dict[str, Any] | None = self.get(path, params=params)
        while page is not None:
            yield from (item for item in page.get("value") or [] if isinstance(item, dict))
            link = page.get("@odata.nextLink")
            page = self.get(urlsplit(link).path) if link else None

    def post(
        self, path: str, *, json: Any = None, idempotent: bool | None = None
    ) -> dict[str, Any] | None:
        del idempotent
        self.calls.append(("POST", path))
        parts = self._parts(path)
        if parts == ["events"]:
            return self._create(json or {})
        if len(parts) == 3 and parts[0] == "events" and parts[2] == "cancel":
            self._event(parts[1])["isCancelled"] = True
            return None  # 202 Accepted, no body
        raise GraphError(BAD_RESPONSE, detail=f"nothing recorded for POST {path}")

    def patch(self, path: str, *, json: Any) -> dict[str, Any] | None:
        self.calls.append(("PATCH", path))
        parts = self._parts(path)
        if len(parts) != 2 or parts[0] != "events":
            raise GraphError(BAD_RESPONSE, detail=f"nothing recorded for PATCH {path}")
        event = self._event(parts[1])
        event.update({k: v for k, v in (json or {}).items() if k in ("subject", "start", "end")})
        return copy.deepcopy(event)

    def delete(self, path: str) -> None:
        self.calls.append(("DELETE", path))
        parts = self._parts(path)
        if len(parts) != 2 or parts[0] != "events":
            raise GraphError(BAD_RESPONSE, detail=f"nothing recorded for DELETE {path}")
        self._event(parts[1])
        del self._events[parts[1]]

    # ---------------------------------------------------------------- the demo's part

    def add_attendance(
        self,
        online_meeting_id: str,
        *,
        organiser: tuple[str, str],
        attendees: Sequence[tuple[str, str]],
    ) -> None:
        """Give the meeting the recorded attendance report: ``organiser`` (e-mail, name) in
        the Organizer's record, ``attendees`` in the Attendee records that have an e-mail
        address, in order (the rest keep the recorded ones)."""
        self._meeting(online_meeting_id)
        self._people[online_meeting_id] = (organiser, list(attendees))

    # ---------------------------------------------------------------- answers

    def _parts(self, path: str) -> list[str]:
        prefix = self.user_path() + "/"
        if not path.startswith(prefix):
            raise GraphError(BAD_RESPONSE, detail=f"not the organiser's: {path}")
        return [unquote(part) for part in path[len(prefix) :].split("/")]

    def _event(self, event_id: str) -> dict[str, Any]:
        event = self._events.get(event_id)
        if event is None:  # as Graph: 404 ErrorItemNotFound
            raise GraphError(NOT_FOUND, status=404, code="ErrorItemNotFound")
        return event

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        transaction_id = str(body.get("transactionId") or "")
        for event in self._events.values():  # Graph recognises a repeated create
            if transaction_id and event.get("transactionId") == transaction_id:
                return copy.deepcopy(event)
        seed = transaction_id or f"replay-{next(self._numbers)}"
        digest = hashlib.sha256(seed.encode()).hexdigest()
        token = base64.b64encode(str(uuid.UUID(digest[:32])).encode()).decode().rstrip("=")
        event = recorded("event_created.jsonc")
        event["id"] = "AAMkAGI1" + base64.b64encode(bytes.fromhex(digest[32:56])).decode()
        event["iCalUId"] = "040000008200E00074C5B7101A82E008" + digest[:48].upper()
        event["transactionId"] = transaction_id or None
        event["subject"] = str(body.get("subject") or "")
        event["start"], event["end"] = body.get("start"), body.get("end")
        meeting = event["onlineMeeting"]
        meeting["joinUrl"] = _MEETING_TOKEN.sub(f"meeting_{token}", meeting["joinUrl"], count=1)
        self._events[event["id"]] = event
        return copy.deepcopy(event)

    def _online_meeting(self, event: dict[str, Any]) -> dict[str, Any]:
        meeting = recorded("online_meetings_by_join_url.jsonc")["value"][0]
        url = event["onlineMeeting"]["joinUrl"]
        token = _MEETING_TOKEN.search(url).group(0)
        meeting["id"] = _MEETING_TOKEN.sub(token, meeting["id"], count=1)
        meeting["joinWebUrl"] = url
        meeting["subject"] = event["subject"]
        meeting["startDateTime"] = _graph_time(_utc(event["start"]["dateTime"]))
        meeting["endDateTime"] = _graph_time(_utc(event["end"]["dateTime"]))
        return meeting

    def _find(self, odata_filter: str) -> dict[str, Any]:
        match = _ODATA_STRING.match(odata_filter)
        if not match:
            raise GraphError(BAD_RESPONSE, detail="an onlineMeetings filter not recorded")
        url = match.group(1).replace("''", "'")
        found = [
            self._online_meeting(event)
            for event in self._events.values()
            if event["onlineMeeting"]["joinUrl"] == url
        ]
        return {"value": found}

    def _meeting(self, online_meeting_id: str) -> dict[str, Any]:
        for event in self._events.values():
            meeting = self._online_meeting(event)
            if meeting["id"] == online_meeting_id:
                return meeting
        raise GraphError(NOT_FOUND, status=404, code="NotFound")

    def _shift(self, meeting: dict[str, Any]) -> dt.timedelta:
        """How far the replayed meeting is from the one the attendance was recorded in."""
        recorded_start = recorded("online_meetings_by_join_url.jsonc")["value"][0]
        return _utc(meeting["startDateTime"]) - _utc(recorded_start["startDateTime"])

    def _report_id(self, online_meeting_id: str, recorded_id: str) -> str:
        digest = hashlib.sha256(f"{online_meeting_id}|{recorded_id}".encode()).hexdigest()
        return str(uuid.UUID(digest[:32]))

    def _reports(self, online_meeting_id: str) -> dict[str, Any]:
        meeting = self._meeting(online_meeting_id)
        answer = recorded("attendance_reports.jsonc")
        if online_meeting_id not in self._people:
            answer["value"] = []  # no report yet
            return answer
        shift = self._shift(meeting)
        for report in answer["value"]:
            report["id"] = self._report_id(online_meeting_id, report["id"])
            for name in ("meetingStartDateTime", "meetingEndDateTime"):
                report[name] = _moved(report.get(name), shift)
        return answer

    def _records(self, online_meeting_id: str, report_id: str) -> dict[str, Any]:
        meeting = self._meeting(online_meeting_id)
        reports = recorded("attendance_reports.jsonc")["value"]
        if online_meeting_id not in self._people or report_id not in {
            self._report_id(online_meeting_id, report["id"]) for report in reports
        }:
            raise GraphError(NOT_FOUND, status=404, code="NotFound")
        organiser, attendees = self._people[online_meeting_id]
        people = iter(attendees)
        shift = self._shift(meeting)
        answer = recorded("attendance_records.jsonc")
        for record in answer["value"]:
            person = None
            if record.get("role") == "Organizer":
                person = organiser
            elif record.get("role") == "Attendee" and record.get("emailAddress"):
                person = next(people, None)
            if person is not None:
                record["emailAddress"], record["identity"]["displayName"] = person
            for interval in record.get("attendanceIntervals") or []:
                for name in ("joinDateTime", "leaveDateTime"):
                    interval[name] = _moved(interval.get(name), shift)
        return answer
