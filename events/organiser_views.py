"""Organiser pages: plan themes, presenters, series and events, plan a term, import
Teams attendance, see feedback. Thin: forms parse, events.services decide."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AccessChannel
from accounts.permissions import ability_required
from accounts.roles import Ability
from accounts.services import record_access
from kohtaamo.ratelimit import ratelimit

from . import scheduling, selectors, services
from .models import Event, EventMaterial, EventStatus, Presenter, Series, Theme
from .organiser_forms import (
    AttendanceConfirmForm,
    AttendanceUploadForm,
    BreakFormSet,
    CancelEventForm,
    EventForm,
    MaterialForm,
    PlanTermForm,
    PresenterForm,
    SeriesForm,
    SessionAssignmentForm,
    ThemeForm,
)

manage_events = ability_required(Ability.MANAGE_EVENTS)
manage_attendance = ability_required(Ability.MANAGE_ATTENDANCE)
UPLOAD_SESSION_KEY = "evplan_attendance_upload"


@manage_events
def organiser_home(request):
    upcoming = selectors.organiser_events(upcoming=True)[:100]
    recent = selectors.organiser_events(upcoming=False)[:20]
    return render(
        request,
        "events/organise/home.html",
        {"upcoming": upcoming, "recent": recent, "series_list": Series.objects.all()},
    )


# --- Themes, presenters, series --------------------------------------------------------

RECORDS = {
    "theme": (Theme, ThemeForm, _("Themes"), "title"),
    "presenter": (Presenter, PresenterForm, _("Presenters"), "name"),
    "series": (Series, SeriesForm, _("Series"), "name"),
}


def _record_list(request, kind: str):
    model, _form, title, order = RECORDS[kind]
    objects = model.objects.order_by(order)
    if kind == "theme":
        objects = objects.annotate(sessions=Count("events"))
    page = Paginator(objects, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "events/organise/record_list.html",
        {"kind": kind, "title": title, "page": page},
    )


def _record_edit(request, kind: str, pk: int | None):
    model, form_class, title, _order = RECORDS[kind]
    instance = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        m2m = {}
        if kind == "presenter":
            obj.user = form.cleaned_data["user_email"]
        if kind == "series":
            m2m["organisers"] = form.cleaned_data["organisers"]
        services.save_planning_record(instance=obj, by=request.user, m2m=m2m)
        messages.success(request, _("Saved."))
        return redirect(f"events:organise_{kind}_list")
    return render(
        request,
        "events/organise/record_form.html",
        {"kind": kind, "title": title, "form": form, "object": instance},
        status=400 if request.method == "POST" else 200,
    )


@manage_events
def theme_list(request):
    return _record_list(request, "theme")


@manage_events
def theme_edit(request, pk: int | None = None):
    return _record_edit(request, "theme", pk)


@manage_events
def presenter_list(request):
    return _record_list(request, "presenter")


@manage_events
def presenter_edit(request, pk: int | None = None):
    return _record_edit(request, "presenter", pk)


@manage_events
def series_list(request):
    return _record_list(request, "series")


@manage_events
def series_edit(request, pk: int | None = None):
    return _record_edit(request, "series", pk)


# --- Events -----------------------------------------------------------------------------


def _show_service_error(form, exc: services.EventsError) -> None:
    if isinstance(exc, services.EventValidationError):
        for field, errors in exc.errors.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    elif isinstance(exc, services.CapacityBelowConfirmed):
        form.add_error("capacity", exc.message)
    else:
        form.add_error(None, exc.message)


@manage_events
def event_create(request):
    initial = {}
    series = Series.objects.filter(pk=request.GET.get("series") or 0).first()
    if series:
        initial = {"series": series, "kind": series.kind, "format": series.format}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(by=request.user, **form.service_fields())
        except services.EventsError as exc:
            _show_service_error(form, exc)
        else:
            messages.success(request, _("The event was created."))
            return redirect("events:organise_event_edit", pk=event.pk)
    return _event_form(request, form, None)


def _event_form(request, form, event):
    changes = event.changes.select_related("changed_by")[:20] if event else []
    return render(
        request,
        "events/organise/event_form.html",
        {"form": form, "event": event, "changes": changes},
        status=400 if request.method == "POST" else 200,
    )


@manage_events
def event_edit(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("theme", "series"), pk=pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        current = Event.objects.get(pk=pk)
        try:
            services.update_event(event=current, by=request.user, **form.service_fields())
        except services.EventsError as exc:
            _show_service_error(form, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("events:organise_event_edit", pk=pk)
    return _event_form(request, form, event)


@manage_events
@require_POST
def event_publish(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    try:
        services.publish_event(event=event, by=request.user)
    except services.EventsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The event is published."))
    return redirect("events:organise_event_edit", pk=pk)


@manage_events
def event_cancel(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event=event, by=request.user, reason=form.cleaned_data["reason"])
        except services.EventsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The event is cancelled; the registered people are told."))
            return redirect("events:organise_event_edit", pk=pk)
    return render(
        request,
        "events/organise/event_cancel.html",
        {"event": event, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@manage_events
def event_materials(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_material(
                event=event,
                by=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data.get("file"),
                url=form.cleaned_data.get("url") or "",
            )
        except services.EventsError as exc:
            form.add_error("file" if form.cleaned_data.get("file") else None, exc.message)
        else:
            messages.success(request, _("The material was added."))
            return redirect("events:organise_event_materials", pk=pk)
    return render(
        request,
        "events/organise/materials.html",
        {"event": event, "form": form, "materials": event.materials.all()},
        status=400 if request.method == "POST" else 200,
    )


@manage_events
@require_POST
def material_delete(request, pk: int, material_pk: int):
    material = get_object_or_404(EventMaterial, pk=material_pk, event_id=pk)
    services.remove_material(material=material, by=request.user)
    messages.success(request, _("The material was removed."))
    return redirect("events:organise_event_materials", pk=pk)


# --- Plan a term --------------------------------------------------------------------------


def _breaks(formset) -> list[scheduling.BreakPeriod]:
    return [
        scheduling.BreakPeriod(f.cleaned_data["name"], f.cleaned_data["start"], d["end"])
        for f in formset
        for d in [f.cleaned_data]
        if f.cleaned_data.get("start") and f.cleaned_data.get("end")
    ]


@manage_events
def plan_term(request):
    data = request.POST if request.method == "POST" else None
    initial = {"series": request.GET.get("series")} if request.GET.get("series") else None
    form = PlanTermForm(data, initial=initial)
    formset = BreakFormSet(data, prefix="breaks")
    plan = None
    if data is not None and form.is_valid() and formset.is_valid():
        series = form.cleaned_data["series"]
        first, last = form.cleaned_data["first_date"], form.cleaned_data["last_date"]
        try:
            plan = scheduling.preview_series_sessions(
                first_date=first,
                last_date=last,
                weekday=series.weekday,
                breaks=_breaks(formset),
                existing_dates=services.series_session_dates(series, first, last),
                language=request.LANGUAGE_CODE,
            )
        except scheduling.ScheduleError as exc:
            form.add_error(None, exc.message)
        else:
            if request.POST.get("action") == "confirm":
                status = EventStatus.PUBLISHED if form.cleaned_data["publish"] else "draft"
                created = services.create_series_sessions(
                    series=series, dates=plan.dates, by=request.user, status=status
                )
                messages.success(
                    request,
                    _("%(count)s sessions were created.") % {"count": len(created)},
                )
                return redirect(
                    f"{_assign_url(series)}?from={first.isoformat()}&to={last.isoformat()}"
                )
    return render(
        request,
        "events/organise/plan_term.html",
        {"form": form, "formset": formset, "plan": plan},
        status=400 if data is not None and plan is None else 200,
    )


def _assign_url(series: Series) -> str:
    return reverse("events:organise_assign_themes", kwargs={"pk": series.pk})


def _parse_day(value: str | None, default):
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@manage_events
def assign_themes(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    today = timezone.localdate()
    first = _parse_day(request.GET.get("from"), today)
    last = _parse_day(request.GET.get("to"), today + dt.timedelta(days=365))
    sessions = list(
        Event.objects.filter(series=series)
        .filter(starts_at__date__gte=first, starts_at__date__lte=last)
        .select_related("theme")
        .prefetch_related("presenters")
        .order_by("starts_at")[:200]
    )
    themes = Theme.objects.order_by("title")
    presenters = Presenter.objects.order_by("name")
    rows = []
    for index, event in enumerate(sessions):
        initial = {
            "event_id": event.pk,
            "theme": event.theme_id,
            "presenters": [p.pk for p in event.presenters.all()],
        }
        rows.append(
            SessionAssignmentForm(
                request.POST or None,
                prefix=f"s{index}",
                initial=initial,
                event=event,
                themes=themes,
                presenters=presenters,
            )
        )
    if request.method == "POST" and all(row.is_valid() for row in rows):
        by_id = {event.pk: event for event in sessions}
        assignments = [
            services.SessionAssignment(
                event=by_id[row.cleaned_data["event_id"]],
                theme=row.cleaned_data["theme"],
                presenters=list(row.cleaned_data["presenters"]),
            )
            for row in rows
            if row.cleaned_data["event_id"] in by_id
        ]
        try:
            changed = services.assign_themes(assignments=assignments, by=request.user)
        except services.EventsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(count)s sessions were updated.") % {"count": changed})
            return redirect(request.get_full_path())
    return render(
        request,
        "events/organise/assign_themes.html",
        {"series": series, "rows": rows, "first": first, "last": last},
    )


# --- Teams attendance import --------------------------------------------------------------


@manage_attendance
@ratelimit("import")
def attendance_import(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("theme"), pk=pk)
    form = AttendanceUploadForm(request.POST or None, request.FILES or None)
    result = error = None
    if request.method == "POST" and request.POST.get("action") == "save":
        return _attendance_save(request, event)
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


def _render_attendance_import(request, event: Event, *, form, result, confirm=None, status=200):
    if result is not None and confirm is None:
        confirm = AttendanceConfirmForm(
            ask_reason=bool(result.mismatches), initial={"merge": result.merge is not None}
        )
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
        },
        status=status,
    )


def _remember_upload(
    request, event: Event, name: str, data: bytes, *, count_hosts: bool = False
) -> None:
    old = request.session.get(UPLOAD_SESSION_KEY)
    if old:
        default_storage.delete(old["path"])
    path = default_storage.save(f"attendance-uploads/{uuid.uuid4().hex}.csv", ContentFile(data))
    request.session[UPLOAD_SESSION_KEY] = {
        "event": event.pk,
        "path": path,
        "name": name,
        "count_hosts": count_hosts,
    }


def _attendance_save(request, event: Event):
    upload = request.session.get(UPLOAD_SESSION_KEY)
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
    except services.AttendanceNeedsConfirmation as exc:
        # Show the preview again with the message; the upload is kept for the next try.
        try:
            preview = services.import_attendance(**options, dry_run=True)
        except services.AttendanceImportError as second:
            messages.error(request, second.message)
        else:
            posted = request.POST.copy()
            posted["confirm-merge"] = "1" if preview.merge else ""
            confirm = AttendanceConfirmForm(posted, ask_reason=bool(preview.mismatches))
            confirm.is_valid()
            confirm.add_error(None, exc.message)
            _log_attendance_access(request, event, "attendance.previewed", preview)
            return _render_attendance_import(
                request,
                event,
                form=AttendanceUploadForm(),
                result=preview,
                confirm=confirm,
                status=400,
            )
    except services.AttendanceImportError as exc:
        messages.error(request, exc.message)
    else:
        _log_attendance_access(request, event, "attendance.imported", result)
        messages.success(
            request,
            _(
                "Attendance saved: %(counted)s counted, %(matched)s matched to registrations, "
                "%(unmatched)s without registration, %(too_short)s too short."
            )
            % result.as_dict(),
        )
    default_storage.delete(upload["path"])
    request.session.pop(UPLOAD_SESSION_KEY, None)
    return redirect("events:organise_attendance_import", pk=event.pk)


# --- Feedback results -------------------------------------------------------------------


@manage_events
def feedback_results(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("theme"), pk=pk)
    summary = selectors.feedback_summary(Event.objects.filter(pk=pk))
    comments = Paginator(selectors.event_comments(event), 50).get_page(request.GET.get("page"))
    public_link = request.build_absolute_uri(
        reverse("events:public_feedback", kwargs={"pk": event.pk, "token": event.feedback_token})
    )
    return render(
        request,
        "events/organise/feedback_results.html",
        {"event": event, "summary": summary, "comments": comments, "public_link": public_link},
    )
