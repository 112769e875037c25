"""Which events a calendar feed holds (public feeds by series, kind, theme; a network's
private feed; a person's own feed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    QuerySet,
)
from django.utils import timezone

from ..models import Audience, Event, EventStatus, RegistrationStatus

FEED_PAST = timedelta(days=183)
FEED_CANCELLED_KEPT = timedelta(days=30)


def feed_now() -> datetime:
    """The feeds' clock: the minute it is now. Their window (FEED_PAST, FEED_CANCELLED_KEPT)
    moves a minute at a time, so within a minute a feed is the same statement with the same
    parameters, and a worker keeps it compiled (events/calendars/feeds.py _Statements)."""
    return timezone.now().replace(second=0, microsecond=0)


def calendar_feed_events(
    *, series=None, kind: str = "", theme=None, network=None, person=None, now=None
) -> QuerySet[Event]:
    """Events of one calendar feed: never drafts; the past 6 months and all the future;
    cancelled events kept 30 days after cancellation (as STATUS:CANCELLED).

    Public feeds hold only events for everyone; `network` gives that network's events (its
    private feed); `person` gives the events the person is confirmed or waitlisted for
    (annotated `on_waitlist` and `my_status`, which the meeting link follows), whatever their
    audience. `now` defaults to `feed_now()`.
    """
    now = now or feed_now()
    kept_since = now - FEED_CANCELLED_KEPT
    events = Event.objects.filter(starts_at__gte=now - FEED_PAST).filter(
        Q(status=EventStatus.PUBLISHED)
        | Q(status=EventStatus.CANCELLED, cancelled_at__gte=kept_since)
        | Q(status=EventStatus.CANCELLED, cancelled_at__isnull=True, updated_at__gte=kept_since)
    )
    if person is not None:
        # A join (one registration per event and person), not a subquery per event.
        mine = FilteredRelation(
            "registrations",
            condition=Q(
                registrations__user=person,
                registrations__status__in=[
                    RegistrationStatus.CONFIRMED,
                    RegistrationStatus.WAITLISTED,
                ],
            ),
        )
        events = (
            events.annotate(mine=mine)
            .filter(mine__isnull=False)
            .annotate(
                my_status=F("mine__status"),
                on_waitlist=ExpressionWrapper(
                    Q(mine__status=RegistrationStatus.WAITLISTED), output_field=BooleanField()
                ),
            )
        )
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
