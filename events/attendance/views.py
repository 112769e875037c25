"""Organiser pages for attendance: check-in list, headcount, and the Teams report import
(upload, preview, confirm). Rules live in events.attendance.services."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import record_access
from accounts.models import AccessChannel
from accounts.permissions import ability_required
from accounts.roles import Ability
from kohtaamo.ratelimit import ratelimit
from microsoft365.config import graph_configured

from ..errors import EventsError
from ..meetings import services as meeting_services
from ..models import (
    Event,
    RegistrationStatus,
)
from ..registration import selectors as registration_selectors
from ..registration.views import staff_event
from . import services
from .forms import (
    AttendanceConfirmForm,
    AttendanceUploadForm,
    CheckInForm,
    HeadcountForm,
    TeamsFetchForm,
)


@ability_required(Ability.MANAGE_ATTENDANCE)
def check_in(request, pk: int):
    event = staff_event(pk)
    registrations = [
        r
        for r in registration_selectors.participants(event=event)
        if r.status == RegistrationStatus.CONFIRMED
    ]
    form = CheckInForm(request.POST or None, registrations=registrations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = set(form.cleaned_data["registrations"])
            attended = form.cleaned_data["mark"] == CheckInForm.ATTENDED
            count = services.mark_attendance(
                registrations=[r for r in registrations if r.pk in chosen],
                attended=attended,
                by=request.user,
            )
            messages.success(request, _("Saved: %(count)s marked.") % {"count": count})
            return redirect("events:check_in", pk=pk)
        status = 400
    context = {
        "event": event,
        "registrations": registrations,
        "form": form,
        "headcount_form": HeadcountForm(initial={"headcount": event.headcount}),
        "counts": registration_selectors.registration_counts(
            event=event, registrations=registrations
        ),
    }
    record_access(
        actor=request.user,
        action="participants.viewed",
        target=event,
        count=len(registrations),
        channel=AccessChannel.PAGE,
    )
    return render(request, "events/check_in.html", context, status=status)


@require_POST
@ability_required(Ability.MANAGE_ATTENDANCE)
def headcount(request, pk: int):
    event = staff_event(pk)
    form = HeadcountForm(request.POST)
    if form.is_valid():
        try:
            services.record_headcount(
                event=event, headcount=form.cleaned_data["headcount"], by=request.user
            )
        except EventsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Headcount saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Headcount: %(error)s") % {"error": error})
    return redirect("events:check_in", pk=pk)


manage_attendance = ability_required(Ability.MANAGE_ATTENDANCE)
UPLOAD_SESSION_KEY = "evplan_attendance_upload"


# --- Teams attendance import --------------------------------------------------------------


@manage_attendance
@ratelimit("import")
def attendance_import(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("theme"), pk=pk)
    form = AttendanceUploadForm(request.POST or None, request.FILES or None)
    result = error = None
    if request.method == "POST" and request.POST.get("action") == "save":
        return _attendance_save(request, event)
    if request.method == "POST" and request.POST.get("action") == "fetch":
        return _teams_fetch(request, event)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        count_hosts = form.cleaned_data["count_hosts"]
        try:
            result = services.import_attendance(
                event=event,
                file_bytes=data,
                file_name=upload.name,
                by=request.user,
                dry_run=True,
                count_hosts=count_hosts,
            )
        except services.AttendanceImportError as exc:
            error = exc.message
            form.add_error("file", exc.message)
        else:
            _remember_upload(request, event, upload.name, data, count_hosts=count_hosts)
            _log_attendance_access(request, event, "attendance.previewed", result)
    return _render_attendance_import(
        request,
        event,
        form=form,
        result=result,
        status=400 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )


def _log_attendance_access(request, event, action: str, result) -> None:
    """The access log line for a Teams preview or import: who saw how many people's rows."""
    record_access(
        actor=request.user,
        action=action,
        target=event,
        count=len(result.people),
        channel=AccessChannel.PAGE,
    )


def _teams_available(event: Event) -> bool:
    """Fetch from Teams is offered for an event with a Teams meeting, Graph configured."""
    return bool(event.teams_online_meeting_id or event.teams_calendar_event_id) and (
        graph_configured()
    )


def _render_attendance_import(
    request, event: Event, *, form, result, confirm=None, status=200, teams_form=None
):
    if result is not None and confirm is None:
        confirm = AttendanceConfirmForm(
            ask_reason=bool(result.mismatches), initial={"merge": result.merge is not None}
        )
    teams = _teams_available(event)
    if teams and teams_form is None:
        teams_form = TeamsFetchForm()
    return render(
        request,
        "events/organise/attendance_import.html",
        {
            "event": event,
            "form": form,
            "result": result,
            "confirm_form": confirm,
            "imports": event.attendance_imports.all(),
            "min_minutes": settings.ATTENDANCE_MIN_MINUTES,
            "teams_form": teams_form if teams else None,
            "retention_note": meeting_services.RETENTION_NOTE,
        },
        status=status,
    )


def _remember_upload(
    request, event: Event, name: str, data: bytes, *, count_hosts: bool = False
) -> None:
    old = request.session.get(UPLOAD_SESSION_KEY)
    if old and old.get("path"):  # a Teams preview has no file
        default_storage.delete(old["path"])
    path = default_storage.save(f"attendance-uploads/{uuid.uuid4().hex}.csv", ContentFile(data))
    request.session[UPLOAD_SESSION_KEY] = {
        "event": event.pk,
        "path": path,
        "name": name,
        "count_hosts": count_hosts,
    }


def _forget_upload(request) -> None:
    old = request.session.pop(UPLOAD_SESSION_KEY, None)
    if old and old.get("path"):
        default_storage.delete(old["path"])


def _teams_fetch(request, event: Event):
    """Fetch from Teams: the same preview as an upload, from Microsoft Graph."""
    if not _teams_available(event):
        messages.error(request, _("This event has no Teams meeting to fetch attendance from."))
        return redirect("events:organise_attendance_import", pk=event.pk)
    teams_form = TeamsFetchForm(request.POST)
    teams_form.is_valid()  # one optional tick box
    count_hosts = teams_form.cleaned_data.get("count_hosts", False)
    try:
        result = meeting_services.fetch_teams_attendance(
            event_id=event.pk, by=request.user, save=False, count_hosts=count_hosts
        )
    except services.AttendanceImportError as exc:
        teams_form.add_error(None, exc.message)
        event.refresh_from_db()
        return _render_attendance_import(
            request,
            event,
            form=AttendanceUploadForm(),
            result=None,
            teams_form=teams_form,
            status=400,
        )
    _forget_upload(request)
    request.session[UPLOAD_SESSION_KEY] = {
        "event": event.pk,
        "source": "teams",
        "fingerprint": result.file_sha256,
        "count_hosts": count_hosts,
    }
    _log_attendance_access(request, event, "attendance.previewed", result)
    return _render_attendance_import(
        request, event, form=AttendanceUploadForm(), result=result, teams_form=teams_form
    )


def _teams_save(request, event: Event, remembered: dict):
    confirm = AttendanceConfirmForm(request.POST)
    confirm.is_valid()  # plain fields; the service decides what the confirmation allows
    options = {
        "event_id": event.pk,
        "by": request.user,
        "count_hosts": bool(remembered.get("count_hosts")),
    }
    try:
        result = meeting_services.fetch_teams_attendance(
            **options,
            save=True,
            expected_fingerprint=remembered.get("fingerprint", ""),
            merge=confirm.cleaned_data.get("merge", False),
            belongs_to_event=confirm.cleaned_data.get("belongs_to_event", False),
            reason=confirm.cleaned_data.get("reason", ""),
        )
    except services.AttendanceNeedsConfirmationError as exc:
        try:
            preview = meeting_services.fetch_teams_attendance(**options, save=False)
        except services.AttendanceImportError as second:
            messages.error(request, second.message)
        else:
            remembered["fingerprint"] = preview.file_sha256
            request.session[UPLOAD_SESSION_KEY] = remembered
            return _ask_again(request, event, preview=preview, refusal=exc)
    except services.AttendanceImportError as exc:
        messages.error(request, exc.message)
    else:
        _log_attendance_access(request, event, "attendance.imported", result)
        messages.success(request, _saved_message(result))
    request.session.pop(UPLOAD_SESSION_KEY, None)
    return redirect("events:organise_attendance_import", pk=event.pk)


def _ask_again(request, event: Event, *, preview, refusal):
    """A save refused for a missing confirmation (another meeting's report, a merge): the
    preview again, with the question the organiser must answer."""
    posted = request.POST.copy()
    posted["confirm-merge"] = "1" if preview.merge else ""
    confirm = AttendanceConfirmForm(posted, ask_reason=bool(preview.mismatches))
    confirm.is_valid()
    confirm.add_error(None, refusal.message)
    _log_attendance_access(request, event, "attendance.previewed", preview)
    return _render_attendance_import(
        request, event, form=AttendanceUploadForm(), result=preview, confirm=confirm, status=400
    )


def _saved_message(result) -> str:
    return (
        _(
            "Attendance saved: %(counted)s counted, %(matched)s matched to registrations, "
            "%(unmatched)s without registration, %(too_short)s too short."
        )
        % result.as_dict()
    )


def _attendance_save(request, event: Event):
    upload = request.session.get(UPLOAD_SESSION_KEY)
    if upload and upload.get("event") == event.pk and upload.get("source") == "teams":
        return _teams_save(request, event, upload)
    if not upload or upload.get("event") != event.pk or not default_storage.exists(upload["path"]):
        messages.error(request, _("Upload the file again: the preview has expired."))
        return redirect("events:organise_attendance_import", pk=event.pk)
    with default_storage.open(upload["path"], "rb") as handle:
        data = handle.read()
    confirm = AttendanceConfirmForm(request.POST)
    confirm.is_valid()  # plain fields; the service decides what the confirmation allows
    options = {
        "event": event,
        "file_bytes": data,
        "file_name": upload["name"],
        "by": request.user,
        "count_hosts": bool(upload.get("count_hosts")),
    }
    try:
        result = services.import_attendance(
            **options,
            merge=confirm.cleaned_data.get("merge", False),
            belongs_to_event=confirm.cleaned_data.get("belongs_to_event", False),
            reason=confirm.cleaned_data.get("reason", ""),
        )
    except services.AttendanceNeedsConfirmationError as exc:
        # Show the preview again with the message; the upload is kept for the next try.
        try:
            preview = services.import_attendance(**options, dry_run=True)
        except services.AttendanceImportError as second:
            messages.error(request, second.message)
        else:
            return _ask_again(request, event, preview=preview, refusal=exc)
    except services.AttendanceImportError as exc:
        messages.error(request, exc.message)
    else:
        _log_attendance_access(request, event, "attendance.imported", result)
        messages.success(request, _saved_message(result))
    default_storage.delete(upload["path"])
    request.session.pop(UPLOAD_SESSION_KEY, None)
    return redirect("events:organise_attendance_import", pk=event.pk)
