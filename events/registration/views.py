"""Registration pages: register and cancel, the guest's confirmation link, my registrations,
and the organiser's participant list (add, promote, cancel, capacity, export)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import record_access
from accounts.models import AccessChannel
from accounts.permissions import ability_required
from accounts.roles import Ability, can
from kohtaamo.exports import csv_response, xlsx_response
from kohtaamo.ratelimit import ratelimit

from ..errors import EventsError
from ..models import Event, Registration, RegistrationStatus
from ..views import page_event, render_event_page
from . import selectors, services
from .forms import (
    CapacityForm,
    GuestRegistrationForm,
    RegisterSomeoneForm,
    RegistrationAnswersForm,
    answer_text,
    question_columns,
)
from .rules import meeting_link


def _message_for_placement(request, registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("You are registered. A confirmation is on its way by e-mail."))
    elif registration.status == RegistrationStatus.WAITLISTED:
        messages.info(request, _("The event is full: you are on the waitlist."))
    elif registration.status == RegistrationStatus.PENDING:
        messages.info(
            request,
            _("Almost done: open the link we sent to %(email)s to confirm your registration.")
            % {"email": registration.email},
        )


@require_POST
@ratelimit("registration")
def event_register(request, pk: int):
    event = page_event(request, pk)
    answers_form = RegistrationAnswersForm(request.POST, event=event)
    answers_valid = answers_form.is_valid()
    if request.user.is_authenticated:
        if not answers_valid:
            return render_event_page(request, pk, answers_form=answers_form, status=400)
        try:
            registration = services.register(
                event=event, person=request.user, answers=answers_form.answers()
            )
        except EventsError as error:
            messages.error(request, error.message)
        else:
            _message_for_placement(request, registration)
        return redirect(event)
    form = GuestRegistrationForm(request.POST)
    if not (form.is_valid() and answers_valid):
        return render_event_page(
            request, pk, guest_form=form, answers_form=answers_form, status=400
        )
    try:
        registration = services.register(
            event=event,
            guest_name=form.cleaned_data["name"],
            guest_email=form.cleaned_data["email"],
            guest_organisation=form.cleaned_data["organisation"],
            answers=answers_form.answers(),
        )
    except EventsError as error:
        form.add_error(None, error.message)
        return render_event_page(
            request, pk, guest_form=form, answers_form=answers_form, status=400
        )
    _message_for_placement(request, registration)
    return redirect(event)


@require_POST
@login_required
def event_cancel(request, pk: int):
    event = page_event(request, pk)
    registration = selectors.registration_of(event=event, user=request.user)
    if registration is None:
        raise Http404
    try:
        services.cancel_registration(registration=registration, by=request.user)
    except EventsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration has been cancelled."))
    if request.POST.get("next") == "mine":
        return redirect("events:mine")
    return redirect(event)


def registration_link(request, token: str):
    """The guest's e-mailed link: GET shows the registration, POST confirms or cancels."""
    try:
        registration = services.registration_by_token(token)
    except services.InvalidRegistrationLinkError as error:
        return render(
            request, "events/registration_link.html", {"error": error.message}, status=404
        )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                registration = services.confirm_guest_registration(token=token)
                _message_for_placement(request, registration)
            elif action == "cancel":
                services.cancel_registration(registration=registration)
                messages.success(request, _("Your registration has been cancelled."))
            else:
                return HttpResponseBadRequest(_("Unknown action."))
        except EventsError as error:
            messages.error(request, error.message)
        return redirect("events:registration", token=token)
    context = {
        "registration": registration,
        "meeting_link": meeting_link(event=registration.event, registration=registration),
    }
    return render(request, "events/registration_link.html", context)


@login_required
def my_registrations(request):
    now = timezone.now()
    registrations = list(selectors.registrations_of_person(user=request.user))
    upcoming = [r for r in registrations if r.event.ends_at >= now]
    upcoming.reverse()
    past = [r for r in registrations if r.event.ends_at < now]
    return render(request, "events/my_registrations.html", {"upcoming": upcoming, "past": past})


# --- Organiser pages -----------------------------------------------------------------


def staff_event(pk: int) -> Event:
    return get_object_or_404(Event.objects.select_related("theme"), pk=pk)


@ability_required(Ability.VIEW_PARTICIPANTS)
def participants(request, pk: int, *, add_form=None, capacity_form=None, status: int = 200):
    event = staff_event(pk)
    registrations = list(selectors.participants(event=event))
    record_access(
        actor=request.user,
        action="participants.viewed",
        target=event,
        count=len(registrations),
        channel=AccessChannel.PAGE,
    )
    questions = question_columns(event)
    for registration in registrations:
        registration.answer_texts = [answer_text(registration, name) for name, _h in questions]
    groups = [
        (value, label, [r for r in registrations if r.status == value])
        for value, label in RegistrationStatus.choices
    ]
    context = {
        "event": event,
        "groups": [
            (RegistrationStatus(value), label, rows)
            for value, label, rows in sorted(groups, key=lambda g: STATUS_ORDER.index(g[0]))
        ],
        "counts": selectors.registration_counts(event=event, registrations=registrations),
        "questions": [heading for _name, heading in questions],
        "answer_summary": selectors.answer_summary(event=event, registrations=registrations),
        "add_form": add_form or RegisterSomeoneForm(),
        "capacity_form": capacity_form or CapacityForm(initial={"capacity": event.capacity}),
        "can_manage": can(request.user, Ability.MANAGE_EVENTS),
        "can_check_in": can(request.user, Ability.MANAGE_ATTENDANCE),
    }
    return render(request, "events/participants.html", context, status=status)


@ability_required(Ability.VIEW_PARTICIPANTS)
def participants_print(request, pk: int):
    """The printable check-in list of one event: sign or tick on paper."""
    event = staff_event(pk)
    sheet = selectors.check_in_sheet(event=event)
    record_access(
        actor=request.user,
        action="participants.viewed",
        target=event,
        count=len(sheet.confirmed) + len(sheet.waitlisted),
        channel=AccessChannel.PAGE,
    )
    return render(request, "events/participants_print.html", {"event": event, "sheet": sheet})


STATUS_ORDER = [
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
    RegistrationStatus.CANCELLED,
]


@require_POST
@ability_required(Ability.MANAGE_EVENTS)
def participants_add(request, pk: int):
    event = staff_event(pk)
    form = RegisterSomeoneForm(request.POST)
    if form.is_valid():
        try:
            registration = services.register_someone(
                event=event,
                by=request.user,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
            )
        except EventsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": registration.display_name, "status": registration.get_status_display()},
            )
            return redirect("events:participants", pk=pk)
    return participants(request, pk, add_form=form, status=400)


@require_POST
@ability_required(Ability.MANAGE_EVENTS)
def participants_promote(request, pk: int, registration_pk: int):
    registration = get_object_or_404(Registration, pk=registration_pk, event_id=pk)
    try:
        services.promote_from_waitlist(registration=registration, by=request.user)
    except EventsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s now has a seat.") % {"name": registration.display_name}
        )
    return redirect("events:participants", pk=pk)


@require_POST
@ability_required(Ability.MANAGE_EVENTS)
def participants_cancel(request, pk: int, registration_pk: int):
    registration = get_object_or_404(Registration, pk=registration_pk, event_id=pk)
    try:
        services.cancel_registration(registration=registration, by=request.user)
    except EventsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The registration of %(name)s is cancelled.") % {"name": registration.display_name},
        )
    return redirect("events:participants", pk=pk)


@require_POST
@ability_required(Ability.MANAGE_EVENTS)
def event_capacity(request, pk: int):
    event = staff_event(pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            promoted = services.set_capacity(
                event=event, capacity=form.cleaned_data["capacity"], by=request.user
            )
        except EventsError as error:
            form.add_error("capacity", error.message)
        else:
            messages.success(
                request,
                _("Capacity saved. Moved off the waitlist: %(count)s.") % {"count": len(promoted)},
            )
            return redirect("events:participants", pk=pk)
    return participants(request, pk, capacity_form=form, status=400)


def _export_rows(event: Event):
    questions = question_columns(event)
    for r in selectors.participants(event=event):
        yield [
            r.display_name,
            "" if r.anonymised_at else r.email,
            r.organisation.name if r.organisation_id else r.organisation_name,
            r.get_status_display(),
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            {True: _("yes"), False: _("no"), None: ""}[r.attended],
            _("guest") if r.is_guest else _("account"),
            *(answer_text(r, name) for name, _heading in questions),
        ]


def _export_header(event: Event) -> list[str]:
    return [
        str(_("Name")),
        str(_("E-mail")),
        str(_("Organisation")),
        str(_("Status")),
        str(_("Registered")),
        str(_("Attended")),
        str(_("Registered with")),
        *(str(heading) for _name, heading in question_columns(event)),
    ]


@ability_required(Ability.VIEW_PARTICIPANTS)
def participants_export(request, pk: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    event = staff_event(pk)
    base = f"participants-{event.pk}-{timezone.localdate(event.starts_at):%Y-%m-%d}"
    rows = [[str(v) for v in row] for row in _export_rows(event)]
    record_access(
        actor=request.user,
        action="participants.exported",
        target=event,
        count=len(rows),
        channel=AccessChannel(fmt),
    )
    if fmt == "csv":
        return csv_response(filename=f"{base}.csv", header=_export_header(event), rows=rows)
    preamble = [
        (
            f"{event.display_title} – "
            f"{date_format(timezone.localtime(event.starts_at), 'SHORT_DATETIME_FORMAT')}"
        ),
    ]
    sheets = [(str(_("Participants")), _export_header(event), rows, preamble)]
    return xlsx_response(filename=f"{base}.xlsx", sheets=sheets)
