"""Reads of registration: seats left, one person's registration, participants and counts,
and who is told of what (a change, a cancellation, the reminder, the feedback request)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    Event,
    EventStatus,
    InterpretationNeed,
    Registration,
    RegistrationStatus,
)

# Feedback is asked for during the week after an event.
FEEDBACK_WINDOW = dt.timedelta(days=7)

# --- Registration pages -------------------------------------------------------------


def confirmed_count_subquery():
    """Confirmed registrations of the outer event, as a subquery (safe with .distinct())."""
    counts = (
        Registration.objects.filter(event=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def seats_left(event: Event) -> int | None:
    """Free seats (None: no limit). Uses the `confirmed_total` annotation when present."""
    if event.capacity is None:
        return None
    confirmed = getattr(event, "confirmed_total", None)
    if confirmed is None:
        confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    return max(event.capacity - confirmed, 0)


def registration_of(*, event: Event, user):
    """This signed-in person's registration for the event, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return event.registrations.filter(user=user).first()


def participants(*, event: Event):
    """Every registration of an event for the organiser's lists and exports."""
    return event.registrations.select_related("organisation").order_by("created_at", "pk")


@dataclass(frozen=True)
class CheckInSheet:
    """The printable list of one event: the confirmed people by name, to tick or sign, and
    the waitlisted ones apart, in waitlist order."""

    confirmed: list[Registration]
    waitlisted: list[Registration]


def check_in_sheet(*, event: Event) -> CheckInSheet:
    """The confirmed and waitlisted registrations of an event with their organisations: one
    query however many people registered."""
    rows = list(
        event.registrations.filter(
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        )
        .select_related("organisation")
        .order_by("created_at", "pk")
    )
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    return CheckInSheet(
        confirmed=sorted(confirmed, key=lambda r: (r.display_name.casefold(), r.pk)),
        waitlisted=[r for r in rows if r.status == RegistrationStatus.WAITLISTED],
    )


def registration_counts(*, event: Event, registrations) -> dict[str, int | None]:
    """Per-event numbers from an already loaded list of registrations (no queries)."""
    counts = dict.fromkeys(
        ("registered", "confirmed", "waitlisted", "pending", "cancelled", "attended", "no_shows"),
        0,
    )
    for registration in registrations:
        counts[registration.status] = counts.get(registration.status, 0) + 1
        if registration.status != RegistrationStatus.PENDING:
            counts["registered"] += 1
        if registration.attended is True:
            counts["attended"] += 1
        elif registration.attended is False and registration.status == RegistrationStatus.CONFIRMED:
            counts["no_shows"] += 1
    counts["headcount"] = event.headcount
    counts["anonymous_attendees"] = event.anonymous_attendees
    return counts


@dataclass
class AnswerSummary:
    """What the confirmed participants said they need (from the loaded registrations)."""

    accessibility_needs: int = 0
    interpretation: int = 0
    # [(label, count)] per kind of interpretation, in the order of InterpretationNeed
    interpretation_kinds: list[tuple[str, int]] = field(default_factory=list)
    diets: int = 0
    # [(diet as first written, count)], the most common first; same text in any case is one
    diet_kinds: list[tuple[str, int]] = field(default_factory=list)
    question_answers: int = 0


def answer_summary(*, event: Event, registrations) -> AnswerSummary | None:
    """Counts of the confirmed participants' answers, or None when the event asks nothing.
    No queries: reads the list the page already loaded."""
    if not event.asked_questions:
        return None
    summary = AnswerSummary()
    kinds: Counter[str] = Counter()
    diets: Counter[str] = Counter()
    diet_text: dict[str, str] = {}
    for registration in registrations:
        if registration.status != RegistrationStatus.CONFIRMED:
            continue
        if registration.accessibility_needs:
            summary.accessibility_needs += 1
        if registration.interpretation:
            summary.interpretation += 1
            kinds[registration.interpretation] += 1
        if registration.diet:
            summary.diets += 1
            key = " ".join(registration.diet.casefold().split())
            diet_text.setdefault(key, registration.diet)
            diets[key] += 1
        if registration.question_answer:
            summary.question_answers += 1
    summary.interpretation_kinds = [
        (label, kinds[value]) for value, label in InterpretationNeed.choices if kinds[value]
    ]
    summary.diet_kinds = [
        (diet_text[key], n) for key, n in sorted(diets.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return summary


def registrations_of_person(*, user):
    """A person's registrations, newest event first, for "my registrations"."""
    return user.registrations.select_related("event__theme").order_by("-event__starts_at")


# --- Who is told -------------------------------------------------------------------------


def told_of_change(*, event_id: int) -> QuerySet[Registration]:
    """Who hears that a published event's time or place changed: the confirmed and the
    waitlisted (never an anonymised registration)."""
    return Registration.objects.filter(
        event_id=event_id,
        event__status=EventStatus.PUBLISHED,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
        anonymised_at__isnull=True,
    )


def told_of_cancellation(*, event_id: int) -> QuerySet[Registration]:
    """Who hears that an event was cancelled: everyone still registered, and those whose
    registration the cancellation itself ended; nobody when the event is not cancelled."""
    event = Event.objects.filter(pk=event_id, status=EventStatus.CANCELLED).first()
    if event is None:
        return Registration.objects.none()
    still_registered = ~Q(status=RegistrationStatus.CANCELLED)
    if event.cancelled_at:
        still_registered |= Q(cancelled_at__gte=event.cancelled_at)
    return Registration.objects.filter(event=event, anonymised_at__isnull=True).filter(
        still_registered
    )


def due_reminders(now: dt.datetime | None = None) -> QuerySet[Registration]:
    """Confirmed registrations of published events starting within the next 24 hours, of
    people who want reminders (guests always get one)."""
    now = now or timezone.now()
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        anonymised_at__isnull=True,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + dt.timedelta(hours=24),
    ).filter(Q(user__isnull=True) | Q(user__reminders_enabled=True))


def due_feedback_requests(now: dt.datetime | None = None) -> QuerySet[Registration]:
    """Attendees (confirmed, not marked absent) of events that ended in the past week."""
    now = now or timezone.now()
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        feedback_requested_at__isnull=True,
        anonymised_at__isnull=True,
        event__status=EventStatus.PUBLISHED,
        event__ends_at__lte=now,
        event__ends_at__gt=now - FEEDBACK_WINDOW,
    ).exclude(attended=False)
