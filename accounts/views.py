from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from events.calendars.feeds import personal_feed_link

from .audit import record_access
from .forms import AuditFilterForm, DeleteAccountForm, ProfileForm
from .models import AccessChannel
from .permissions import ability_required
from .privacy import personal_data
from .roles import Ability
from .rules import requires_second_factor
from .selectors import api_token_created, audit_actions, audit_log
from .services import (
    create_api_token,
    delete_account,
    export_personal_data,
    revoke_api_token,
    rotate_calendar_token,
)

AUDIT_PAGE_SIZE = 50


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        # The profile language becomes the interface language at once.
        translation.activate(user.language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "personal_feed": personal_feed_link(request.user),
            "api_token_created": api_token_created(request.user),
        },
    )


@login_required
@require_POST
def new_calendar_link(request):
    rotate_calendar_token(user=request.user)
    messages.success(
        request,
        _(
            "Your calendar has a new address. The old one no longer works: "
            "subscribe again with the new address."
        ),
    )
    return redirect(f"{reverse('accounts:profile')}#personal-feed")


def _staff(request) -> bool:
    return requires_second_factor(request.user)


@login_required
@require_POST
@never_cache
@reauthentication_required(enabled=_staff)
def create_api_token_view(request):
    """Make (or replace) the person's API token and show its key once, in this answer only."""
    key = create_api_token(user=request.user)
    return render(request, "accounts/api_token_created.html", {"key": key})


@login_required
@require_http_methods(["GET", "POST"])
def revoke_api_token_view(request):
    """GET asks for confirmation; POST deletes the token."""
    if request.method == "POST":
        if revoke_api_token(user=request.user):
            messages.success(
                request, _("Your API token was revoked. Programs that used it no longer work.")
            )
        return redirect(f"{reverse('accounts:profile')}#api-token")
    if not api_token_created(request.user):
        return redirect(f"{reverse('accounts:profile')}#api-token")
    return render(request, "accounts/api_token_revoke.html")


@login_required
def my_data(request):
    """Everything the service holds about the signed-in person, readable."""
    data = personal_data(user=request.user)
    record_access(
        actor=request.user,
        action="personal_data.viewed",
        target=request.user,
        count=1,
        channel=AccessChannel.PAGE,
    )
    return render(request, "accounts/my_data.html", {"data": data})


@login_required
def my_data_json(request):
    """The same data as a JSON file download."""
    body = export_personal_data(user=request.user, channel=AccessChannel.JSON)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kohtaamo-my-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_my_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user)
        logout(request)
        messages.success(request, _("Your account was deleted."))
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})


@ability_required(Ability.VIEW_AUDIT_LOG)
def audit_log_page(request):
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_log(
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "access_log_days": settings.ACCESS_LOG_RETENTION_DAYS,
        },
    )
