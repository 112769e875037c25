"""The attendance report: pandas over the per-event rows and counts of `events.reports.selectors`.

`attendance_report(*, start, end, breakdowns)` is the one computation behind the page, the
CSV/XLSX exports, the charts and the API, so they can never disagree. It returns counts only:
no names, no e-mails (the labels are names of kinds, series, themes, organisations, networks
and presenters — the programme's own public data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from networks.models import Sector

from ..feedback.selectors import net_promoter_score  # the one NPS formula, shared with event pages
from ..models import EventFormat, EventKind, Theme
from .counts import plain_key
from .periods import (
    Period,
    ReportInputError,
    check_dates,
    previous_period,
    range_label,
    year_earlier,
)
from .selectors import (
    ATTENDEE_KEYS,
    BREAKDOWNS,
    EVENT_KEYS,
    LINK_KEYS,
    ReportRows,
    attendance_rows,
    period_column,
)

BREAKDOWN_LABELS = {
    "kind": _("Kind of event"),
    "series": _("Series"),
    "theme": _("Theme"),
    "format": _("Format"),
    "network": _("Network"),
    "presenter": _("Presenter"),
    "organisation": _("Organisation of the attendees"),
    "sector": _("Sector of the attendees"),
}
if set(BREAKDOWN_LABELS) != set(BREAKDOWNS):  # a new breakdown needs its label here
    raise ImproperlyConfigured("BREAKDOWN_LABELS and BREAKDOWNS name different breakdowns")

FIGURES: list[tuple[str, object]] = [
    ("events", _("Events held")),
    ("themes", _("Distinct themes")),
    ("registrations", _("Registrations")),
    ("confirmed", _("Confirmed")),
    ("waitlisted", _("Left on the waitlist")),
    ("events_with_waitlist", _("Events with a waitlist")),
    ("identified_attendees", _("Identified attendees")),
    ("headcount", _("Headcounts")),
    ("anonymous_attendees", _("Anonymous attendees (Teams)")),
    ("attendance", _("Attendance in total")),
    ("unique_participants", _("Unique identified participants")),
    ("average_attendance", _("Average attendance per event")),
    ("no_shows", _("No-shows")),
    ("no_show_rate", _("No-show rate (%)")),
    ("feedback_answers", _("Feedback answers")),
    ("average_usefulness", _("Average usefulness (1–5)")),
    ("nps", _("NPS")),
    ("recording_views", _("Recording views")),
    ("caption_cost", _("Caption cost (€)")),
]
FIGURE_KEYS = [key for key, _label in FIGURES]

KIND_PLURALS = {
    EventKind.KOHTAAMO: _("Kohtaamo sessions"),
    EventKind.WORKSHOP: _("Workshops"),
    EventKind.TRAINING: _("Trainings"),
    EventKind.INFO_SESSION: _("Info sessions"),
    EventKind.NETWORK_MEETING: _("Network meetings"),
    EventKind.COFFEE_HOUR: _("Coffee hours"),
    EventKind.SEMINAR: _("Seminars"),
}
TOP_THEMES = 5
_SUMS = [
    "registrations", "confirmed", "waitlisted", "identified", "headcount", "anonymous_attendees",
    "no_shows_recorded", "confirmed_recorded", "answers", "usefulness_sum", "promoters",
    "detractors", "recording_views", "caption_cost", "with_waitlist",
]  # fmt: skip


# --- the report ---------------------------------------------------------------------------


@dataclass
class Report:
    period: Period
    generated_at: dt.datetime
    breakdowns: list[str]
    totals: dict
    summary_lines: list[dict]
    tables: dict[str, list[dict]]
    timelines: dict[str, dict]
    comparisons: list[dict] = field(default_factory=list)
    # The period's per-event frame (one row per event held, every per-event figure as a
    # column): what the final report's per-event lines read (events.reports.final).
    events: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def figure_labels(self) -> list[tuple[str, str]]:
        return [(key, str(label)) for key, label in FIGURES]

    def as_dict(self) -> dict:
        """JSON-ready: the API answer and the source of every export."""
        return {
            "period": _period_dict(self.period),
            "generated_at": self.generated_at.isoformat(),
            "figures": [{"key": key, "label": label} for key, label in self.figure_labels()],
            "totals": self.totals,
            "summary": self.summary_lines,
            "breakdowns": {
                name: {"label": str(BREAKDOWN_LABELS[name]), "rows": self.tables[name]}
                for name in self.breakdowns
            },
            "comparisons": self.comparisons,
            "timelines": self.timelines,
        }


def _period_dict(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}


def validate_breakdowns(breakdowns) -> list[str]:
    unknown = [name for name in breakdowns if name not in BREAKDOWNS]
    if unknown:
        raise ReportInputError(
            _("Unknown breakdown “%(name)s”. Choose from: %(choices)s.")
            % {"name": unknown[0], "choices": ", ".join(BREAKDOWNS)}
        )
    return list(dict.fromkeys(breakdowns))


def attendance_report(
    *,
    start: dt.date,
    end: dt.date,
    breakdowns,
    label: str | None = None,
    as_of: dt.datetime | None = None,
    compare: bool = True,
) -> Report:
    """The attendance report of one period (Helsinki dates, both included)."""
    check_dates(start, end)
    breakdowns = validate_breakdowns(breakdowns)
    as_of = as_of or timezone.now()
    period = Period(start, end, label or range_label(start, end))
    others = []
    if compare:
        others = [("previous", previous_period(period)), ("year_earlier", year_earlier(period))]
    # One read for the period and the periods it is compared with, split here by date.
    rows = attendance_rows(
        periods=[(start, end), *((other.start, other.end) for _key, other in others)],
        breakdowns=breakdowns,
        as_of=as_of,
    )
    events = event_frame(rows.events)
    mine = _held(events, 0)
    totals = _period_totals(mine, rows.counts.unique[0])
    return Report(
        period=period,
        generated_at=as_of,
        breakdowns=breakdowns,
        totals=totals,
        summary_lines=_summary_lines(mine),
        tables={name: _table(name, mine, rows) for name in breakdowns},
        timelines=_timelines(mine, start, end),
        comparisons=[
            _comparison(key, other, totals, _held(events, index), rows.counts.unique[index])
            for index, (key, other) in enumerate(others, start=1)
        ],
        events=mine,
    )


def _held(events: pd.DataFrame, index: int) -> pd.DataFrame:
    """The events held in `periods[index]`."""
    held = events[period_column(index)].to_numpy(dtype=bool)
    return events if held.all() else events[held]


def _period_totals(events: pd.DataFrame, unique: int) -> dict:
    totals = _group_figures(events)
    totals["unique_participants"] = int(unique)
    return totals


def _group_figures(frame: pd.DataFrame) -> dict:
    return _figures(_sums(frame), events=frame["id"].nunique(), themes=frame["theme_id"].nunique())


def _comparison(key: str, other: Period, totals: dict, events: pd.DataFrame, unique: int) -> dict:
    theirs = _period_totals(events, unique)
    changes = {}
    for figure in FIGURE_KEYS:
        mine, old = totals[figure], theirs[figure]
        if mine is None or old is None:
            changes[figure] = {"change": None, "percent": None}
            continue
        change = round(mine - old, 2)
        percent = round(change / old * 100, 1) if old else None
        changes[figure] = {"change": _plain(change), "percent": percent}
    labels = {"previous": gettext("Previous period"), "year_earlier": gettext("A year earlier")}
    return {
        "key": key,
        "label": labels[key],
        "period": _period_dict(other),
        "totals": theirs,
        "changes": changes,
    }


# --- pandas steps ---------------------------------------------------------------------------

_NUMERIC = [
    "headcount", "anonymous_attendees", "answers", "usefulness_sum", "promoters", "detractors",
    "recording_views", "caption_cost",
]  # fmt: skip


def event_frame(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event held, with every per-event figure as a column."""
    events = events.copy()
    events["caption_cost"] = events["caption_cost"].map(_to_float, na_action="ignore")
    events[_NUMERIC] = events[_NUMERIC].astype("float64").fillna(0)
    recorded = events["recorded"] > 0
    events["no_shows_recorded"] = events["no_shows"].where(recorded, 0)
    events["confirmed_recorded"] = events["confirmed"].where(recorded, 0)
    events["with_waitlist"] = (events["waitlisted"] > 0).astype("float64")
    events["attendance"] = (
        events["identified"] + events["headcount"] + events["anonymous_attendees"]
    )
    return events


def _to_float(value) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else float(Decimal(str(value)))


def _sums(frame: pd.DataFrame) -> dict:
    return {column: float(frame[column].sum()) for column in _SUMS}


def _plain(value):
    """numpy/float → int when whole, so JSON and tables show 12, not 12.0."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def _figures(sums: dict, *, events: int, themes: int, per_event: bool = True) -> dict:
    attendance = sums["identified"] + sums["headcount"] + sums["anonymous_attendees"]
    answers = sums["answers"]
    return {
        "events": int(events),
        "themes": int(themes),
        "registrations": _plain(sums["registrations"]),
        "confirmed": _plain(sums["confirmed"]),
        "waitlisted": _plain(sums["waitlisted"]),
        "events_with_waitlist": _plain(sums["with_waitlist"]) if per_event else None,
        "identified_attendees": _plain(sums["identified"]),
        "headcount": _plain(sums["headcount"]),
        "anonymous_attendees": _plain(sums["anonymous_attendees"]),
        "attendance": _plain(attendance),
        "unique_participants": None,
        "average_attendance": _average(attendance, events) if per_event else None,
        "no_shows": _plain(sums["no_shows_recorded"]),
        "no_show_rate": _rate(sums["no_shows_recorded"], sums["confirmed_recorded"]),
        "feedback_answers": _plain(answers) if per_event else None,
        "average_usefulness": (round(sums["usefulness_sum"] / answers, 2) if answers else None)
        if per_event
        else None,
        "nps": net_promoter_score(
            promoters=int(sums["promoters"]),
            detractors=int(sums["detractors"]),
            answers=int(answers),
        )
        if per_event
        else None,
        "recording_views": _plain(sums["recording_views"]) if per_event else None,
        "caption_cost": round(sums["caption_cost"], 2) if per_event else None,
    }


def _average(attendance: float, events: int) -> float:
    return round(attendance / events, 1) if events else 0


def _rate(part: float, whole: float) -> float:
    return round(part / whole * 100, 1) if whole else 0.0


def _summary_lines(frame: pd.DataFrame) -> list[dict]:
    lines = []
    for kind in EventKind:
        part = frame[frame["kind"] == kind.value]
        if part.empty:
            continue
        events, themes = int(part["id"].nunique()), int(part["theme_id"].nunique())
        participants = _plain(part["attendance"].sum())
        lines.append(
            {
                "kind": kind.value,
                "label": str(KIND_PLURALS[kind]),
                "events": events,
                "themes": themes,
                "participants": participants,
                "text": summary_text(KIND_PLURALS[kind], events, themes, int(participants)),
            }
        )
    return lines


def summary_text(kind, events: int, themes: int, participants: int) -> str:
    """ "Kohtaamo sessions: 59 events, 45 themes, 832 participants" — the funder's line."""
    parts = [
        ngettext("%(count)s event", "%(count)s events", events) % {"count": events},
        ngettext("%(count)s theme", "%(count)s themes", themes) % {"count": themes},
        ngettext("%(count)s participant", "%(count)s participants", participants)
        % {"count": participants},
    ]
    return gettext("%(kind)s: %(figures)s") % {"kind": kind, "figures": ", ".join(parts)}


def _choice_label(name: str, key) -> str:
    choices = {"kind": EventKind, "format": EventFormat, "sector": Sector}[name]
    try:
        return str(choices(key).label)
    except ValueError:
        return str(key)


def _label(name: str, key, rows: ReportRows) -> str:
    if key is None or (isinstance(key, float) and pd.isna(key)):
        missing = {
            "network": _("Open to everyone"),
            "organisation": _("Organisation not known"),
            "sector": _("Sector not known"),
        }
        return str(missing.get(name, _("Not set")))
    if name in ("kind", "format", "sector"):
        return _choice_label(name, key)
    return str(rows.labels.get(name, {}).get(int(key), key))


def _table(name: str, frame: pd.DataFrame, rows: ReportRows) -> list[dict]:
    if name in ATTENDEE_KEYS:
        return _attendee_table(name, frame, rows)
    if name in LINK_KEYS:
        links = rows.links[name]
        grouped = frame.merge(links[["event_id", "key"]], how="left", left_on="id",
                              right_on="event_id")  # fmt: skip
        keys = grouped["key"]
    else:
        grouped, keys = frame, frame[EVENT_KEYS[name]]
    unique = rows.counts.unique_by[name]
    # Integer codes in order of first appearance (NaN, events without a key, is a group of
    # its own): grouping by them is faster than by object keys and needs no copy of the frame.
    codes, key_values = pd.factorize(keys, use_na_sentinel=False)
    # One grouped sum over all the columns (pandas' fast path), not one aggregation each.
    by_key = grouped.groupby(codes, sort=True)
    sums = by_key[_SUMS].sum()
    sums["events"] = by_key["id"].nunique()
    sums["themes"] = by_key["theme_id"].nunique()
    table = []
    for code, group in sums.to_dict("index").items():
        key = plain_key(key_values[code])
        figures = _figures(group, events=group["events"], themes=group["themes"])
        figures["unique_participants"] = int(unique.get(key) or 0)
        table.append({"key": key, "label": _label(name, key, rows), **figures})
    return sorted(table, key=lambda row: (-row["attendance"], row["label"]))


def _attendee_table(name: str, frame: pd.DataFrame, rows: ReportRows) -> list[dict]:
    """Per organisation (or sector) given on the period's registrations; headcounts and
    anonymous attendees under "not known". Groups come in key order from either counting
    path, so equal rows sort the same way."""
    table = []
    headcount = float(frame["headcount"].sum())
    anonymous = float(frame["anonymous_attendees"].sum())
    groups = sorted(rows.counts.groups[name], key=_group_order)
    if (headcount or anonymous) and not any(group["key"] is None for group in groups):
        groups.append({"key": None})
    for group in groups:
        unknown = group["key"] is None
        sums = dict.fromkeys(_SUMS, 0.0)
        sums.update(
            registrations=group.get("registrations", 0),
            confirmed=group.get("confirmed", 0),
            waitlisted=group.get("waitlisted", 0),
            identified=group.get("identified", 0),
            no_shows_recorded=group.get("confirmed_recorded", 0)
            - group.get("confirmed_attended", 0),
            confirmed_recorded=group.get("confirmed_recorded", 0),
            headcount=headcount if unknown else 0.0,
            anonymous_attendees=anonymous if unknown else 0.0,
        )
        figures = _figures(
            sums, events=group.get("events", 0), themes=group.get("themes", 0), per_event=False
        )
        figures["unique_participants"] = int(group.get("unique", 0))
        table.append({"key": group["key"], "label": _label(name, group["key"], rows), **figures})
    return sorted(table, key=lambda row: (-row["attendance"], row["label"]))


def _group_order(group: dict) -> tuple:
    return (group["key"] is not None, str(group["key"]))


def _timelines(frame: pd.DataFrame, start: dt.date, end: dt.date) -> dict:
    """Attendance per month, per kind of event and per theme (top five, the rest together)."""
    months = [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]
    position = {int(p.strftime("%Y%m")): index for index, p in enumerate(
        pd.period_range(start, end, freq="M"))}  # fmt: skip
    month = frame["month"].map(position)
    frame = frame[month.notna().to_numpy()]  # (every event held is in one of the months)
    month = month.dropna().to_numpy(dtype=np.int64)
    kind_labels = {kind.value: str(kind.label) for kind in EventKind}
    kinds = frame["kind"].map(kind_labels).fillna(frame["kind"])
    by_theme = frame.groupby("theme_id")["attendance"].sum().sort_values(ascending=False)
    top = [key for key in by_theme.index[:TOP_THEMES] if pd.notna(key)]
    titles = {float(key): title for key, title in _theme_titles(top).items()}
    themes = frame["theme_id"].map(titles).fillna(gettext("Other themes"))
    attendance = frame["attendance"].to_numpy(dtype="float64")
    return {
        "kind": _pivot(month, kinds, attendance, months),
        "theme": _pivot(month, themes, attendance, months),
    }


def _theme_titles(ids) -> dict:
    if not ids:
        return {}
    return dict(Theme.objects.filter(pk__in=[int(i) for i in ids]).values_list("pk", "title"))


def _pivot(month: np.ndarray, series: pd.Series, attendance: np.ndarray, months: list[str]) -> dict:
    """Attendance summed per (month, series): one `bincount` over codes (a pandas pivot
    table cost ten times as much). Columns by total, largest first, ties in name order."""
    if not len(series):
        return {"columns": [], "rows": [[month] for month in months]}
    codes, names = pd.factorize(series, sort=True)
    cells = np.bincount(
        month * len(names) + codes, weights=attendance, minlength=len(months) * len(names)
    ).reshape(len(months), len(names))
    order = pd.Series(cells.sum(axis=0), index=names).sort_values(ascending=False)
    table = cells[:, [names.get_loc(name) for name in order.index]]
    return {
        "columns": [str(column) for column in order.index],
        "rows": [[label, *(_plain(v) for v in values)] for label, values in zip(
            months, table.tolist(), strict=True)],
    }  # fmt: skip


# --- exports ------------------------------------------------------------------------------


def export_sheets(report: Report) -> list[tuple[str, list, list, list]]:
    """The page's tables as (title, header, rows, preamble) sheets for CSV and XLSX."""
    exported = timezone.localtime(report.generated_at)
    preamble = [
        gettext("Attendance report: %(period)s (%(start)s – %(end)s)")
        % {
            "period": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        gettext("Exported: %(time)s") % {"time": exported.strftime("%Y-%m-%d %H:%M %Z")},
    ]
    header = [gettext("Figure"), gettext("This period")]
    for comparison in report.comparisons:
        header += [
            f"{comparison['label']} ({comparison['period']['label']})",
            pgettext("difference between periods", "Change"),
            gettext("Change (%)"),
        ]
    totals = []
    for key, label in report.figure_labels():
        row = [label, report.totals[key]]
        for comparison in report.comparisons:
            change = comparison["changes"][key]
            row += [comparison["totals"][key], change["change"], change["percent"]]
        totals.append(row)
    sheets = [(gettext("Totals"), header, totals, preamble)]
    sheets.append(
        (
            gettext("Summary"),
            [gettext("Kind of event"), gettext("Events held"), gettext("Distinct themes"),
             gettext("Participants"), gettext("Text")],
            [[line["label"], line["events"], line["themes"], line["participants"], line["text"]]
             for line in report.summary_lines],
            preamble,
        )
    )  # fmt: skip
    figure_labels = [label for _key, label in report.figure_labels()]
    sheets.extend(
        (
            str(BREAKDOWN_LABELS[name]),
            [str(BREAKDOWN_LABELS[name]), *figure_labels],
            [[row["label"], *(row[key] for key in FIGURE_KEYS)] for row in report.tables[name]],
            preamble,
        )
        for name in report.breakdowns
    )
    titles = {"kind": gettext("By month and kind"), "theme": gettext("By month and theme")}
    for name, title in titles.items():
        timeline = report.timelines[name]
        sheets.append((title, [gettext("Month"), *timeline["columns"]], timeline["rows"], preamble))
    return sheets
