from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import ability_required
from accounts.roles import Ability, can

from . import selectors, services
from .forms import CaptionPolicyForm, StatementForm
from .models import AccessibilityStatement, CaptionPolicy


def statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (saavutettavuusseloste), with uncaptioned recordings
    and publication overrides listed automatically from the compliance status."""
    return render(
        request,
        "accessibility/statement.html",
        {
            "statement": AccessibilityStatement.load(),
            "inaccessible": selectors.inaccessible_recordings(),
            "may_edit": can(request.user, Ability.EDIT_ACCESSIBILITY_STATEMENT),
        },
    )


@ability_required(Ability.EDIT_ACCESSIBILITY_STATEMENT)
def statement_edit(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.POST or None, instance=AccessibilityStatement.load())
    if request.method == "POST" and form.is_valid():
        services.update_statement(by=request.user, **form.cleaned_data)
        messages.success(request, _("The accessibility statement was saved."))
        return redirect("accessibility:statement")
    return render(request, "accessibility/statement_edit.html", {"form": form})


@ability_required(Ability.EDIT_CAPTION_POLICY)
def policy_edit(request: HttpRequest) -> HttpResponse:
    form = CaptionPolicyForm(request.POST or None, instance=CaptionPolicy.load())
    if request.method == "POST" and form.is_valid():
        services.update_policy(by=request.user, **form.cleaned_data)
        messages.success(request, _("The caption policy was saved and captions checked again."))
        return redirect("accessibility:policy")
    return render(request, "accessibility/policy.html", {"form": form})
