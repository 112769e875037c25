"""Shared reads of events: pages, feeds, reports and the API use these."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Audience, Event, EventStatus


def visible_events(*, user) -> QuerySet[Event]:
    """Published and cancelled events this person may see (network-only ones for members)."""
    events = Event.objects.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])
    if getattr(user, "is_authenticated", False):
        return events.filter(
            Q(audience=Audience.EVERYONE)
            | Q(
                audience_networks__memberships__user=user,
                audience_networks__memberships__status="active",
            )
        ).distinct()
    return events.filter(audience=Audience.EVERYONE)


def upcoming_events(*, user) -> QuerySet[Event]:
    return (
        visible_events(user=user)
        .filter(ends_at__gte=timezone.now())
        .select_related("theme", "series")
        .prefetch_related("presenters")
        .order_by("starts_at")
    )


class InvalidFilter(ValueError):
    """A filter value the person typed that cannot be understood (carries the message)."""

    def __init__(self, field: str, message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


FILTER_PARAMS = ("kind", "theme", "series", "format", "from", "to", "q")


def _parse_date(params, name: str):
    import datetime as dt

    from django.utils.translation import gettext_lazy as _

    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidFilter(
            name, _("“%(value)s” is not a date; use the form YYYY-MM-DD.") % {"value": value}
        ) from exc


def filter_events(queryset: QuerySet[Event], params) -> QuerySet[Event]:
    """Apply the public list filters (page and API share them).

    params: a mapping (QueryDict or dict) with any of
    kind, theme (slug or id), series (slug or id), format, from, to (YYYY-MM-DD, inclusive,
    Europe/Helsinki days) and q (free text in title, theme, description and presenters).
    Raises InvalidFilter with a translated message for values that cannot be understood.
    """
    import datetime as dt

    from django.utils.translation import gettext_lazy as _

    from .models import EventFormat, EventKind

    kind = (params.get("kind") or "").strip()
    if kind:
        if kind not in EventKind.values:
            raise InvalidFilter("kind", _("Unknown kind of event: “%(value)s”.") % {"value": kind})
        queryset = queryset.filter(kind=kind)
    event_format = (params.get("format") or "").strip()
    if event_format:
        if event_format not in EventFormat.values:
            raise InvalidFilter(
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
        raise InvalidFilter("to", _("The end date is before the start date."))
    tz = timezone.get_current_timezone()
    if start:
        queryset = queryset.filter(
            ends_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz)
        )
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


FEED_PAST = timedelta(days=183)
FEED_CANCELLED_KEPT = timedelta(days=30)


def calendar_feed_events(
    *, series=None, kind: str = "", theme=None, network=None, person=None, now=None
) -> QuerySet[Event]:
    """Events of one calendar feed: never drafts; the past 6 months and all the future;
    cancelled events kept 30 days after cancellation (as STATUS:CANCELLED).

    Public feeds hold only events for everyone; `network` gives that network's events (its
    private feed); `person` gives the events the person is confirmed or waitlisted for
    (annotated `on_waitlist`), whatever their audience.
    """
    from .models import Registration, RegistrationStatus

    now = now or timezone.now()
    kept_since = now - FEED_CANCELLED_KEPT
    events = Event.objects.filter(starts_at__gte=now - FEED_PAST).filter(
        Q(status=EventStatus.PUBLISHED)
        | Q(status=EventStatus.CANCELLED, cancelled_at__gte=kept_since)
        | Q(status=EventStatus.CANCELLED, cancelled_at__isnull=True, updated_at__gte=kept_since)
    )
    if person is not None:
        mine = Registration.objects.filter(event=OuterRef("pk"), user=person)
        events = events.filter(
            Exists(
                mine.filter(
                    status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
                )
            )
        ).annotate(on_waitlist=Exists(mine.filter(status=RegistrationStatus.WAITLISTED)))
    elif network is not None:
        events = events.filter(audience_networks=network)
    else:
        events = events.filter(audience=Audience.EVERYONE)
    if series is not None:
        events = events.filter(series=series)
    if kind:
        events = events.filter(kind=kind)
    if theme is not None:
        events = events.filter(theme=theme)
    return (
        events.select_related("theme", "series")
        .prefetch_related("presenters")
        .order_by("starts_at", "pk")
    )
