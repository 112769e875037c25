"""Reads of the organiser pages: the events an organiser works on."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from ..models import Event, Presenter, RegistrationStatus


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


def presenters_with_talks() -> QuerySet[Presenter]:
    """Presenters with the number of their events (`talks`) and whether another presenter
    has the same name (`has_namesake`, a likely duplicate), by name: one query."""
    namesakes = Presenter.objects.filter(name__iexact=OuterRef("name")).exclude(pk=OuterRef("pk"))
    return Presenter.objects.annotate(
        talks=Count("events", distinct=True), has_namesake=Exists(namesakes)
    ).order_by("name", "pk")


def merge_candidates(presenter: Presenter) -> QuerySet[Presenter]:
    """The presenters one may merge with `presenter`: namesakes first, then by name."""
    same_name = Case(When(name__iexact=presenter.name, then=Value(0)), default=Value(1))
    return (
        presenters_with_talks()
        .exclude(pk=presenter.pk)
        .alias(same_name=same_name)
        .order_by("same_name", "name", "pk")
    )
