"""Flat rows for the attendance report, aggregated in the database.

`attendance_rows` is the ONE read behind `events.reports.attendance_report`: it never loads
model instances, only `values()` + `annotate()` rows grouped per event and per breakdown
key, so a period with a million registrations becomes a few thousand small dicts.

Definitions (kept here, next to the SQL that implements them):

* an event in the report is a *published* event (cancelled and draft ones are left out)
  that starts inside the period (Helsinki dates, both ends included) and not after `as_of`;
* registrations exclude cancelled ones; identified attendees are registration rows with
  `attended=True` — counted by rows, not by users, so anonymising a person changes nothing;
* a unique participant is the key ``u:<user id>``, else ``e:<e-mail>`` (stored lower-case), else
  ``r:<registration id>``. Deleting a user (user set NULL, e-mail kept) keeps the count; a
  fully anonymised registration (no user, no e-mail) counts as one participant of its own,
  which keeps the count for anyone who attended once in the period (see docs/reports.md);
* the event's *network* is the network it was organised for (`audience_networks`), so a
  member leaving a network or deleting their account never moves past totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)

from networks.models import Network, Organisation
from recordings.models import CaptionOrder, Recording

from .models import (
    Event,
    EventStatus,
    Feedback,
    Presenter,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
)

HELSINKI = ZoneInfo("Europe/Helsinki")

# breakdown name -> (kind of key, field on Event or Registration)
EVENT_KEYS = {
    "kind": "kind",
    "series": "series_id",
    "theme": "theme_id",
    "format": "format",
}
LINK_KEYS = {"network": "audience_networks", "presenter": "presenters"}
ATTENDEE_KEYS = {"organisation": "organisation_id", "sector": "organisation__sector"}
BREAKDOWNS = (*EVENT_KEYS, "network", "presenter", *ATTENDEE_KEYS)

_CANCELLED = RegistrationStatus.CANCELLED


@dataclass
class ReportRows:
    """Everything the pandas step needs; every list holds plain dicts or tuples."""

    events: list[dict]
    registrations: list[dict]
    feedback: list[dict]
    recordings: list[dict]
    caption_costs: list[dict]
    unique_total: int
    unique_by: dict[str, list[dict]] = field(default_factory=dict)
    links: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    attendee_groups: dict[str, list[dict]] = field(default_factory=dict)
    labels: dict[str, dict] = field(default_factory=dict)


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Helsinki dates (both included) -> [aware start, aware end) datetimes."""
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=HELSINKI)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=HELSINKI)
    return lower, upper


def _event_scope(start: dt.date, end: dt.date, as_of: dt.datetime, prefix: str = "") -> Q:
    lower, upper = period_bounds(start, end)
    upper = min(upper, as_of)
    return Q(
        **{
            f"{prefix}status": EventStatus.PUBLISHED,
            f"{prefix}starts_at__gte": lower,
            f"{prefix}starts_at__lt": upper,
        }
    )


def unique_participants(condition: Q | None = None):
    """COUNT(DISTINCT key) for the person key of the module docstring, split into three cheap
    parts that never overlap: distinct users + distinct e-mails of registrations without a
    user + registrations with neither (each its own participant). E-mails are stored
    lower-case by events.services, so no LOWER() (it doubled the time at a million rows)."""
    condition = condition if condition is not None else Q()
    no_user = condition & Q(user_id__isnull=True)
    return (
        Count("user_id", distinct=True, filter=condition & Q(user_id__isnull=False))
        + Count("email", distinct=True, filter=no_user & ~Q(email=""))
        + Count("id", filter=no_user & Q(email=""))
    )


def _registration_figures() -> dict:
    live = ~Q(status=_CANCELLED)
    return {
        "registrations": Count("id", filter=live),
        "confirmed": Count("id", filter=Q(status=RegistrationStatus.CONFIRMED)),
        "waitlisted": Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        "identified": Count("id", filter=Q(attended=True)),
    }


def _events(scope: Q) -> list[dict]:
    return list(
        Event.objects.filter(scope)
        .order_by()
        .values(
            "id", "kind", "series_id", "theme_id", "format", "starts_at", "headcount",
            "anonymous_attendees",
        )
    )  # fmt: skip


def _registrations(scope: Q) -> list[dict]:
    return list(
        Registration.objects.filter(scope)
        .order_by()
        .values("event_id")
        .annotate(
            **_registration_figures(),
            recorded=Count("id", filter=Q(attended__isnull=False)),
            no_shows=Count("id", filter=Q(status=RegistrationStatus.CONFIRMED) & ~Q(attended=True)),
        )
    )


def _feedback(scope: Q) -> list[dict]:
    return list(
        Feedback.objects.filter(scope)
        .order_by()
        .values("event_id")
        .annotate(
            answers=Count("id"),
            usefulness_sum=Sum("usefulness"),
            promoters=Count("id", filter=Q(recommend__gte=9)),
            detractors=Count("id", filter=Q(recommend__lte=6)),
        )
    )


def _recordings(scope: Q) -> list[dict]:
    return list(
        Recording.objects.filter(scope)
        .order_by()
        .values("event_id")
        .annotate(recording_views=Sum("view_count"))
    )


def _caption_costs(scope: Q) -> list[dict]:
    cost = ExpressionWrapper(
        F("minutes") * F("price_per_minute"),
        output_field=DecimalField(max_digits=14, decimal_places=4),
    )
    return list(
        CaptionOrder.objects.filter(scope)
        .order_by()
        .values(event_id=F("recording__event_id"))
        .annotate(caption_cost=Sum(cost))
    )


def _unique_by(reg_scope: Q, group: str) -> list[dict]:
    return list(
        Registration.objects.filter(reg_scope, attended=True)
        .order_by()
        .values(key=F(group))
        .annotate(unique=unique_participants())
    )


def _attendee_groups(scope: Q, reg_scope: Q, group: str) -> list[dict]:
    # Events of the period whose attendance was recorded: at most one row per event, so
    # PostgreSQL keeps it as a hashed subplan (a per-registration list would not fit in
    # work_mem at a million rows and turn the IN into a nested scan).
    recorded_events = (
        Event.objects.filter(scope)
        .filter(
            Exists(Registration.objects.filter(event_id=OuterRef("pk"), attended__isnull=False))
        )
        .order_by()
        .values("pk")
    )
    return list(
        Registration.objects.filter(reg_scope)
        .order_by()
        .values(key=F(group))
        .annotate(
            events=Count("event_id", distinct=True, filter=~Q(status=_CANCELLED)),
            themes=Count("event__theme_id", distinct=True, filter=~Q(status=_CANCELLED)),
            **_registration_figures(),
            confirmed_recorded=Count(
                "id",
                filter=Q(status=RegistrationStatus.CONFIRMED, event_id__in=recorded_events),
            ),
            # attended=True means the event's attendance was recorded: no second subquery
            confirmed_attended=Count(
                "id", filter=Q(status=RegistrationStatus.CONFIRMED, attended=True)
            ),
            unique=unique_participants(Q(attended=True)),
        )
    )


def _links(scope: Q, name: str) -> list[tuple[int, int]]:
    through = getattr(Event, LINK_KEYS[name]).through
    target = "network_id" if name == "network" else "presenter_id"
    return list(through.objects.filter(scope).order_by().values_list("event_id", target))


_LABEL_SOURCES = {
    "series": (Series, "name"),
    "theme": (Theme, "title"),
    "organisation": (Organisation, "name"),
    "network": (Network, "name"),
    "presenter": (Presenter, "name"),
}


def _labels(name: str, ids: set) -> dict:
    model, attr = _LABEL_SOURCES[name]
    ids = {i for i in ids if i is not None}
    return dict(model.objects.filter(pk__in=ids).order_by().values_list("pk", attr))


def attendance_rows(
    *, start: dt.date, end: dt.date, breakdowns: list[str], as_of: dt.datetime
) -> ReportRows:
    """Flat, database-aggregated rows for one period. A fixed number of queries."""
    scope = _event_scope(start, end, as_of)
    reg_scope = _event_scope(start, end, as_of, "event__")
    unique_total = (
        Registration.objects.filter(reg_scope, attended=True)
        .order_by()
        .aggregate(n=unique_participants())["n"]
    )
    rows = ReportRows(
        events=_events(scope),
        registrations=_registrations(reg_scope),
        feedback=_feedback(reg_scope),
        recordings=_recordings(reg_scope),
        caption_costs=_caption_costs(_event_scope(start, end, as_of, "recording__event__")),
        unique_total=unique_total or 0,
    )
    for name in breakdowns:
        if name in EVENT_KEYS:
            rows.unique_by[name] = _unique_by(reg_scope, f"event__{EVENT_KEYS[name]}")
        elif name in LINK_KEYS:
            rows.unique_by[name] = _unique_by(reg_scope, f"event__{LINK_KEYS[name]}")
            rows.links[name] = _links(reg_scope, name)
        else:
            rows.attendee_groups[name] = _attendee_groups(scope, reg_scope, ATTENDEE_KEYS[name])
        if name in _LABEL_SOURCES:
            rows.labels[name] = _label_ids(rows, name)
    return rows


def _label_ids(rows: ReportRows, name: str) -> dict:
    if name in EVENT_KEYS:
        ids = {row[EVENT_KEYS[name]] for row in rows.events}
    elif name in LINK_KEYS:
        ids = {target for _, target in rows.links[name]}
    else:
        ids = {row["key"] for row in rows.attendee_groups[name]}
    return _labels(name, ids)
