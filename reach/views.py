"""Reach: the counting redirects and the report page. Thin: read, ask the rule, count."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import ability_required
from accounts.roles import Ability
from events.models import Event, EventMaterial
from events.registration.rules import meeting_link
from events.registration.selectors import registration_of
from recordings.models import Recording

from . import selectors, services
from .forms import ReachPeriodForm
from .models import CountKind


@require_GET
@never_cache
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Forward to the meeting link if this person may see it (the one rule), counting the
    click; anyone else goes to the event page, which shows no link to them."""
    try:
        event = selectors.visible_event(user=request.user, pk=pk)
    except Event.DoesNotExist as exc:
        raise Http404 from exc
    registration = registration_of(event=event, user=request.user)
    link = meeting_link(event=event, person=request.user, registration=registration)
    if link is None:
        return redirect("events:detail", pk=event.pk)
    services.count_click(request, kind=CountKind.MEETING_LINK, event_pk=event.pk)
    return HttpResponseRedirect(link)


@require_GET
def material(request: HttpRequest, pk: int) -> HttpResponse:
    """Forward to an event's material (file or link), counting the download."""
    try:
        item = selectors.visible_material(user=request.user, pk=pk)
    except EventMaterial.DoesNotExist as exc:
        raise Http404 from exc
    services.count_click(request, kind=CountKind.SLIDES, event_pk=item.event_id)
    return HttpResponseRedirect(item.href)


@require_GET
@never_cache
def play(request: HttpRequest, pk: int) -> HttpResponse:
    """A play of a recording from its click-to-load placeholder: counted, then forwarded to
    the video's own address. The placeholder's script asks with `?embedded=1` (answered 204)
    and shows the embedded player instead. Unpublished or hidden recordings: 404."""
    try:
        recording = selectors.visible_recording(user=request.user, pk=pk)
    except Recording.DoesNotExist as exc:
        raise Http404 from exc
    services.count_play(request, recording=recording)
    if request.GET.get("embedded"):
        return HttpResponse(status=204)
    return HttpResponseRedirect(recording.url)


@require_GET
@ability_required(Ability.VIEW_REPORTS)
def report(request: HttpRequest) -> HttpResponse:
    form = ReachPeriodForm(request.GET)
    result = None
    if form.is_valid():
        period = form.cleaned_data["resolved_period"]
        result = selectors.reach_report(period.start, period.end, label=period.label)
    return render(request, "reach/report.html", {"form": form, "report": result})
