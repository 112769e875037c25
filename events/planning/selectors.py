"""Reads of the organiser pages: the events an organiser works on."""

from __future__ import annotations

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone

from ..models import Event, RegistrationStatus


def organiser_events(*, upcoming: bool = True, now=None) -> QuerySet[Event]:
    """Events for the organiser pages (drafts too) with registration counts, one query."""
    now = now or timezone.now()
    events = Event.objects.select_related("theme", "series")
    events = (
        events.filter(ends_at__gte=now).order_by("starts_at", "pk")
        if upcoming
        else events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    )
    return events.annotate(
        confirmed=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waitlisted=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        attended_count=Count("registrations", filter=Q(registrations__attended=True)),
    )
