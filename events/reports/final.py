"""The programme's final report tables, for any period.

`final_report_tables(report)` (or `final_report_tables(start=…, end=…)`) gathers what the final
report (and the funder's reports) print as tables. Figures the attendance report already has
are taken from one `attendance_report` — the page's own `Report` when it is passed, so a page,
PDF or XLSX computes the report once — (per kind: events, themes, participants, feedback and
NPS; and its per-event frame `Report.events`: the participants of each event), so they are
counted with the same definitions; only what the report lacks is read here, in a fixed
number of queries:

* per-event lines of trainings, workshops and seminars (one query for their titles);
* multi-meeting trainings: training events of one series with the same audience (the same
  `Event.audience` and the same set of `audience_networks`; one query for the links), with
  the people registered to any of their meetings (a distinct count in SQL: user id, else
  e-mail, else the registration row, as in the report) and the range attended per meeting;
* recordings uploaded to the platform in the period, unlisted ones (internal use) apart, and
  the caption cost of their orders (two aggregate queries).

Counts only: no names or e-mails of attendees (event titles and series names are public).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from recordings.models import Availability, CaptionOrder, Recording

from ..models import Event, EventKind, Registration, RegistrationStatus
from .compute import KIND_PLURALS, Report, attendance_report, summary_text
from .compute import _group_figures as group_figures
from .periods import Period, check_dates

LINE_KINDS = (EventKind.TRAINING, EventKind.WORKSHOP, EventKind.SEMINAR)
MULTI_MEETING_KINDS = (EventKind.TRAINING,)


@dataclass
class FinalTables:
    period: Period
    generated_at: dt.datetime
    kinds: list[dict]
    event_lines: list[dict]
    multi_meeting: list[dict]
    recordings: list[dict]
    captions: dict
    feedback: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready; the PDF and the XLSX sheets are made from it."""
        return {
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "label": self.period.label,
            },
            "generated_at": self.generated_at.isoformat(),
            "kinds": self.kinds,
            "event_lines": self.event_lines,
            "multi_meeting": self.multi_meeting,
            "recordings": self.recordings,
            "captions": self.captions,
            "feedback": self.feedback,
        }


def final_report_tables(
    report: Report | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | None = None,
    label: str | None = None,
) -> FinalTables:
    """The final report's tables for the events held from `start` to `end` (Helsinki dates).

    Given `report` (an `attendance_report` of the period, such as the page's), its figures are
    used as they are and the attendance report is not computed again; `start` and `end`, if
    given too, must be its period's. Without it, the report is computed here (kind only)."""
    if report is None:
        if start is None or end is None:
            raise TypeError("final_report_tables() needs a report, or start and end.")
        check_dates(start, end)
        report = attendance_report(
            start=start,
            end=end,
            breakdowns=["kind"],
            label=label,
            as_of=as_of or timezone.now(),
            compare=False,
        )
    elif (start or report.period.start, end or report.period.end) != (
        report.period.start,
        report.period.end,
    ):
        raise ValueError("The report given is of another period.")
    start, end = report.period.start, report.period.end
    by_kind = _kind_figures(report)
    lines = event_lines(report)
    recordings, views = _recordings(start, end)
    return FinalTables(
        period=report.period,
        generated_at=report.generated_at,
        kinds=[_kind_row(kind, by_kind.get(kind.value)) for kind in EventKind],
        event_lines=lines,
        multi_meeting=_multi_meeting(lines),
        recordings=recordings,
        captions=_captions(start, end, views),
        feedback=[_feedback_row(kind, by_kind.get(kind.value)) for kind in EventKind],
    )


def _kind_figures(report: Report) -> dict[str, dict]:
    """The report's figures per kind of event: its kind table when it has one, else the same
    figures (the report's own per-group formula) over its per-event frame, kind by kind."""
    if "kind" in report.breakdowns:
        return {row["key"]: row for row in report.tables["kind"]}
    frame = report.events
    return {kind: group_figures(part) for kind, part in frame.groupby("kind", sort=False)}


def _kind_row(kind: EventKind, row: dict | None) -> dict:
    row = row or {}
    events, themes = row.get("events", 0), row.get("themes", 0)
    participants = int(row.get("attendance", 0))
    return {
        "kind": kind.value,
        "label": str(KIND_PLURALS[kind]),
        "events": events,
        "themes": themes,
        "participants": participants,
        "text": summary_text(KIND_PLURALS[kind], events, themes, participants),
    }


def _feedback_row(kind: EventKind, row: dict | None) -> dict:
    row = row or {}
    return {
        "kind": kind.value,
        "label": str(KIND_PLURALS[kind]),
        "answers": row.get("feedback_answers") or 0,
        "average_usefulness": row.get("average_usefulness"),
        "nps": row.get("nps"),
    }


# --- per-event lines and multi-meeting trainings ---------------------------------------------


def event_lines(report: Report) -> list[dict]:
    """The per-event lines of the trainings, workshops and seminars of `report`, from its own
    per-event frame (participants = its `attendance` column); one query for the titles."""
    frame = report.events
    if frame is None:
        return []
    frame = frame[frame["kind"].isin([kind.value for kind in LINE_KINDS])]
    participants = dict(zip(frame["id"].tolist(), frame["attendance"].tolist(), strict=True))
    if not participants:
        return []
    events = (
        Event.objects.filter(pk__in=list(participants))
        .order_by("starts_at", "pk")
        .values("pk", "title", "theme__title", "kind", "series_id", "series__name", "audience",
                "starts_at")
    )  # fmt: skip
    lines = []
    for event in events:
        kind = EventKind(event["kind"])
        title = event["title"] or event["theme__title"] or str(kind.label)
        count = int(participants[event["pk"]])
        lines.append(
            {
                "id": event["pk"],
                "kind": kind.value,
                "kind_label": str(kind.label),
                "title": title,
                "date": timezone.localtime(event["starts_at"]).date().isoformat(),
                "participants": count,
                "series_id": event["series_id"],
                "series": event["series__name"] or "",
                "audience": event["audience"],
                "text": event_line_text(title, kind, count),
            }
        )
    return lines


def event_line_text(title: str, kind: EventKind, participants: int) -> str:
    """ "Työkykyä etsimässä -koulutus, 50 osallistujaa" — the final report's line."""
    values = {"title": title, "count": participants}
    if kind == EventKind.TRAINING:
        return (
            ngettext(
                "%(title)s training, %(count)s participant",
                "%(title)s training, %(count)s participants",
                participants,
            )
            % values
        )
    if kind == EventKind.WORKSHOP:
        return (
            ngettext(
                "%(title)s workshop, %(count)s participant",
                "%(title)s workshop, %(count)s participants",
                participants,
            )
            % values
        )
    return (
        ngettext(
            "%(title)s seminar, %(count)s participant",
            "%(title)s seminar, %(count)s participants",
            participants,
        )
        % values
    )


def _multi_meeting(lines: list[dict]) -> list[dict]:
    candidates = [
        line for line in lines if line["kind"] in MULTI_MEETING_KINDS and line["series_id"]
    ]
    if not candidates:
        return []
    networks = defaultdict(set)
    through = Event.audience_networks.through
    for event_id, network_id in (
        through.objects.filter(event_id__in=[line["id"] for line in candidates])
        .order_by()
        .values_list("event_id", "network_id")
    ):
        networks[event_id].add(network_id)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for line in candidates:
        key = (line["series_id"], line["audience"], frozenset(networks[line["id"]]))
        groups[key].append(line)
    trainings = [meetings for meetings in groups.values() if len(meetings) > 1]
    if not trainings:
        return []
    registered = _registered_per_group(trainings)
    return [_training_row(index, meetings, registered) for index, meetings in enumerate(trainings)]


def _training_row(index: int, meetings: list[dict], registered: dict) -> dict:
    counts = [line["participants"] for line in meetings]
    people = registered.get(index, 0)
    row = {
        "series": meetings[0]["series"],
        "meetings": len(meetings),
        "registered": people,
        "attended_min": min(counts),
        "attended_max": max(counts),
        "participants": sum(counts),
        "first": meetings[0]["date"],
        "last": meetings[-1]["date"],
    }
    row["text"] = gettext(
        "%(series)s: %(meetings)s meetings, %(registered)s registered, "
        "%(low)s–%(high)s attended each time"
    ) % {
        "series": row["series"],
        "meetings": row["meetings"],
        "registered": people,
        "low": row["attended_min"],
        "high": row["attended_max"],
    }
    return row


def _person_key():
    """The report's participant key in SQL: user id, else e-mail, else the registration."""
    return Case(
        When(user_id__isnull=False, then=Concat(Value("u"), Cast("user_id", CharField()))),
        When(~Q(email=""), then=Concat(Value("e"), F("email"))),
        default=Concat(Value("r"), Cast("id", CharField())),
        output_field=CharField(),
    )


def _registered_per_group(trainings: list[list[dict]]) -> dict[int, int]:
    """People registered (not cancelled) to any meeting, per training: one query."""
    group = Case(
        *(
            When(event_id__in=[line["id"] for line in meetings], then=Value(index))
            for index, meetings in enumerate(trainings)
        ),
        output_field=IntegerField(),
    )
    ids = [line["id"] for meetings in trainings for line in meetings]
    rows = (
        Registration.objects.filter(event_id__in=ids)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by()
        .annotate(group=group, person=_person_key())
        .values("group")
        .annotate(people=Count("person", distinct=True))
    )
    return {row["group"]: row["people"] for row in rows}


# --- recordings and captions -----------------------------------------------------------------

_KOHTAAMO = Q(event__kind=EventKind.KOHTAAMO)
_UNLISTED = Q(availability=Availability.UNLISTED)


def _recording_scope(start: dt.date, end: dt.date) -> Q:
    """Videos put on the platform in the period (`uploaded_on`), except private ones."""
    return Q(uploaded_on__gte=start, uploaded_on__lte=end) & ~Q(availability=Availability.PRIVATE)


def _recordings(start: dt.date, end: dt.date) -> tuple[list[dict], int]:
    groups = {
        "all": Q(),
        "listed": ~_UNLISTED,
        "unlisted": _UNLISTED,
        "kohtaamo": _KOHTAAMO,
        "kohtaamo_listed": _KOHTAAMO & ~_UNLISTED,
    }
    figures = {}
    for key, condition in groups.items():
        figures[f"{key}_videos"] = Count("pk", filter=condition)
        figures[f"{key}_views"] = Coalesce(Sum("view_count", filter=condition), 0)
    totals = Recording.objects.filter(_recording_scope(start, end)).aggregate(**figures)
    labels = {
        "all": _("All videos"),
        "listed": _("Without videos unlisted for internal use"),
        "unlisted": _("Unlisted for internal use"),
        "kohtaamo": _("Kohtaamo recordings"),
        "kohtaamo_listed": _("Kohtaamo recordings without unlisted ones"),
    }
    rows = []
    for key, label in labels.items():
        videos, views = totals[f"{key}_videos"], totals[f"{key}_views"]
        rows.append(
            {
                "key": key,
                "label": str(label),
                "videos": videos,
                "views": views,
                "average_views": round(views / videos, 1) if videos else None,
            }
        )
    return rows, totals["all_views"]


def _captions(start: dt.date, end: dt.date, views: int) -> dict:
    cost = ExpressionWrapper(
        F("minutes") * F("price_per_minute"),
        output_field=DecimalField(max_digits=14, decimal_places=4),
    )
    totals = CaptionOrder.objects.filter(
        recording__in=Recording.objects.filter(_recording_scope(start, end))
    ).aggregate(cost=Sum(cost), minutes=Sum("minutes"))
    total = float(totals["cost"] or 0)
    minutes = float(totals["minutes"] or 0)
    return {
        "cost": round(total, 2),
        "minutes": round(minutes, 2),
        "per_minute": round(total / minutes, 2) if minutes else None,
        "per_view": round(total / views, 2) if views else None,
    }


# --- XLSX sheets ------------------------------------------------------------------------------


def final_sheets(tables: FinalTables) -> list[tuple[str, list, list, list]]:
    """The tables as (title, header, rows, preamble) sheets, beside `export_sheets`."""
    exported = timezone.localtime(tables.generated_at)
    preamble = [
        gettext("Final report tables: %(period)s (%(start)s – %(end)s)")
        % {
            "period": tables.period.label,
            "start": tables.period.start.isoformat(),
            "end": tables.period.end.isoformat(),
        },
        gettext("Exported: %(time)s") % {"time": exported.strftime("%Y-%m-%d %H:%M %Z")},
    ]
    kind, events = gettext("Kind of event"), gettext("Events held")
    participants = gettext("Participants")
    return [
        (
            gettext("Per kind of event"),
            [kind, events, gettext("Distinct themes"), participants, gettext("Text")],
            [[r["label"], r["events"], r["themes"], r["participants"], r["text"]]
             for r in tables.kinds],
            preamble,
        ),
        (*event_lines_sheet(tables.event_lines), preamble),
        (
            gettext("Multi-meeting trainings"),
            [gettext("Series"), gettext("Meetings"), gettext("Registered"),
             gettext("Fewest attended"), gettext("Most attended"), participants],
            [[r["series"], r["meetings"], r["registered"], r["attended_min"], r["attended_max"],
              r["participants"]] for r in tables.multi_meeting],
            preamble,
        ),
        (
            gettext("Recordings"),
            [gettext("Videos"), gettext("Number of videos"), gettext("Views"),
             gettext("Views per video")],
            [[r["label"], r["videos"], r["views"], r["average_views"]] for r in tables.recordings]
            + [[], *caption_rows(tables)],
            preamble,
        ),
        (
            gettext("Feedback"),
            [kind, gettext("Feedback answers"), gettext("Average usefulness (1–5)"),
             gettext("NPS")],
            [[r["label"], r["answers"], r["average_usefulness"], r["nps"]]
             for r in tables.feedback],
            preamble,
        ),
    ]  # fmt: skip


def event_lines_sheet(lines: list[dict]) -> tuple[str, list, list]:
    """The per-event lines as a (title, header, rows) sheet: the final report's and the
    funder's workbook both use it."""
    header = [gettext("Kind of event"), gettext("Event"), gettext("Date"), gettext("Participants"),
              gettext("Text")]  # fmt: skip
    rows = [[r["kind_label"], r["title"], r["date"], r["participants"], r["text"]] for r in lines]
    return gettext("Per event"), header, rows


def caption_rows(tables: FinalTables) -> list[list]:
    captions = tables.captions
    return [
        [gettext("Caption cost in total (€)"), captions["cost"]],
        [gettext("Captioned minutes ordered"), captions["minutes"]],
        [gettext("Caption cost per minute (€)"), captions["per_minute"]],
        [gettext("Caption cost per view (€)"), captions["per_view"]],
    ]
