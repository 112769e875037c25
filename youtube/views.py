"""The channel connection pages for administrators: status, connect, callback, disconnect.
Without YOUTUBE_CLIENT_ID every page answers 404."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import ability_required
from accounts.roles import Ability
from recordings.models import Recording

from . import quota, services, sync
from .config import youtube_configured, youtube_settings
from .errors import YouTubeError
from .models import ChannelConnection

logger = logging.getLogger(__name__)

SESSION_KEY = "youtube_oauth"


def administrator_required(view):
    """404 without configuration; anonymous → sign-in; anyone but an administrator → 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not youtube_configured():
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _redirect_uri() -> str:
    return settings.SITE_URL + reverse("youtube:callback")


@require_GET
@administrator_required
def status(request):
    return render(
        request,
        "youtube/status.html",
        {
            "connection": ChannelConnection.current(),
            "remaining": quota.remaining(),
            "daily_quota": youtube_settings().daily_quota,
            "redirect_uri": _redirect_uri(),
        },
    )


@require_POST
@administrator_required
def connect(request):
    consent = services.start_consent(redirect_uri=_redirect_uri())
    request.session[SESSION_KEY] = {
        "state": consent.state,
        "code_verifier": consent.code_verifier,
    }
    return redirect(consent.url)


@require_GET
@administrator_required
def callback(request):
    pending = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not pending or not state or state != pending.get("state"):
        messages.error(request, _("The connection could not be completed. Start again."))
        return redirect("youtube:status")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, _("The channel was not connected: the consent was not given."))
        return redirect("youtube:status")
    try:
        connection = services.complete_consent(
            code=request.GET["code"],
            state=state,
            code_verifier=pending.get("code_verifier", ""),
            redirect_uri=_redirect_uri(),
            user=request.user,
        )
    except YouTubeError as error:
        logger.warning("YouTube connection failed: %r", error)
        messages.error(request, error.message)
        return redirect("youtube:status")
    messages.success(
        request,
        _("The channel %(title)s is connected.") % {"title": connection.channel_title},
    )
    return redirect("youtube:status")


@require_POST
@administrator_required
def disconnect(request):
    services.disconnect(user=request.user)
    messages.success(request, _("The channel was disconnected."))
    return redirect("youtube:status")


def configured_only(view):
    """404 without YOUTUBE_CLIENT_ID, before anything else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not youtube_configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@configured_only
@ability_required(Ability.MANAGE_RECORDINGS)
def read_captions(request, pk: int):
    """Staff: read which caption tracks the video has on YouTube now (captions.list)."""
    recording = get_object_or_404(Recording, pk=pk)
    try:
        kinds = sync.read_caption_kinds(recording=recording)
    except YouTubeError as error:
        logger.warning("reading caption tracks of recording %s failed: %r", pk, error)
        messages.error(request, error.message)
    else:
        if kinds:
            messages.success(request, _("The caption tracks on YouTube were read."))
        else:
            messages.success(request, _("The video has no caption tracks on YouTube."))
    return redirect("recordings:detail", pk=pk)
