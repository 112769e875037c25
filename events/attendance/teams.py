"""Parse Microsoft Teams attendance reports (pure: bytes in, people out).

Three formats (see docs/architecture.md, "Teams attendance reports"):

- ``attendance_list``: the old ``meetingAttendanceList.csv`` — ``Full Name``,
  ``User Action`` (Joined / Left / Joined before), ``Timestamp``; intervals are summed.
- ``summary_2021``: the 2021 "Meeting Summary" — one row per join with ``Join Time``,
  ``Leave Time``, ``Duration``, ``Email``/``Participant ID (UPN)``; summed per person.
- ``report``: the current report with sections "1. Summary", "2. Participants"
  (``Name``, ``First Join``, ``Last Leave``, ``In-Meeting Duration``, ``Email``,
  ``Participant ID (UPN)``, ``Role``) and "3. In-Meeting Activities".

Encodings: UTF-16 (BOM or NUL bytes; Teams saves UTF-16 LE, tab-separated, CRLF), UTF-8
with or without BOM (Excel re-saves with commas or semicolons), else Windows-1252.
Dates carry no time zone: they are read as Europe/Helsinki. Errors name the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FORMAT_ATTENDANCE_LIST = "attendance_list"
FORMAT_SUMMARY_2021 = "summary_2021"
FORMAT_REPORT = "report"

# Canonical column → header texts seen in Teams reports (compared case-insensitively).
# The Finnish headers are best guesses from Finnish Teams clients (not confirmed).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "nimi", "koko nimi", "namn", "fullständigt namn"),
    "action": ("user action", "action", "käyttäjän toiminto", "toiminto"),
    "timestamp": ("timestamp", "aikaleima", "tidsstämpel"),
    "first_join": ("first join", "first join time", "ensimmäinen liittyminen"),
    "last_leave": ("last leave", "last leave time", "viimeinen poistuminen"),
    "join_time": ("join time", "liittymisaika"),
    "leave_time": ("leave time", "poistumisaika"),
    "duration": (
        "in-meeting duration",
        "duration",
        "attendance duration",
        "kesto",
        "kokouksen kesto",
        "kesto kokouksessa",
    ),
    "email": ("email", "e-mail", "email address", "sähköposti", "sähköpostiosoite", "e-post"),
    "upn": ("participant id (upn)", "upn", "osallistujan tunnus (upn)"),
    "role": ("role", "rooli", "roll"),
}
_HEADER_TO_COLUMN = {alias: col for col, aliases in COLUMN_ALIASES.items() for alias in aliases}

GUEST_SUFFIX = re.compile(
    r"\s*\((?:external|guest|unverified|ulkoinen|vieras|vahvistamaton|extern|gäst)\)\s*$",
    re.IGNORECASE,
)
BOT_PATTERN = re.compile(
    r"read\.ai|fireflies|otter\.ai|\botter\b|notetaker|note taker|note-taker|fathom|tl;?dv|"
    r"meetgeek|avoma|sembly|krisp|\bbot\b",
    re.IGNORECASE,
)
# Roles of the people who run the meeting (en, fi, sv as Teams writes them). They are
# not participants: the counts go to the funder.
HOST_ROLES = frozenset(
    {
        "organizer", "organiser", "co-organizer", "co-organiser", "coorganizer",
        "presenter", "järjestäjä", "toinen järjestäjä", "apujärjestäjä", "esittäjä",
        "organisatör", "medorganisatör", "presentatör",
    }
)  # fmt: skip
# Summary rows of the current report and the 2021 summary (first cell, lower case).
SUMMARY_TITLE = {"meeting title", "title", "kokouksen otsikko", "otsikko", "mötesrubrik"}
SUMMARY_START = {"start time", "meeting start time", "aloitusaika", "alkamisaika", "starttid"}
SUMMARY_END = {"end time", "meeting end time", "lopetusaika", "päättymisaika", "sluttid"}
ACTION_JOINED = {"joined", "joined before", "liittyi", "liittyi ennen"}
ACTION_LEFT = {"left", "poistui"}

_DATE_FORMATS_12H = (
    "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
)
_DATE_FORMATS_24H = (
    "%d/%m/%y, %H:%M:%S",
    "%d/%m/%Y, %H:%M:%S",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y klo %H.%M.%S",
    "%d.%m.%Y klo %H:%M:%S",
    "%d.%m.%Y %H.%M.%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y klo %H.%M",
    "%d.%m.%Y %H.%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_DURATION_UNITS = {
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "t": 3600, "tunti": 3600, "tuntia": 3600, "tim": 3600, "timme": 3600, "timmar": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "minuutti": 60,
    "minuuttia": 60, "minuter": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "sekunti": 1, "sekuntia": 1,
    "sek": 1, "sekunder": 1,
}  # fmt: skip
_DURATION_TOKEN = re.compile(r"(\d+)\s*([a-zäö]+)\.?", re.IGNORECASE)
_CLOCK_DURATION = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?$")


class TeamsReportError(ValueError):
    """A file that cannot be read as a Teams attendance report; the message names the line."""

    def __init__(self, message, *, line: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.line = line


@dataclass
class Attendee:
    """One person, re-joins merged."""

    key: str
    name: str
    email: str = ""
    role: str = ""
    seconds: int = 0
    joins: int = 0
    is_guest: bool = False
    is_bot: bool = False
    first_join: dt.datetime | None = None
    last_leave: dt.datetime | None = None
    intervals: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list, repr=False)

    @property
    def minutes(self) -> int:
        return self.seconds // 60

    @property
    def is_host(self) -> bool:
        """Organiser, co-organiser or presenter by the report's Role column."""
        return " ".join(self.role.split()).casefold() in HOST_ROLES


@dataclass
class TeamsReport:
    format: str
    attendees: list[Attendee]
    meeting_title: str = ""
    rows_read: int = 0
    # The meeting's start and end: the summary's when the file has one, else the first
    # join and the last leave in the file.
    meeting_start: dt.datetime | None = None
    meeting_end: dt.datetime | None = None


# ---------------------------------------------------------------- decoding and rows


def decode_report(data: bytes) -> str:
    """Bytes → text: BOM first, then NUL bytes (UTF-16 without BOM), then UTF-8, then cp1252."""
    if not data or not data.strip(b"\x00\r\n\t ;,\xef\xbb\xbf\xff\xfe"):
        raise TeamsReportError(_("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif b"\x00" in data[:200]:
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise TeamsReportError(
                _("The file is cut off or damaged: it cannot be read as UTF-16 text.")
            ) from exc
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise TeamsReportError(_("This is not a text file, so not a Teams attendance report."))
    return text


def _sniff_delimiter(text: str) -> str:
    """Tab, semicolon or comma: the one that gives the header the most known columns."""
    best, best_score = "\t", -1
    for delimiter in ("\t", ";", ","):
        score = 0
        for row in csv.reader(io.StringIO(text[:20000]), delimiter=delimiter):
            known = sum(1 for cell in row if _clean(cell).lower() in _HEADER_TO_COLUMN)
            score = max(score, known)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _clean(cell: str) -> str:
    return cell.replace("\ufeff", "").replace("\u202f", " ").replace("\xa0", " ").strip()


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every row; quoted cells with commas stay whole."""
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        start = 1
        for row in reader:
            rows.append((start, [_clean(cell) for cell in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TeamsReportError(
            _("line %(line)s: the file is cut off or damaged (%(error)s).")
            % {"line": reader.line_num, "error": exc},
            line=reader.line_num,
        ) from exc
    return rows


def _header_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _HEADER_TO_COLUMN.get(cell.lower())
        if column and column not in columns:
            columns[column] = index
    return columns


def _is_blank(cells: list[str]) -> bool:
    return not any(cells)


def _is_section_heading(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) == 1 and bool(re.match(r"^\d+\.\s*\S", filled[0]))


# ---------------------------------------------------------------- values


def parse_timestamp(value: str, *, line: int, column: str) -> dt.datetime:
    """A Teams date in en-US, en-GB, Finnish or ISO form, as an aware Helsinki datetime."""
    text = " ".join(_clean(value).split())
    upper = text.upper().replace("A.M.", "AM").replace("P.M.", "PM")
    formats = _DATE_FORMATS_12H if upper.endswith(("AM", "PM")) else _DATE_FORMATS_24H
    for fmt in formats:
        try:
            naive = dt.datetime.strptime(upper if "%p" in fmt else text, fmt)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        return naive.replace(tzinfo=timezone.get_default_timezone())
    raise TeamsReportError(
        _("line %(line)s, column '%(column)s': the date '%(value)s' is not a date.")
        % {"line": line, "column": column, "value": value},
        line=line,
    )


def parse_duration(value: str, *, line: int, column: str) -> int:
    """'1h 2m 3s', '45m', '1 t 2 min 3 s' or '1:02:03' → seconds."""
    text = _clean(value).lower()
    clock = _CLOCK_DURATION.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        if seconds is None:  # m:ss
            return int(hours) * 60 + int(minutes)
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    tokens = _DURATION_TOKEN.findall(text)
    leftover = _DURATION_TOKEN.sub("", text).strip(" ,")
    known = all(unit in _DURATION_UNITS for _number, unit in tokens)
    if not tokens or leftover or not known:
        raise TeamsReportError(
            _("line %(line)s, column '%(column)s': '%(value)s' is not a duration.")
            % {"line": line, "column": column, "value": value},
            line=line,
        )
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in tokens)


def clean_name(name: str) -> tuple[str, bool]:
    """Strip the (External)/(Guest)/(Unverified) suffixes; return (name, was_guest)."""
    guest = False
    while GUEST_SUFFIX.search(name):
        name = GUEST_SUFFIX.sub("", name)
        guest = True
    return " ".join(name.split()), guest


def is_note_taker(name: str, email: str = "") -> bool:
    return bool(BOT_PATTERN.search(name) or BOT_PATTERN.search(email))


def person_key(name: str, email: str) -> str:
    """Who a row is: the e-mail/UPN when there is one, else the name."""
    if email and "@" in email:
        return "email:" + email.lower()
    return "name:" + name.casefold()


# ---------------------------------------------------------------- formats


@dataclass
class _Table:
    format: str
    header_line: int
    header: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]


def _find_table(rows: list[tuple[int, list[str]]]) -> _Table:
    """The participants table of whichever format this is."""
    candidates: list[tuple[int, int, dict[str, int]]] = []
    for index, (_line, cells) in enumerate(rows):
        columns = _header_columns(cells)
        if "name" not in columns:
            continue
        if {"action", "timestamp"} <= columns.keys():
            candidates.append((1, index, columns))
        elif {"first_join", "last_leave"} & columns.keys() or (
            "duration" in columns and "join_time" not in columns
        ):
            candidates.append((0, index, columns))
        elif {"join_time", "leave_time"} <= columns.keys():
            candidates.append((2, index, columns))
    if not candidates:
        if any("name" in _header_columns(cells) for _line, cells in rows):
            raise TeamsReportError(
                _(
                    "This is not a Teams attendance report: it has a Name column but no "
                    "join times (First Join, Join Time or Timestamp)."
                )
            )
        raise TeamsReportError(_("This is not a Teams attendance report: no Name column."))
    priority, index, columns = min(candidates)
    fmt = {0: FORMAT_REPORT, 1: FORMAT_ATTENDANCE_LIST, 2: FORMAT_SUMMARY_2021}[priority]
    body = []
    for line, cells in rows[index + 1 :]:
        if _is_section_heading(cells) or (fmt != FORMAT_ATTENDANCE_LIST and _is_blank(cells)):
            break
        if _is_blank(cells):
            continue
        body.append((line, cells))
    return _Table(fmt, rows[index][0], rows[index][1], columns, body)


def _cell(table: _Table, line: int, cells: list[str], column: str, *, required: bool) -> str:
    index = table.columns.get(column)
    if index is None or (not required and index >= len(cells)):
        return ""
    if index >= len(cells) or (required and not cells[index]):
        raise TeamsReportError(
            _(
                "line %(line)s: the column '%(column)s' is empty or missing; "
                "the file may be cut off."
            )
            % {"line": line, "column": table.header[index]},
            line=line,
        )
    return cells[index]


def _column_title(table: _Table, column: str) -> str:
    return table.header[table.columns[column]]


def _union_seconds(intervals: list[tuple[dt.datetime, dt.datetime]]) -> int:
    total, current_start, current_end = 0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return int(total)


class _People:
    def __init__(self) -> None:
        self.by_key: dict[str, Attendee] = {}
        self.email_for_name: dict[str, str] = {}

    def get(self, raw_name: str, email: str, role: str = "") -> Attendee:
        name, guest = clean_name(raw_name)
        key = person_key(name, email)
        person = self.by_key.get(key)
        if person is None:
            person = Attendee(key=key, name=name, email=email.lower() if "@" in email else "")
            person.is_bot = is_note_taker(raw_name, email)
            self.by_key[key] = person
        person.is_guest = person.is_guest or guest
        person.role = person.role or role
        return person

    def add_interval(self, person: Attendee, start: dt.datetime, end: dt.datetime) -> None:
        person.joins += 1
        person.intervals.append((start, max(start, end)))
        person.first_join = min(filter(None, [person.first_join, start]))
        person.last_leave = max(filter(None, [person.last_leave, end]))


def _activity_joins(rows: list[tuple[int, list[str]]], table: _Table) -> dict[str, int]:
    """Rows per person in "3. In-Meeting Activities" (one row per join), keyed like the
    participants (e-mail, else name) and also by name alone, for a participants table
    without e-mails."""
    joins: dict[str, int] = {}
    columns: dict[str, int] | None = None
    for line, cells in rows:
        if line <= table.header_line:
            continue
        if columns is None:
            found = _header_columns(cells)
            if {"name", "join_time"} <= found.keys():
                columns = found
            continue
        if _is_section_heading(cells) or _is_blank(cells):
            break
        values = {col: cells[i] if i < len(cells) else "" for col, i in columns.items()}
        name, _guest = clean_name(values["name"])
        if not name:
            continue
        keys = {
            person_key(name, values.get("email") or values.get("upn", "")),
            person_key(name, ""),
        }
        for key in keys:
            joins[key] = joins.get(key, 0) + 1
    return joins


def _read_report(table: _Table, activities: dict[str, int] | None = None) -> list[Attendee]:
    people = _People()
    extra: dict[str, int] = {}
    for line, cells in table.rows:
        name = _cell(table, line, cells, "name", required=True)
        email = _cell(table, line, cells, "email", required=False) or _cell(
            table, line, cells, "upn", required=False
        )
        person = people.get(name, email, _cell(table, line, cells, "role", required=False))
        start = end = None
        if "first_join" in table.columns:
            value = _cell(table, line, cells, "first_join", required=True)
            start = parse_timestamp(value, line=line, column=_column_title(table, "first_join"))
        if "last_leave" in table.columns:
            value = _cell(table, line, cells, "last_leave", required=True)
            end = parse_timestamp(value, line=line, column=_column_title(table, "last_leave"))
        if "duration" in table.columns:
            value = _cell(table, line, cells, "duration", required=True)
            seconds = parse_duration(value, line=line, column=_column_title(table, "duration"))
        elif start and end:
            seconds = int((end - start).total_seconds())
        else:
            raise TeamsReportError(
                _("line %(line)s: no In-Meeting Duration column.") % {"line": table.header_line},
                line=table.header_line,
            )
        extra[person.key] = extra.get(person.key, 0) + seconds
        if start and end:
            people.add_interval(person, start, end)
        else:
            person.joins += 1
    for person in people.by_key.values():
        # Two rows of one person (two devices) never count more than the time in between.
        span = (
            int((person.last_leave - person.first_join).total_seconds())
            if person.first_join and person.last_leave
            else extra[person.key]
        )
        person.seconds = min(extra[person.key], span)
        activities = activities or {}
        rejoins = activities.get(person.key) or activities.get(person_key(person.name, ""))
        if rejoins:
            person.joins = rejoins
    return list(people.by_key.values())


def _read_summary_2021(table: _Table) -> list[Attendee]:
    people = _People()
    for line, cells in table.rows:
        name = _cell(table, line, cells, "name", required=True)
        email = _cell(table, line, cells, "upn", required=False) or _cell(
            table, line, cells, "email", required=False
        )
        person = people.get(name, email, _cell(table, line, cells, "role", required=False))
        join = _cell(table, line, cells, "join_time", required=True)
        start = parse_timestamp(join, line=line, column=_column_title(table, "join_time"))
        leave = _cell(table, line, cells, "leave_time", required=False)
        if leave:
            end = parse_timestamp(leave, line=line, column=_column_title(table, "leave_time"))
        elif "duration" in table.columns:
            value = _cell(table, line, cells, "duration", required=True)
            seconds = parse_duration(value, line=line, column=_column_title(table, "duration"))
            end = start + dt.timedelta(seconds=seconds)
        else:
            raise TeamsReportError(
                _("line %(line)s: the leave time is missing.") % {"line": line}, line=line
            )
        if end < start:
            raise TeamsReportError(
                _("line %(line)s: the person leaves before joining.") % {"line": line}, line=line
            )
        people.add_interval(person, start, end)
    for person in people.by_key.values():
        person.seconds = _union_seconds(person.intervals)
    return list(people.by_key.values())


def _read_attendance_list(table: _Table) -> list[Attendee]:
    people = _People()
    open_joins: dict[str, dt.datetime] = {}
    last_seen: dt.datetime | None = None
    for line, cells in table.rows:
        name = _cell(table, line, cells, "name", required=True)
        action = _cell(table, line, cells, "action", required=True).lower()
        value = _cell(table, line, cells, "timestamp", required=True)
        when = parse_timestamp(value, line=line, column=_column_title(table, "timestamp"))
        last_seen = max(filter(None, [last_seen, when]))
        person = people.get(name, _cell(table, line, cells, "email", required=False))
        if action in ACTION_JOINED:
            open_joins.setdefault(person.key, when)
        elif action in ACTION_LEFT:
            start = open_joins.pop(person.key, None)
            if start is not None:
                people.add_interval(person, start, when)
        else:
            raise TeamsReportError(
                _(
                    "line %(line)s, column '%(column)s': '%(value)s' is not Joined, Left "
                    "or Joined before."
                )
                % {"line": line, "column": _column_title(table, "action"), "value": action},
                line=line,
            )
    # Still in the meeting when the list was saved: count until the last time in the file.
    for key, start in open_joins.items():
        people.add_interval(people.by_key[key], start, last_seen or start)
    for person in people.by_key.values():
        person.seconds = _union_seconds(person.intervals)
    return list(people.by_key.values())


def _summary(rows: list[tuple[int, list[str]]], table: _Table) -> dict[str, str]:
    """The summary rows above the participants table: {"title"|"start"|"end": text}."""
    found: dict[str, str] = {}
    for _line, cells in rows:
        if _line >= table.header_line:
            break
        if len(cells) < 2 or not cells[1]:
            continue
        label = " ".join(cells[0].split()).lower()
        for name, labels in (("title", SUMMARY_TITLE), ("start", SUMMARY_START)):
            if label in labels:
                found.setdefault(name, cells[1])
        if label in SUMMARY_END:
            found.setdefault("end", cells[1])
    return found


def _summary_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(value, line=0, column="")
    except TeamsReportError:
        return None  # an unknown date form in the summary: use the joins instead


def parse_report(data: bytes) -> TeamsReport:
    """Read any of the three Teams formats. Raises TeamsReportError naming the line."""
    rows = _rows(decode_report(data))
    table = _find_table(rows)
    if table.format == FORMAT_REPORT:
        attendees = _read_report(table, _activity_joins(rows, table))
    elif table.format == FORMAT_SUMMARY_2021:
        attendees = _read_summary_2021(table)
    else:
        attendees = _read_attendance_list(table)
    if not table.rows:
        raise TeamsReportError(
            _("line %(line)s: the report has a header but no participants; it may be cut off.")
            % {"line": table.header_line},
            line=table.header_line,
        )
    summary = _summary(rows, table)
    joins = [a.first_join for a in attendees if a.first_join]
    leaves = [a.last_leave for a in attendees if a.last_leave]
    return TeamsReport(
        format=table.format,
        attendees=sorted(attendees, key=lambda a: a.name.casefold()),
        meeting_title=summary.get("title", ""),
        rows_read=len(table.rows),
        meeting_start=_summary_time(summary.get("start")) or (min(joins) if joins else None),
        meeting_end=_summary_time(summary.get("end")) or (max(leaves) if leaves else None),
    )
