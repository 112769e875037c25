"""Shared reads of events: what a visitor may see, the upcoming list, its filters, the
archive, a theme's events, one event for its page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohtaamo.dates import in_range, out_of_range_message
from networks.models import Membership, MembershipStatus
from recordings.models import PublicationState, Recording

from .models import (
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Presenter,
    Registration,
)
from .registration.selectors import confirmed_count_subquery


def visible_events(*, user) -> QuerySet[Event]:
    """Published and cancelled events this person may see (network-only ones for members)."""
    events = Event.objects.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])
    if getattr(user, "is_authenticated", False):
        # EXISTS rather than a join: no DISTINCT over the whole row, and the row can be
        # locked (SELECT DISTINCT … FOR UPDATE is refused).
        return events.filter(
            Q(audience=Audience.EVERYONE) | Exists(_active_audience_membership(user))
        )
    return events.filter(audience=Audience.EVERYONE)


def _active_audience_membership(user) -> QuerySet[Membership]:
    """The person's active memberships in the audience networks of the outer event."""
    return Membership.objects.filter(
        user=user, status=MembershipStatus.ACTIVE, network__events=OuterRef("pk")
    )


def upcoming_events(*, user) -> QuerySet[Event]:
    """What the cards of the front page and /events/ show; no presenters (a card has none:
    prefetching them cost /events/ a query and a third of its time, issue 20)."""
    return (
        visible_events(user=user)
        .filter(ends_at__gte=timezone.now())
        .select_related("theme", "series")
        .order_by("starts_at")
    )


class InvalidFilterError(ValueError):
    """A filter value the person typed that cannot be understood (carries the message)."""

    def __init__(self, field: str, message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


FILTER_PARAMS = ("kind", "theme", "series", "format", "from", "to", "q")


def _parse_date(params, name: str):
    value = (params.get(name) or "").strip()
    if not value:
        return None

    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidFilterError(
            name, _("“%(value)s” is not a date; use the form YYYY-MM-DD.") % {"value": value}
        ) from exc
    if not in_range(day):
        raise InvalidFilterError(name, out_of_range_message())
    return day


def filter_events(queryset: QuerySet[Event], params) -> QuerySet[Event]:
    """Apply the public list filters (page and API share them).

    params: a mapping (QueryDict or dict) with any of
    kind, theme (slug or id), series (slug or id), format, from, to (YYYY-MM-DD, inclusive,
    Europe/Helsinki days) and q (free text in title, theme, description and presenters).
    Raises InvalidFilterError with a translated message for values that cannot be understood.
    """
    kind = (params.get("kind") or "").strip()
    if kind:
        if kind not in EventKind.values:
            raise InvalidFilterError(
                "kind", _("Unknown kind of event: “%(value)s”.") % {"value": kind}
            )
        queryset = queryset.filter(kind=kind)
    event_format = (params.get("format") or "").strip()
    if event_format:
        if event_format not in EventFormat.values:
            raise InvalidFilterError(
                "format", _("Unknown format: “%(value)s”.") % {"value": event_format}
            )
        queryset = queryset.filter(format=event_format)
    for name in ("theme", "series"):
        value = (params.get(name) or "").strip()
        if value:
            lookup = {f"{name}_id": int(value)} if value.isdigit() else {f"{name}__slug": value}
            queryset = queryset.filter(**lookup)
    start, end = _parse_date(params, "from"), _parse_date(params, "to")
    if start and end and end < start:
        raise InvalidFilterError("to", _("The end date is before the start date."))
    tz = timezone.get_current_timezone()
    if start:
        queryset = queryset.filter(ends_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        queryset = queryset.filter(
            starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    text = (params.get("q") or "").strip()
    if text:
        matching = Event.objects.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(theme__title__icontains=text)
            | Q(theme__keywords__icontains=text)
            | Q(presenters__name__icontains=text)
        ).values("pk")
        queryset = queryset.filter(pk__in=matching)
    return queryset


def with_availability(events: QuerySet[Event], *, user) -> QuerySet[Event]:
    """Annotate what `events.registration.services.registration_availability` reads, in the
    same query: `confirmed_total`, and for a signed-in person `my_status` (their
    registration's status) and `audience_member` (active in one of the event's audience
    networks)."""
    events = events.annotate(confirmed_total=confirmed_count_subquery())
    if not getattr(user, "is_authenticated", False):
        return events
    mine = Registration.objects.filter(event=OuterRef("pk"), user=user).values("status")
    return events.annotate(
        my_status=Subquery(mine[:1]), audience_member=Exists(_active_audience_membership(user))
    )


def event_for_page(*, user, pk: int, staff: bool = False) -> Event:
    """One event with everything its page shows (raises Event.DoesNotExist)."""
    events = Event.objects.all() if staff else visible_events(user=user)
    events = events.select_related("theme", "series").prefetch_related("presenters", "materials")
    return with_availability(events, user=user).get(pk=pk)


def archive_events(*, user) -> QuerySet[Event]:
    """Past sessions (published or cancelled) with their themes and published recordings."""
    published = Recording.objects.filter(publication_state=PublicationState.PUBLISHED).only(
        "pk", "event_id", "title"
    )
    return (
        visible_events(user=user)
        .filter(ends_at__lt=timezone.now())
        .select_related("theme", "series")
        .prefetch_related(
            Prefetch("recordings", queryset=published, to_attr="published_recordings")
        )
        .order_by("-starts_at", "-pk")
    )


def theme_events(*, theme, user) -> QuerySet[Event]:
    """Every visible session of one theme, newest first."""
    return (
        visible_events(user=user)
        .filter(theme=theme)
        .select_related("theme", "series")
        .prefetch_related("presenters")
        .order_by("-starts_at", "-pk")
    )


@dataclass(frozen=True)
class ThemeProgramme:
    """A theme's events as its page lists them: upcoming Kohtaamo sessions (soonest first),
    its other upcoming events, workshops, trainings… (soonest first), and every past one
    (newest first)."""

    sessions: list[Event]
    other_upcoming: list[Event]
    past: list[Event]

    @property
    def events(self) -> list[Event]:
        return [*self.sessions, *self.other_upcoming, *self.past]


def theme_programme(*, theme, user, now: dt.datetime | None = None) -> ThemeProgramme:
    """The events of theme_events, split for the theme page by time and kind: one read."""
    now = now or timezone.now()
    events = list(theme_events(theme=theme, user=user))
    upcoming = [e for e in reversed(events) if e.ends_at >= now]
    return ThemeProgramme(
        sessions=[e for e in upcoming if e.kind == EventKind.KOHTAAMO],
        other_upcoming=[e for e in upcoming if e.kind != EventKind.KOHTAAMO],
        past=[e for e in events if e.ends_at < now],
    )


def public_presenter(*, pk: int) -> Presenter:
    """A presenter who agreed to a public page (raises Presenter.DoesNotExist otherwise)."""
    return Presenter.objects.get(pk=pk, public_page_consent=True)


def presenter_talks(*, presenter: Presenter, user) -> list[Event]:
    """The visible events of one presenter, newest first, with their themes, materials and
    published recordings: four queries with the presenter's, however many talks."""
    published = Recording.objects.filter(publication_state=PublicationState.PUBLISHED).only(
        "pk", "event_id", "title", "url"
    )
    return list(
        visible_events(user=user)
        .filter(presenters=presenter)
        .select_related("theme")
        .prefetch_related(
            "materials",
            Prefetch("recordings", queryset=published, to_attr="published_recordings"),
        )
        .order_by("-starts_at", "-pk")
    )
