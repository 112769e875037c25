"""Network pages: thin views that call networks.selectors and networks.services."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.audit import record_access
from accounts.models import AccessChannel
from events.calendars.feeds import network_feed_link
from kohtaamo.exports import csv_response, xlsx_response
from kohtaamo.ratelimit import ratelimit

from . import imports, selectors, services
from .forms import (
    AnnouncementForm,
    ColumnMappingForm,
    DecisionForm,
    DirectoryFilterForm,
    ImportForm,
    InviteForm,
    JoinForm,
    OrganisationDecisionForm,
    PreferencesForm,
    RequestsDecisionForm,
)
from .models import Membership, MembershipStatus, Network

DIRECTORY_PAGE_SIZE = 50
MEMBER_LIST_PAGE_SIZE = 100
REQUEST_LIST_SIZE = 100  # the oldest join requests shown at once on the members page


def _network_or_404(request: HttpRequest, slug: str) -> Network:
    network = selectors.network_for_viewer(slug=slug, user=request.user)
    if network is None:
        raise Http404
    return network


def _coordinated_network_or_404(request: HttpRequest, slug: str) -> Network:
    """Coordinator pages: 404 for anyone who may not manage this network."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or not selectors.is_coordinator(request.user, network):
        raise Http404
    return network


def network_list(request: HttpRequest) -> HttpResponse:
    networks = selectors.visible_networks(user=request.user)
    return render(request, "networks/network_list.html", {"networks": networks})


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = _network_or_404(request, slug)
    upcoming, past = selectors.network_meetings(network=network, user=request.user)
    membership = selectors.own_membership(user=request.user, network=network)
    is_member = membership is not None and membership.is_active
    coordinator = selectors.is_coordinator(request.user, network)
    context = {
        "network": network,
        "upcoming": upcoming,
        "past": past,
        "counts": selectors.membership_counts(network=network),
        "membership": membership,
        "is_member": is_member,
        "is_coordinator": coordinator,
        "join": services.join_availability(
            network=network, person=request.user, membership=membership
        ),
        "pending": selectors.pending_count(network=network) if coordinator else 0,
        "announcements": selectors.recent_announcements(network=network)
        if is_member or coordinator
        else [],
        "network_feed": network_feed_link(network)
        if selectors.can_see_calendar_feed(request.user, network, membership=membership)
        else None,
    }
    return render(request, "networks/network_detail.html", context)


@require_POST
def new_calendar_link(request: HttpRequest, slug: str) -> HttpResponse:
    network = _coordinated_network_or_404(request, slug)
    try:
        services.rotate_calendar_token(network=network, by=request.user)
    except services.NotCoordinatorError as error:
        raise Http404 from error
    messages.success(
        request,
        _(
            "The network's calendar has a new address. The old one no longer works: "
            "members must subscribe again with the new address."
        ),
    )
    return redirect(f"{network.get_absolute_url()}#network-feed")


def join(request: HttpRequest, slug: str) -> HttpResponse:
    network = _network_or_404(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = JoinForm(request.POST or None, initial={"organisation": request.user.organisation_id})
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.request_to_join(
                network=network, person=request.user, **form.cleaned_data
            )
        except services.NetworkError as error:
            messages.error(request, error.message)
            return redirect(network)
        if membership.is_active:
            messages.success(request, _("Welcome! You are now a member of the network."))
        else:
            messages.success(
                request, _("Your request was sent. The coordinators will answer by e-mail.")
            )
        return redirect(network)
    return render(request, "networks/join.html", {"network": network, "form": form})


def _directory_filters(form: DirectoryFilterForm) -> selectors.DirectoryFilters:
    if not form.is_valid():
        return selectors.DirectoryFilters()
    data = form.cleaned_data
    return selectors.DirectoryFilters(
        search=data["q"].strip(),
        organisation=data["organisation"],
        sector=data["sector"],
        role=data["role"],
        municipality=data["municipality"],
    )


def directory(request: HttpRequest, slug: str) -> HttpResponse:
    network = Network.objects.filter(slug=slug).first()
    if network is None or not selectors.can_view_directory(request.user, network):
        raise Http404
    form = DirectoryFilterForm(
        request.GET or None, choices=selectors.filter_choices(network=network)
    )
    filters = _directory_filters(form)
    members = selectors.directory_members(network=network, filters=filters)
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [selectors.directory_entry(m) for m in page.object_list]
    record_access(
        actor=request.user,
        action="directory.viewed",
        target=network,
        count=len(entries),
        channel=AccessChannel.PAGE,
        filtered=filters != selectors.DirectoryFilters(),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "networks/directory.html",
        {
            "network": network,
            "form": form,
            "page": page,
            "entries": entries,
            "query": query.urlencode(),
            "is_coordinator": selectors.is_coordinator(request.user, network),
        },
    )


# --- Coordinators -----------------------------------------------------------------------


def manage(request: HttpRequest, slug: str) -> HttpResponse:
    network = _coordinated_network_or_404(request, slug)
    return _manage_page(request, network, requests_form=RequestsDecisionForm())


def _manage_page(
    request: HttpRequest, network: Network, *, requests_form: RequestsDecisionForm, code=200
) -> HttpResponse:
    """The members page: the join requests first, then the message choices and the members."""
    status = request.GET.get("status", "")
    if status not in MembershipStatus.values or status == MembershipStatus.PENDING:
        status = ""
    members = selectors.coordinator_members(network=network, status=status, requests=False)
    page = Paginator(members, MEMBER_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(m, selectors.directory_entry(m)) for m in page.object_list]
    waiting = selectors.join_requests(network=network)[:REQUEST_LIST_SIZE]
    request_rows = [(m, selectors.directory_entry(m)) for m in waiting]
    record_access(
        actor=request.user,
        action="members.viewed",
        target=network,
        count=len(rows) + len(request_rows),
        channel=AccessChannel.PAGE,
        filtered=bool(status),
    )
    selected = set(getattr(requests_form, "cleaned_data", {}).get("memberships", []))
    return render(
        request,
        "networks/manage.html",
        {
            "network": network,
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": [c for c in MembershipStatus.choices if c[0] != MembershipStatus.PENDING],
            "request_rows": request_rows,
            "pending_count": selectors.pending_count(network=network),
            "requests_form": requests_form,
            "selected": selected,
            "preferences": selectors.message_preference_counts(network=network),
        },
        status=code,
    )


@require_POST
def decide_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Approve or decline the ticked join requests at once (`services.decide_requests`)."""
    network = _coordinated_network_or_404(request, slug)
    form = RequestsDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decide_requests(
                network=network,
                membership_ids=data["memberships"],
                by=request.user,
                approve=data["decision"] == RequestsDecisionForm.APPROVE,
                message=data["message"],
            )
        except services.NetworkError as error:
            form.add_error("memberships", error.message)
        else:
            _tell_decision(request, decision)
            return redirect(reverse("networks:manage", args=[network.slug]) + "#requests")
    return _manage_page(request, network, requests_form=form, code=400)


def _tell_decision(request: HttpRequest, decision: services.RequestsDecision) -> None:
    if decision.decided:
        count = len(decision.decided)
        names = ", ".join(m.display_name for m in decision.decided)
        if decision.approved:
            text = ngettext(
                "%(count)s request was approved: %(names)s.",
                "%(count)s requests were approved: %(names)s.",
                count,
            )
        else:
            text = ngettext(
                "%(count)s request was declined: %(names)s.",
                "%(count)s requests were declined: %(names)s.",
                count,
            )
        messages.success(request, text % {"count": count, "names": names})
    if decision.skipped:
        count = len(decision.skipped)
        text = ngettext(
            "%(count)s request was no longer waiting (another coordinator had decided it, "
            "or the person had withdrawn it) and was left as it was: %(names)s.",
            "%(count)s requests were no longer waiting (another coordinator had decided them, "
            "or the people had withdrawn them) and were left as they were: %(names)s.",
            count,
        )
        names = ", ".join(m.display_name for m in decision.skipped)
        messages.warning(request, text % {"count": count, "names": names})


EXPORT_HEADER = [
    gettext_lazy("Name"),
    pgettext_lazy("job title", "Title"),
    gettext_lazy("Organisation"),
    gettext_lazy("Sector"),
    gettext_lazy("Municipality"),
    gettext_lazy("Role"),
    gettext_lazy("Status"),
    gettext_lazy("Joined"),
    gettext_lazy("Left"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone"),
]


def _export_rows(network: Network):
    for membership in selectors.coordinator_members(network=network).iterator(chunk_size=500):
        entry = selectors.directory_entry(membership)
        email = entry.email or ("" if membership.user_id else membership.invited_email)
        yield [
            entry.name,
            entry.title,
            entry.organisation,
            entry.sector,
            entry.municipality,
            entry.role,
            str(membership.get_status_display()),
            membership.joined_on.isoformat() if membership.joined_on else "",
            membership.left_on.isoformat() if membership.left_on else "",
            email,
            entry.phone,
        ]


def export_members(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    network = _coordinated_network_or_404(request, slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header = [str(h) for h in EXPORT_HEADER]
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    filename = f"{network.slug}-members-{stamp}"
    rows = list(_export_rows(network))
    record_access(
        actor=request.user,
        action="members.exported",
        target=network,
        count=len(rows),
        channel=AccessChannel(fmt),
    )
    if fmt == "xlsx":
        exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        preamble = [network.name, _("Exported %(time)s") % {"time": exported}]
        return xlsx_response(
            filename=f"{filename}.xlsx",
            sheets=[(_("Members"), header, rows, preamble)],
        )
    return csv_response(filename=f"{filename}.csv", header=header, rows=rows)


def decide(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("network", "user"), pk=pk)
    network = membership.network
    if not selectors.is_coordinator(request.user, network):
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = "approve" in request.POST
        operation = services.approve_membership if approve else services.decline_membership
        try:
            operation(membership=membership, by=request.user, message=form.cleaned_data["message"])
        except services.NetworkError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s was approved.") % {"name": membership.display_name}
                if approve
                else _("%(name)s was declined.") % {"name": membership.display_name},
            )
        return redirect("networks:manage", slug=network.slug)
    return render(
        request,
        "networks/decide.html",
        {"network": network, "membership": membership, "form": form},
    )


def invite(request: HttpRequest, slug: str) -> HttpResponse:
    network = _coordinated_network_or_404(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite(network=network, by=request.user, **form.cleaned_data)
        except services.NetworkError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("The invitation was sent."))
            return redirect("networks:manage", slug=network.slug)
    return render(request, "networks/invite.html", {"network": network, "form": form})


def _import_key(network: Network) -> str:
    return f"networks-import-{network.pk}"


IMPORT_STEPS = (
    ("upload", gettext_lazy("File")),
    ("columns", gettext_lazy("Columns")),
    ("organisations", gettext_lazy("Organisations")),
    ("preview", gettext_lazy("Preview")),
)


def _render_import(request, network, step, **context) -> HttpResponse:
    draft = request.session.get(_import_key(network)) or {}
    return render(
        request,
        "networks/import.html",
        {
            "network": network,
            "step": step,
            "steps": IMPORT_STEPS,
            "nonce": draft.get("nonce", ""),
            "filename": draft.get("filename", ""),
            "preview": None,
            **context,
        },
    )


def _import_columns(request, network, draft, data=None) -> HttpResponse:
    table = imports.MemberTable.from_stored(draft["table"])
    form = ColumnMappingForm(data, table=table, mapping=draft["mapping"])
    return _render_import(request, network, "columns", columns_form=form, table=table)


def _import_organisations(request, network, draft, data=None) -> HttpResponse:
    questions = imports.organisation_questions(rows=draft["rows"])
    if not questions:
        return _import_preview(request, network, draft)
    form = OrganisationDecisionForm(data, questions=questions)
    if data is not None and form.is_valid():
        draft["decisions"] = form.decisions()
        request.session.modified = True
        return _import_preview(request, network, draft)
    return _render_import(request, network, "organisations", organisations_form=form)


def _import_preview(request, network, draft) -> HttpResponse:
    preview = imports.preview_import(
        network=network, rows=draft["rows"], decisions=draft.get("decisions") or {}
    )
    return _render_import(request, network, "preview", preview=preview)


@ratelimit("import")
def import_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload → columns → organisations → preview (nothing saved) → confirm (the valid new
    rows and the confirmed organisation aliases saved in one go). The file's rows wait in
    the session between the steps; each step's form carries the draft's nonce."""
    network = _coordinated_network_or_404(request, slug)
    key = _import_key(network)
    draft = request.session.get(key)
    step_posted = request.method == "POST" and "nonce" in request.POST
    if step_posted and (
        not draft
        or not secrets.compare_digest(str(draft.get("nonce", "")), request.POST.get("nonce", ""))
    ):
        messages.error(request, _("The preview has expired. Please upload the file again."))
        return redirect("networks:import", slug=network.slug)
    if step_posted and "confirm" in request.POST and "rows" in draft:
        try:
            preview = imports.confirm_import(
                network=network,
                rows=draft["rows"],
                decisions=draft.get("decisions") or {},
                by=request.user,
            )
        except services.NetworkError as error:
            messages.error(request, error.message)
            return redirect("networks:import", slug=network.slug)
        del request.session[key]
        messages.success(
            request,
            _("%(count)s invitations were sent.") % {"count": len(preview.new)},
        )
        return redirect("networks:manage", slug=network.slug)
    if step_posted and "columns" in request.POST:
        table = imports.MemberTable.from_stored(draft["table"])
        form = ColumnMappingForm(request.POST, table=table, mapping=draft["mapping"])
        if form.is_valid():
            draft["mapping"] = form.mapping()
            request.session.modified = True
            try:
                draft["rows"] = imports.rows_from_table(table, draft["mapping"])
            except imports.ImportMappingError as error:
                for problem in error.messages:
                    form.add_error(None, problem)
            else:
                draft.pop("decisions", None)
                return _import_organisations(request, network, draft)
        return _render_import(request, network, "columns", columns_form=form, table=table)
    if step_posted and "organisations" in request.POST and "rows" in draft:
        return _import_organisations(request, network, draft, request.POST)
    if step_posted and "back" in request.POST:
        return _import_columns(request, network, draft)
    if step_posted:
        return redirect("networks:import", slug=network.slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = imports.read_member_table(content=upload, filename=upload.name)
        except services.NetworkError as error:
            form.add_error("file", error.message)
        else:
            draft = request.session[key] = {
                "nonce": secrets.token_urlsafe(16),
                "filename": upload.name[:200],
                "table": table.as_stored(),
                "mapping": imports.propose_mapping(table.headers),
            }
            return _import_columns(request, network, draft)
    return _render_import(request, network, "upload", form=form)


def announce(request: HttpRequest, slug: str) -> HttpResponse:
    network = _coordinated_network_or_404(request, slug)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_announcement(network=network, by=request.user, **form.cleaned_data)
        except services.NetworkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The announcement was sent. Members who chose a weekly digest get it on Monday."),
            )
            return redirect(network)
    return render(request, "networks/announce.html", {"network": network, "form": form})


# --- A person's own membership ------------------------------------------------------------


@login_required
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("network", "organisation"), pk=pk, user=request.user
    )
    form = PreferencesForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        services.update_consent_and_preferences(membership=membership, **form.cleaned_data)
        messages.success(request, _("Your choices were saved."))
        return redirect("networks:membership", pk=membership.pk)
    return render(request, "networks/membership.html", {"membership": membership, "form": form})


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=pk, user=request.user)
    services.leave_network(membership=membership)
    messages.success(request, _("You left the network."))
    return redirect("accounts:profile")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    membership = services.invitation_by_token(token)
    if membership is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = JoinForm(
        request.POST or None,
        initial={
            "organisation": membership.organisation_id or request.user.organisation_id,
            "role": membership.role,
        },
    )
    if request.method == "POST" and "decline" in request.POST:
        try:
            services.decline_invitation(membership=membership, person=request.user)
        except services.NetworkError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You declined the invitation."))
        return redirect("networks:list")
    if request.method == "POST" and form.is_valid():
        try:
            joined = services.accept_invitation(
                membership=membership, person=request.user, **form.cleaned_data
            )
        except services.NetworkError as error:
            messages.error(request, error.message)
            return redirect("networks:list")
        messages.success(request, _("Welcome! You are now a member of the network."))
        return redirect(joined.network)
    return render(
        request,
        "networks/invitation.html",
        {"membership": membership, "network": membership.network, "form": form},
    )


# The secret token in the URL authorises this; mail clients' one-click POST has no CSRF cookie.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    membership = (
        Membership.objects.select_related("network").filter(unsubscribe_token=token).first()
    )
    if membership is None or not secrets.compare_digest(membership.unsubscribe_token, token):
        raise Http404
    done = False
    if request.method == "POST":
        services.unsubscribe(token=token)
        done = True
    return render(
        request,
        "networks/unsubscribe.html",
        {"membership": membership, "network": membership.network, "done": done},
    )
