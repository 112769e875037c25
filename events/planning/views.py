"""Organiser pages: the organiser home, themes, presenters, series, events, materials, a term
of sessions and its themes. Rules live in events.planning.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import ability_required
from accounts.roles import Ability
from microsoft365.config import graph_configured

from ..errors import EventsError
from ..models import (
    ONLINE_FORMATS,
    Event,
    EventMaterial,
    EventStatus,
    Presenter,
    Series,
    TeamsSyncState,
    Theme,
)
from ..registration import services as registration_services
from . import scheduling, selectors, services
from .changes import describe_change
from .forms import (
    MAX_BREAKS,
    BreakFormSet,
    CancelEventForm,
    EventForm,
    MaterialForm,
    MergePresentersForm,
    PlanningRecordForm,
    PlanTermForm,
    PresenterForm,
    SeriesForm,
    SessionAssignmentForm,
    SessionOverrideForm,
    ThemeForm,
    assignment_choices,
    with_one_more_break,
)

manage_events = ability_required(Ability.MANAGE_EVENTS)


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


@dataclass(frozen=True)
class RecordKind:
    """One kind of planning record, listed and edited by the same two views."""

    form: type[PlanningRecordForm]
    title: Promise  # lazy: translated when the page renders
    rows: Callable[[], QuerySet]
    save: Callable | None = None  # its own service (no many-to-many values), if it has one


RECORDS = {
    "theme": RecordKind(
        ThemeForm,
        gettext_lazy("Themes"),
        lambda: Theme.objects.order_by("title").annotate(sessions=Count("events")),
    ),
    "presenter": RecordKind(
        PresenterForm,
        gettext_lazy("Presenters"),
        selectors.presenters_with_talks,
        save=services.save_presenter,
    ),
    "series": RecordKind(
        SeriesForm, gettext_lazy("Series"), lambda: Series.objects.order_by("name")
    ),
}


def _record_list(request, kind: str):
    record = RECORDS[kind]
    title, objects = record.title, record.rows()
    page = Paginator(objects, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "events/organise/record_list.html",
        {"kind": kind, "title": title, "page": page},
    )


def _record_edit(request, kind: str, pk: int | None):
    record = RECORDS[kind]
    title = record.title
    instance = get_object_or_404(record.form._meta.model, pk=pk) if pk else None
    form = record.form(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj, m2m = form.unsaved()
        if record.save is not None:
            record.save(instance=obj, by=request.user)
        else:
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
def presenter_merge(request, pk: int):
    """Merge two presenters who are one person: choose the other and the one kept, check,
    confirm (events.planning.services.merge_presenters)."""
    presenter = get_object_or_404(selectors.presenters_with_talks(), pk=pk)
    others = selectors.merge_candidates(presenter)
    namesake = others.filter(name__iexact=presenter.name).first()
    form = MergePresentersForm(
        request.POST or None,
        presenter=presenter,
        others=others,
        initial={"other": namesake, "keep": "this"},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        keep, duplicate = form.keep_and_duplicate()
        if request.POST.get("action") == "confirm":
            try:
                services.merge_presenters(keep=keep, duplicate=duplicate, by=request.user)
            except EventsError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Merged: the talks of %(duplicate)s moved to %(keep)s.")
                    % {"duplicate": duplicate.name, "keep": keep.name},
                )
                return redirect("events:organise_presenter_edit", pk=keep.pk)
        else:
            preview = {"keep": keep, "duplicate": duplicate}
    return render(
        request,
        "events/organise/presenter_merge.html",
        {"presenter": presenter, "form": form, "preview": preview},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@manage_events
def series_list(request):
    return _record_list(request, "series")


@manage_events
def series_edit(request, pk: int | None = None):
    return _record_edit(request, "series", pk)


# --- Events -----------------------------------------------------------------------------


def _show_service_error(form, exc: EventsError) -> None:
    if isinstance(exc, services.EventValidationError):
        for field, errors in exc.errors.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    elif isinstance(exc, registration_services.CapacityBelowConfirmedError):
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
        except EventsError as exc:
            _show_service_error(form, exc)
        else:
            messages.success(request, _("The event was created."))
            return redirect("events:organise_event_edit", pk=event.pk)
    return _event_form(request, form, None)


def _event_form(request, form, event):
    changes = list(event.changes.select_related("changed_by")[:20]) if event else []
    for change in changes:  # in plain language: labels, local dates, names (changes.py)
        change.lines = describe_change(change)
    # The Teams meeting's state: with Graph configured, or for an event that has one.
    teams_shown = event is not None and (
        graph_configured() or event.teams_sync_state != TeamsSyncState.NONE
    )
    return render(
        request,
        "events/organise/event_form.html",
        {"form": form, "event": event, "changes": changes, "teams_shown": teams_shown},
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
        except EventsError as exc:
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
    except EventsError as exc:
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
        except EventsError as exc:
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
        except EventsError as exc:
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


@dataclass
class PlannedRow:
    """One weekly date of the term preview: skipped (why), or a new session with the form of
    its own start time and link, and whether they differ from the series'."""

    day: dt.date
    skipped: scheduling.SkippedDate | None = None
    form: SessionOverrideForm | None = None
    own_time: bool = False
    own_link: bool = False


def _override_forms(data, series: Series, plan) -> dict[dt.date, SessionOverrideForm]:
    """A form per new session; bound only when the page posted its fields (the first
    preview shows the series' time and link)."""
    start, link = services.series_start_time(series), series.meeting_url
    with_link = series.format in ONLINE_FORMATS
    forms = {}
    for day in plan.dates:
        prefix = f"o-{day.isoformat()}"
        posted = any(key.startswith(f"{prefix}-") for key in data)
        forms[day] = SessionOverrideForm(
            data if posted else None,
            prefix=prefix,
            day=day,
            with_link=with_link,
            initial={"start_time": start, "meeting_url": link},
        )
    return forms


def _planned_rows(plan, forms, series: Series) -> list[PlannedRow]:
    start, link = services.series_start_time(series), series.meeting_url
    rows = []
    for day, skipped in plan.rows:
        form = forms.get(day) if skipped is None else None
        row = PlannedRow(day=day, skipped=skipped, form=form)
        if form is not None and form.is_bound and form.is_valid():
            override = form.override()
            row.own_time, row.own_link = override.start_differs(start), override.link_differs(link)
        rows.append(row)
    return rows


@manage_events
def plan_term(request):
    data = request.POST if request.method == "POST" else None
    action = data.get("action") if data is not None else None
    initial = {"series": request.GET.get("series")} if request.GET.get("series") else None
    if action == "add_break":  # without JavaScript: the same page with one more break row
        form = PlanTermForm(initial=data.dict())
        formset = BreakFormSet(with_one_more_break(data), prefix="breaks")
        context = {"form": form, "formset": formset, "plan": None, "max_breaks": MAX_BREAKS}
        return render(request, "events/organise/plan_term.html", context)
    form = PlanTermForm(data, initial=initial)
    formset = BreakFormSet(data, prefix="breaks")
    plan, rows, series = None, [], None
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
            override_forms = _override_forms(data, series, plan)
            rows = _planned_rows(plan, override_forms, series)
            bound = [f for f in override_forms.values() if f.is_bound]
            if not all(f.is_valid() for f in bound):
                form.add_error(None, _("Check the start times and links of the sessions."))
            elif action == "confirm":
                status = (
                    EventStatus.PUBLISHED if form.cleaned_data["publish"] else EventStatus.DRAFT
                )
                created = services.create_series_sessions(
                    series=series,
                    dates=plan.dates,
                    by=request.user,
                    status=status,
                    overrides={f.day: f.override() for f in bound},
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
        {
            "form": form,
            "formset": formset,
            "plan": plan,
            "rows": rows,
            "series": series,
            "with_link": series is not None and series.format in ONLINE_FORMATS,
            "max_breaks": MAX_BREAKS,
        },
        status=400 if data is not None and (plan is None or form.errors) else 200,
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
    choices = assignment_choices(themes, presenters) if sessions else None
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
                choices=choices,
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
        except EventsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(count)s sessions were updated.") % {"count": changed})
            return redirect(request.get_full_path())
    return render(
        request,
        "events/organise/assign_themes.html",
        {"series": series, "rows": rows, "first": first, "last": last},
    )
