"""Shared reads of events: pages, feeds, reports and the API use these."""

from __future__ import annotations

from django.db.models import Q, QuerySet
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
