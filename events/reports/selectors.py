"""Flat rows for the attendance report, read in a fixed number of queries.

`attendance_rows` is the ONE read behind `events.reports.compute.attendance_report`. It never loads
model instances. It reads the events of every period the report needs (the period and the two
it is compared with) at once, so each table is scanned once, not once per period:

* one row per event, with feedback, recording and caption figures summed per event in SQL;
* the registrations of those events counted into one `Counts` (events.reports.counts):
  per-event registration figures, distinct participants per period and per breakdown key,
  and the attendee tables' counts, from one row of five integers per registration in numpy
  (`counts_numpy`: packed into two binary values on PostgreSQL, streamed in chunks on
  SQLite). Both ways give the same report byte for byte;
* the event–network and event–presenter links, and the labels.

Definitions (kept here, next to the SQL that implements them):

* an event in the report is a *published* event (cancelled and draft ones are left out)
  that starts inside the period (Helsinki dates, both ends included) and not after `as_of`;
* registrations exclude cancelled ones; identified attendees are registration rows with
  `attended=True` — counted by rows, not by users, so anonymising a person changes nothing;
* a unique participant is the key ``u:<user id>``, else ``e:<e-mail>`` (stored lower-case), else
  ``r:<registration id>``. Deleting a user (user set NULL, e-mail kept) keeps the count; a
  fully anonymised registration (no user, no e-mail) counts as one participant of its own,
  which keeps the count for anyone who attended once in the period (see docs/reports.md).
  No e-mail reaches Python: the key leaves the database as an integer
  (`counts_numpy.PERSON_SQL`, `counts_numpy.PACKED_SQL`);
* the event's *network* is the network it was organised for (`audience_networks`), so a
  member leaving a network or deleting their account never moves past totals.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.utils import timezone

from networks.models import Network, Organisation
from recordings.models import CaptionOrder, Recording

from ..models import (
    Event,
    EventStatus,
    Feedback,
    Presenter,
    Series,
    Theme,
)
from . import counts_numpy
from .counts import Counts
from .counts_numpy import counted_in_numpy, packed_frame

# breakdown name -> (kind of key, field on Event or Registration)
EVENT_KEYS = {
    "kind": "kind",
    "series": "series_id",
    "theme": "theme_id",
    "format": "format",
}
LINK_KEYS = {"network": "audience_networks", "presenter": "presenters"}
ATTENDEE_KEYS = {"organisation": "organisation_id", "sector": "sector"}
BREAKDOWNS = (*EVENT_KEYS, "network", "presenter", *ATTENDEE_KEYS)


def period_column(index: int) -> str:
    """The events frame's column saying whether an event was held in `periods[index]`."""
    return f"in_period_{index}"


@dataclass
class ReportRows:
    """Everything the pandas step needs, for every period of the report at once: one row per
    event (with `period_column(i)` flags, the Helsinki month as year·100 + month and the
    registration figures of `counts.EVENT_FIGURES`) and the distinct counts (`Counts`)."""

    events: pd.DataFrame
    counts: Counts
    links: dict[str, pd.DataFrame] = field(default_factory=dict)
    sectors: dict[int, str] = field(default_factory=dict)
    labels: dict[str, dict] = field(default_factory=dict)


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Helsinki dates (both included) -> [aware start, aware end) datetimes."""
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_default_timezone())
    upper = dt.datetime.combine(
        end + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )
    return lower, upper


def held_between(start: dt.date, end: dt.date, as_of: dt.datetime) -> tuple[dt.datetime, ...]:
    """[lower, upper) of the events held in the period: started inside it, not after as_of."""
    lower, upper = period_bounds(start, end)
    return lower, max(lower, min(upper, as_of))


def _ranges(periods, as_of: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The periods' [lower, upper) ranges, overlapping and adjacent ones merged."""
    merged: list[list[dt.datetime]] = []
    for lower, upper in sorted(held_between(start, end, as_of) for start, end in periods):
        if merged and lower <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], upper)
        else:
            merged.append([lower, upper])
    return [(lower, upper) for lower, upper in merged]


def _event_scope(periods, as_of: dt.datetime, prefix: str = "") -> Q:
    when = [
        Q(**{f"{prefix}starts_at__gte": lower, f"{prefix}starts_at__lt": upper})
        for lower, upper in _ranges(periods, as_of)
    ]
    return Q(**{f"{prefix}status": EventStatus.PUBLISHED}) & reduce(operator.or_, when)


_EVENT_COLUMNS = [
    "id", "kind", "series_id", "theme_id", "format", "headcount", "anonymous_attendees",
]  # fmt: skip


def _events(scope: Q, periods, as_of: dt.datetime) -> pd.DataFrame:
    """The events with a flag per period and the Helsinki month: small integers and booleans
    from the database instead of 50,000 aware datetimes to convert in Python."""
    if counts_numpy.packed_in_database():
        frame = _events_packed(scope, periods, as_of)
        if frame is not None:
            return frame
    flags = {}
    for index, (start, end) in enumerate(periods):
        lower, upper = held_between(start, end, as_of)
        flags[period_column(index)] = Case(
            When(starts_at__gte=lower, starts_at__lt=upper, then=Value(value=True)),
            default=Value(value=False),
            output_field=BooleanField(),
        )
    zone = timezone.get_default_timezone()
    month = ExtractYear("starts_at", tzinfo=zone) * 100 + ExtractMonth("starts_at", tzinfo=zone)
    month = Cast(month, output_field=IntegerField())  # PostgreSQL's EXTRACT gives numeric
    columns = [*_EVENT_COLUMNS, *flags, "month"]
    rows = (
        Event.objects.filter(scope).order_by().annotate(**flags, month=month).values_list(*columns)
    )
    frame = _fetched_frame(rows, columns)
    return frame.astype(dict.fromkeys(flags, bool))  # SQLite gives the flags as 0 and 1


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _microseconds(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _events_packed(scope: Q, periods, as_of: dt.datetime) -> pd.DataFrame | None:
    """`_events` on PostgreSQL: the start as microseconds since 1970, packed
    (`counts_numpy.packed_frame`), with the flags and Helsinki months worked out in numpy —
    the time zone conversion per row was a third of the read in SQL (measured). The same
    frame as `_events` builds elsewhere."""
    starts = Func(
        F("starts_at"),
        # date_part's double is exact to far below a microsecond for these dates; EXTRACT's
        # numeric cost twice as much
        template="round(date_part('epoch', %(expressions)s) * 1000000)::int8",
        output_field=BigIntegerField(),
    )
    rows = Event.objects.filter(scope).order_by().annotate(starts_us=starts)
    rows = rows.values_list(*_EVENT_COLUMNS, "starts_us")
    sql, params = rows.query.sql_with_params()
    texts = {name: [value for value, _label in Event._meta.get_field(name).choices]
             for name in ("kind", "format")}  # fmt: skip
    frame = packed_frame(sql, list(params), [*_EVENT_COLUMNS, "starts_us"], texts=texts)
    if frame is None:
        return None
    starts_us = frame.pop("starts_us").to_numpy(dtype=np.int64)
    for index, (start, end) in enumerate(periods):
        lower, upper = (_microseconds(moment) for moment in held_between(start, end, as_of))
        frame[period_column(index)] = (starts_us >= lower) & (starts_us < upper)
    local = pd.to_datetime(starts_us, unit="us", utc=True).tz_convert(
        timezone.get_default_timezone()
    )
    months = local.tz_localize(None).to_numpy().astype("datetime64[M]").astype(np.int64)
    frame["month"] = (1970 + months // 12) * 100 + months % 12 + 1  # converted once, not twice
    return frame


def _fetched_frame(
    rows: QuerySet,
    columns: list[str],
    *,
    texts: dict[str, list[str]] | None = None,
    booleans: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """A `values_list` queryset's rows as a frame, fetched without Django's per-row
    converters (for 50,000 events they took a fifth of the read); packed into binary on
    PostgreSQL (`counts_numpy.packed_frame`: `texts` and `booleans` say which columns are not
    integers)."""
    sql, params = rows.query.sql_with_params()
    if counts_numpy.packed_in_database():
        frame = packed_frame(sql, list(params), columns, texts=texts, booleans=booleans)
        if frame is not None:
            return frame
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def _per_event(queryset, **figures) -> pd.DataFrame:
    """Integer figures per event (no Decimal: SQLite's need Django's converters)."""
    rows = queryset.order_by().values("event_id").annotate(**figures)
    return _fetched_frame(rows, ["event_id", *figures])


def _feedback(reg_scope: Q) -> pd.DataFrame:
    return _per_event(
        Feedback.objects.filter(reg_scope),
        answers=Count("id"),
        usefulness_sum=Sum("usefulness"),
        promoters=Count("id", filter=Q(recommend__gte=9)),
        detractors=Count("id", filter=Q(recommend__lte=6)),
    )


def _recordings(reg_scope: Q) -> pd.DataFrame:
    return _per_event(Recording.objects.filter(reg_scope), recording_views=Sum("view_count"))


def _caption_costs(scope: Q) -> pd.DataFrame:
    cost = ExpressionWrapper(
        F("minutes") * F("price_per_minute"),
        output_field=DecimalField(max_digits=14, decimal_places=4),
    )
    rows = list(
        CaptionOrder.objects.filter(scope)
        .order_by()
        .values(event_id=F("recording__event_id"))
        .annotate(caption_cost=Sum(cost))
    )
    return pd.DataFrame.from_records(rows, columns=["event_id", "caption_cost"])


def _links(reg_scope: Q, name: str) -> pd.DataFrame:
    through = getattr(Event, LINK_KEYS[name]).through
    target = "network_id" if name == "network" else "presenter_id"
    rows = through.objects.filter(reg_scope).order_by().values_list("event_id", target)
    return _fetched_frame(rows, ["event_id", "key"])


_LABEL_SOURCES = {
    "series": (Series, "name"),
    "theme": (Theme, "title"),
    "organisation": (Organisation, "name"),
    "network": (Network, "name"),
    "presenter": (Presenter, "name"),
}


def _labels(name: str, ids) -> dict:
    model, attr = _LABEL_SOURCES[name]
    ids = {int(i) for i in ids if pd.notna(i)}
    return dict(model.objects.filter(pk__in=ids).order_by().values_list("pk", attr))


def attendance_rows(
    *, periods: list[tuple[dt.date, dt.date]], breakdowns: list[str], as_of: dt.datetime
) -> ReportRows:
    """Flat rows for the events held in any of `periods`. A fixed number of queries."""
    scope = _event_scope(periods, as_of)
    reg_scope = _event_scope(periods, as_of, "event__")
    events = _events(scope, periods, as_of)
    for part in (
        _feedback(reg_scope),
        _recordings(reg_scope),
        _caption_costs(_event_scope(periods, as_of, "recording__event__")),
    ):
        events = events.merge(part, how="left", left_on="id", right_on="event_id")
        events = events.drop(columns="event_id")
    links = {name: _links(reg_scope, name) for name in breakdowns if name in LINK_KEYS}
    sectors: dict[int, str] = {}

    def sectors_of(organisations: set) -> dict:
        sectors.update(
            Organisation.objects.filter(pk__in=organisations).order_by().values_list("pk", "sector")
        )
        return sectors

    event_keys = [name for name in breakdowns if name in EVENT_KEYS]
    attendee_keys = [name for name in breakdowns if name in ATTENDEE_KEYS]
    counts = counted_in_numpy(
        events=events,
        reg_scope=reg_scope,
        n_periods=len(periods),
        event_keys={name: EVENT_KEYS[name] for name in event_keys},
        links=links,
        attendee_keys=attendee_keys,
        sectors_of=sectors_of,
        period_column=period_column,
    )
    events = events.assign(**counts.figures)
    rows = ReportRows(events=events, counts=counts, links=links, sectors=sectors)
    for name in breakdowns:
        if name in _LABEL_SOURCES:
            rows.labels[name] = _labels(name, _label_ids(rows, name))
    return rows


def _label_ids(rows: ReportRows, name: str) -> set:
    if name in EVENT_KEYS:
        return set(rows.events[EVENT_KEYS[name]].dropna().unique().tolist())
    if name in LINK_KEYS:
        return set(rows.links[name]["key"].unique().tolist())
    return {group["key"] for group in rows.counts.groups[name]} - {None}
