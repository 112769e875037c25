"""The programme archive's pages: the list of archives made, the request button's target and
the download. Thin: the rules are in archive.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import ability_required
from accounts.roles import Ability

from . import selectors, services
from .models import ArchiveRequest


@require_GET
@ability_required(Ability.EXPORT_ARCHIVE)
def archive_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "archive/list.html",
        {
            "archives": selectors.recent_archives(),
            "keep_personal_data": services.keeps_personal_data(),
        },
    )


@require_POST
@ability_required(Ability.EXPORT_ARCHIVE)
def request_new(request: HttpRequest) -> HttpResponse:
    services.request_archive(by=request.user)
    messages.success(
        request,
        _("The archive is being made. It appears in the list below when it is ready."),
    )
    return redirect("archive:list")


@require_GET
@ability_required(Ability.EXPORT_ARCHIVE)
def download(request: HttpRequest, pk: int) -> FileResponse:
    archive = get_object_or_404(ArchiveRequest, pk=pk)
    try:
        handle = services.open_archive(request=archive, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=archive.file_name.rsplit("/", 1)[-1],
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
