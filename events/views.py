"""Public pages of events: the front page, the upcoming list with filters, the archive, a
theme's page and an event's page (with its registration form and meeting link)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.roles import Ability, can

from . import selectors
from .forms import EventFilterForm
from .models import Event, Presenter, RegistrationStatus, Theme
from .page_cache import kept_for_visitors
from .registration import selectors as registration_selectors
from .registration import services as registration_services
from .registration.forms import GuestRegistrationForm, RegistrationAnswersForm
from .registration.rules import meeting_link
from .selectors import upcoming_events


def home(request):
    """The front page: the next eight events this visitor may see."""
    events = upcoming_events(user=request.user)[:8]
    return render(request, "home.html", {"events": events})


@kept_for_visitors
def event_list(request):
    form = EventFilterForm(request.GET or None)
    events = upcoming_events(user=request.user)
    try:
        events = selectors.filter_events(events, request.GET)
    except selectors.InvalidFilterError as exc:
        form.add_filter_error(exc.field, exc.message)
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "events": page.object_list,
            "page": page,
            "form": form,
            "query": _query_without_page(request),
        },
        status=400 if form.errors else 200,
    )


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def event_detail(request, pk: int):
    return render_event_page(request, pk)


def theme_detail(request, slug: str):
    theme = get_object_or_404(Theme, slug=slug)
    programme = selectors.theme_programme(theme=theme, user=request.user)
    presenters = {p.pk: p for e in programme.events for p in e.presenters.all()}  # prefetched
    return render(
        request,
        "events/theme_detail.html",
        {
            "theme": theme,
            "sessions": programme.sessions,
            "other_upcoming": programme.other_upcoming,
            "past": programme.past,
            "presenters": sorted(presenters.values(), key=lambda p: (p.name, p.pk)),
        },
    )


def presenter_detail(request, pk: int):
    """A presenter's public page: only with their consent (else 404, as if there were none)."""
    try:
        presenter = selectors.public_presenter(pk=pk)
    except Presenter.DoesNotExist as exc:
        raise Http404 from exc
    talks = selectors.presenter_talks(presenter=presenter, user=request.user)
    now = timezone.now()
    return render(
        request,
        "events/presenter_detail.html",
        {
            "presenter": presenter,
            "upcoming": [e for e in reversed(talks) if e.ends_at >= now],
            "past": [e for e in talks if e.ends_at < now],
        },
    )


@kept_for_visitors
def archive(request):
    page = Paginator(
        selectors.archive_events(user=request.user).prefetch_related("presenters"), 25
    ).get_page(request.GET.get("page"))
    return render(request, "events/archive.html", {"page": page, "events": page.object_list})


# --- Registration pages --------------------------------------------------------------
# Thin: parse input, call the rooms' services, map domain errors to a message, render.


def page_event(request, pk: int) -> Event:
    staff = can(request.user, Ability.MANAGE_EVENTS)
    try:
        return selectors.event_for_page(user=request.user, pk=pk, staff=staff)
    except Event.DoesNotExist as exc:
        raise Http404 from exc


def _calendar_url(event: Event) -> str:
    try:
        return reverse("calendar:event", kwargs={"pk": event.pk})
    except NoReverseMatch:
        return f"/calendar/event/{event.pk}.ics"


def render_event_page(request, pk: int, *, guest_form=None, answers_form=None, status: int = 200):
    event = page_event(request, pk)
    registration = registration_selectors.registration_of(event=event, user=request.user)
    active = registration is not None and registration.status != RegistrationStatus.CANCELLED
    availability = registration_services.registration_availability(
        event=event, person=request.user, registration=registration
    )
    is_staff = can(request.user, Ability.VIEW_PARTICIPANTS)
    context = {
        "event": event,
        "availability": availability,
        "registration": registration if active else None,
        "closed_reason": None if availability.may_register else availability.message,
        "can_register": availability.may_register,
        "seats_left": availability.seats_left,
        "waitlist_open": availability.waitlist_open,
        "meeting_link": meeting_link(event=event, person=request.user, registration=registration),
        "guest_form": guest_form or GuestRegistrationForm(),
        "answers_form": answers_form
        or (RegistrationAnswersForm(event=event) if event.asked_questions else None),
        "calendar_url": _calendar_url(event),
        "can_view_participants": is_staff,
        "can_check_in": can(request.user, Ability.MANAGE_ATTENDANCE),
    }
    return render(request, "events/event_detail.html", context, status=status)
