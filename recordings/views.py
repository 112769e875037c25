"""Recording pages: the communications dashboard, a recording's page and its actions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accessibility import services as access
from accessibility.checks import message_for, rule_name
from accessibility.compliance import compliance_of
from accessibility.models import CaptionPolicy
from accounts.permissions import ability_required
from accounts.roles import Ability, can

from . import selectors, services
from .dashboard import FILTERS, build_dashboard
from .forms import CaptionUploadForm, DeliveryForm, OrderForm, PublishForm, RecordingForm
from .models import CaptionOrder, CaptionTrack, Recording, TrackKind
from .tasks import sync_recording
from .transcripts import transcript_of


@ability_required(Ability.MANAGE_RECORDINGS)
def dashboard(request: HttpRequest) -> HttpResponse:
    filter_name = request.GET.get("filter", "")
    if filter_name not in FILTERS:
        filter_name = ""
    rows, totals = build_dashboard(
        selectors.recordings_for_dashboard(),
        policy=CaptionPolicy.load(),
        today=timezone.localdate(),
        filter_name=filter_name,
    )
    return render(
        request,
        "recordings/dashboard.html",
        {"rows": rows, "totals": totals, "filters": FILTERS, "filter": filter_name},
    )


@ability_required(Ability.MANAGE_RECORDINGS)
def add(request: HttpRequest) -> HttpResponse:
    form = RecordingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recording = services.add_recording(
                url=form.cleaned_data["url"],
                event=form.cleaned_data["event"],
                is_live_recording=form.cleaned_data["is_live_recording"],
                by=request.user,
            )
        except services.RecordingError as exc:
            form.add_error("url", str(exc.message))
        else:
            messages.success(request, _("The recording was added."))
            return redirect("recordings:detail", pk=recording.pk)
    return render(request, "recordings/add.html", {"form": form})


def _detail_context(request, recording: Recording, **forms) -> dict:
    policy = CaptionPolicy.load()
    tracks = list(recording.tracks.all())
    for track in tracks:
        track.finding_groups = _finding_groups(track.findings_summary)
    return {
        "recording": recording,
        "compliance": compliance_of(recording, policy=policy, today=timezone.localdate()),
        "human_tracks": [t for t in tracks if t.kind == TrackKind.HUMAN],
        "automatic_tracks": [t for t in tracks if t.kind == TrackKind.AUTOMATIC],
        "orders": list(recording.orders.all()),
        "upload_form": forms.get("upload_form") or CaptionUploadForm(),
        "order_form": forms.get("order_form") or OrderForm(),
        "delivery_form": DeliveryForm(),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "publish_errors": forms.get("publish_errors") or [],
        "may_publish": can(request.user, Ability.PUBLISH_RECORDINGS),
        "may_override": can(request.user, Ability.OVERRIDE_PUBLICATION),
    }


def _finding_groups(summary: list[dict]) -> list[dict]:
    """The stored summary with the rule's name and each example's message in this language."""
    groups = []
    for group in summary or []:
        code = group.get("code", "")
        examples = [
            {**example, "text": message_for(code, example.get("params") or {})}
            for example in group.get("examples", [])
        ]
        groups.append(
            {
                **group,
                "name": rule_name(code),
                "examples": examples,
                "more": group.get("count", 0) > len(examples),
            }
        )
    return groups


FINDINGS_PER_PAGE = 100


@ability_required(Ability.MANAGE_RECORDINGS)
def findings(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    """Every finding of one track (optionally of one rule), 100 a page."""
    try:
        track = selectors.track_with_findings(recording_pk=pk, track_pk=track_pk)
    except CaptionTrack.DoesNotExist as exc:
        raise Http404 from exc
    rule = request.GET.get("rule", "")
    rows = [f for f in track.findings if not rule or f.get("code") == rule]
    page = Paginator(rows, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    for finding in page.object_list:
        code = finding.get("code", "")
        finding["name"] = rule_name(code)
        finding["text"] = message_for(code, finding.get("params") or {})
    return render(
        request,
        "recordings/findings.html",
        {
            "recording": track.recording,
            "track": track,
            "rule": rule,
            "rule_label": rule_name(rule) if rule else "",
            "page": page,
            "query": urlencode({"rule": rule}) if rule else "",
        },
    )


def _load(pk: int) -> Recording:
    try:
        return selectors.recording_detail(pk)
    except Recording.DoesNotExist as exc:
        raise Http404 from exc


@ability_required(Ability.MANAGE_RECORDINGS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    recording = _load(pk)
    return render(request, "recordings/detail.html", _detail_context(request, recording))


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def sync(request: HttpRequest, pk: int) -> HttpResponse:
    recording = get_object_or_404(Recording, pk=pk)
    sync_recording.delay(recording.pk)
    recording.refresh_from_db()
    if recording.last_error:
        messages.error(request, _("Reading the platform failed: %s") % recording.last_error)
    else:
        messages.success(request, _("The platform was read (or queued for reading)."))
    return redirect("recordings:detail", pk=pk)


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    recording = get_object_or_404(Recording, pk=pk)
    form = CaptionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            track = services.store_track(
                recording=recording,
                language=form.cleaned_data["language"],
                content=upload_file.read(),
                file_name=upload_file.name,
                by=request.user,
            )
        except services.CaptionFileRejectedError as exc:
            for message in exc.messages:
                form.add_error("file", str(message))
        except services.RecordingError as exc:
            form.add_error(None, str(exc.message))
        else:
            _report_check(request, track)
            return redirect("recordings:detail", pk=pk)
    response = render(
        request,
        "recordings/detail.html",
        _detail_context(request, _load(pk), upload_form=form),
    )
    response.status_code = 400
    return response


def _report_check(request, track: CaptionTrack) -> None:
    if track.error_count:
        messages.warning(
            request,
            _(
                "The captions were stored. The checks found %(errors)d errors and %(warnings)d "
                "warnings: fix the file and upload it again."
            )
            % {"errors": track.error_count, "warnings": track.warning_count},
        )
    else:
        messages.success(
            request,
            _(
                "The captions were stored and passed the checks (%(warnings)d warnings). "
                "Review them and approve."
            )
            % {"warnings": track.warning_count},
        )


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def fetch_track(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    recording = get_object_or_404(Recording, pk=pk)
    try:
        track = services.fetch_platform_track(
            recording=recording, language=language, by=request.user
        )
    except services.CaptionFileRejectedError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    except services.RecordingError as exc:
        messages.error(request, str(exc.message))
    except services.platform.PlatformError as exc:
        messages.error(request, _("Reading the platform failed: %s") % exc.message)
    else:
        _report_check(request, track)
    return redirect("recordings:detail", pk=pk)


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def review(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    track = get_object_or_404(CaptionTrack, pk=track_pk, recording_id=pk)
    try:
        if request.POST.get("action") == "approve":
            shown = request.POST.get("expected_version", "")  # the version the page showed
            expected = int(shown) if shown.isdigit() else None
            services.approve_track(track=track, by=request.user, expected_version=expected)
            messages.success(request, _("The captions were approved."))
        else:
            services.start_review(track=track, by=request.user)
            messages.success(request, _("The captions are in review."))
    except services.RecordingError as exc:
        messages.error(request, str(exc.message))
    if request.POST.get("back") == "workbench":  # approved from the workbench: stay there
        return redirect("recordings:workbench", pk=pk, track_pk=track_pk)
    return redirect("recordings:detail", pk=pk)


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def order(request: HttpRequest, pk: int) -> HttpResponse:
    recording = get_object_or_404(Recording, pk=pk)
    form = OrderForm(request.POST)
    if form.is_valid():
        try:
            services.order_captions(recording=recording, by=request.user, **form.cleaned_data)
        except services.RecordingError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The caption order was recorded."))
            return redirect("recordings:detail", pk=pk)
    response = render(
        request, "recordings/detail.html", _detail_context(request, _load(pk), order_form=form)
    )
    response.status_code = 400
    return response


@require_POST
@ability_required(Ability.MANAGE_RECORDINGS)
def deliver(request: HttpRequest, pk: int, order_pk: int) -> HttpResponse:
    caption_order = get_object_or_404(CaptionOrder, pk=order_pk, recording_id=pk)
    form = DeliveryForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("recordings:detail", pk=pk)
    upload_file = form.cleaned_data["file"]
    try:
        track = services.deliver_order(
            order=caption_order,
            content=upload_file.read(),
            file_name=upload_file.name,
            by=request.user,
        )
    except services.CaptionFileRejectedError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    except services.RecordingError as exc:
        messages.error(request, str(exc.message))
    else:
        _report_check(request, track)
    return redirect("recordings:detail", pk=pk)


@require_POST
@ability_required(Ability.PUBLISH_RECORDINGS)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    recording = get_object_or_404(Recording, pk=pk)
    form = PublishForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("override_reason") or None
    try:
        access.publish(recording=recording, by=request.user, override_reason=reason)
    except access.PublicationBlockedError as exc:
        response = render(
            request,
            "recordings/detail.html",
            _detail_context(request, _load(pk), publish_form=form, publish_errors=exc.reasons),
        )
        response.status_code = 400
        return response
    messages.success(request, _("The recording is published on its event page."))
    return redirect("recordings:detail", pk=pk)


@require_POST
@ability_required(Ability.PUBLISH_RECORDINGS)
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    recording = get_object_or_404(Recording, pk=pk)
    access.unpublish(recording=recording, by=request.user)
    messages.success(request, _("The recording is no longer published."))
    return redirect("recordings:detail", pk=pk)


def transcript(request: HttpRequest, pk: int) -> HttpResponse:
    """The captions of a published recording as text (public); parsed once per track
    version (recordings.transcripts, cached)."""
    recording = get_object_or_404(selectors.published_recordings(), pk=pk)
    return render(
        request,
        "recordings/transcript.html",
        {"recording": recording, "transcript": transcript_of(recording)},
    )
