"""Shared reads of events: pages, feeds, reports and the API use these."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
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
    from kohtaamo.dates import in_range, out_of_range_message

    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidFilter(
            name, _("“%(value)s” is not a date; use the form YYYY-MM-DD.") % {"value": value}
        ) from exc
    if not in_range(day):
        raise InvalidFilter(name, out_of_range_message())
    return day


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


FEED_PAST = timedelta(days=183)
FEED_CANCELLED_KEPT = timedelta(days=30)


def calendar_feed_events(
    *, series=None, kind: str = "", theme=None, network=None, person=None, now=None
) -> QuerySet[Event]:
    """Events of one calendar feed: never drafts; the past 6 months and all the future;
    cancelled events kept 30 days after cancellation (as STATUS:CANCELLED).

    Public feeds hold only events for everyone; `network` gives that network's events (its
    private feed); `person` gives the events the person is confirmed or waitlisted for
    (annotated `on_waitlist` and `my_status`, which the meeting link follows), whatever their
    audience.
    """
    from .models import RegistrationStatus

    now = now or timezone.now()
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


# --- Registration pages -------------------------------------------------------------


def confirmed_count_subquery():
    """Confirmed registrations of the outer event, as a subquery (safe with .distinct())."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import Registration, RegistrationStatus

    counts = (
        Registration.objects.filter(event=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def with_availability(events: QuerySet[Event], *, user) -> QuerySet[Event]:
    """Annotate what `events.services.registration_availability` reads, in the same query:
    `confirmed_total`, and for a signed-in person `my_status` (their registration's
    status) and `audience_member` (active in one of the event's audience networks)."""
    from networks.models import Membership, MembershipStatus

    from .models import Registration

    events = events.annotate(confirmed_total=confirmed_count_subquery())
    if not getattr(user, "is_authenticated", False):
        return events
    mine = Registration.objects.filter(event=OuterRef("pk"), user=user).values("status")
    member = Membership.objects.filter(
        user=user, status=MembershipStatus.ACTIVE, network__events=OuterRef("pk")
    )
    return events.annotate(my_status=Subquery(mine[:1]), audience_member=Exists(member))


def event_for_page(*, user, pk: int, staff: bool = False) -> Event:
    """One event with everything its page shows (raises Event.DoesNotExist)."""
    events = Event.objects.all() if staff else visible_events(user=user)
    events = events.select_related("theme", "series").prefetch_related("presenters", "materials")
    return with_availability(events, user=user).get(pk=pk)


def seats_left(event: Event) -> int | None:
    """Free seats (None: no limit). Uses the `confirmed_total` annotation when present."""
    if event.capacity is None:
        return None
    confirmed = getattr(event, "confirmed_total", None)
    if confirmed is None:
        from .models import RegistrationStatus

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


def registration_counts(*, event: Event, registrations) -> dict[str, int | None]:
    """Per-event numbers from an already loaded list of registrations (no queries)."""
    from .models import RegistrationStatus

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


def registrations_of_person(*, user):
    """A person's registrations, newest event first, for "my registrations"."""
    return user.registrations.select_related("event__theme").order_by("-event__starts_at")


# --- Planning, attendance and feedback (evplan) ----------------------------------------


def net_promoter_score(*, promoters: int, detractors: int, answers: int) -> int | None:
    """NPS in %: promoters (9–10) minus detractors (0–6) over all answers; None if none."""
    if not answers:
        return None
    return round(100 * (promoters - detractors) / answers)


def feedback_summary(events_qs) -> dict:
    """Feedback over some events in one query: answers, average usefulness (1–5), NPS.

    Reports reuse this, so the NPS is computed in one place."""
    from django.db.models import Avg, Count

    from .models import Feedback

    row = Feedback.objects.filter(event__in=events_qs).aggregate(
        answers=Count("pk"),
        usefulness=Avg("usefulness"),
        promoters=Count("pk", filter=Q(recommend__gte=9)),
        passives=Count("pk", filter=Q(recommend__in=[7, 8])),
        detractors=Count("pk", filter=Q(recommend__lte=6)),
    )
    row["nps"] = net_promoter_score(
        promoters=row["promoters"], detractors=row["detractors"], answers=row["answers"]
    )
    if row["usefulness"] is not None:
        row["usefulness"] = round(float(row["usefulness"]), 2)
    return row


def event_comments(event) -> QuerySet:
    from .models import Feedback

    return Feedback.objects.filter(event=event).exclude(comment="").order_by("-submitted_at")


def organiser_events(*, upcoming: bool = True, now=None) -> QuerySet[Event]:
    """Events for the organiser pages (drafts too) with registration counts, one query."""
    from django.db.models import Count

    from .models import RegistrationStatus

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


def archive_events(*, user) -> QuerySet[Event]:
    """Past sessions (published or cancelled) with their themes and published recordings."""
    from recordings.models import PublicationState, Recording

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
