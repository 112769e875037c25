from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import ability_required
from accounts.roles import Ability, can
from kohtaamo.ratelimit import ratelimit

from . import selectors, services
from .forms import (
    CaptionPolicyForm,
    FeedbackAnswerForm,
    FeedbackRecordForm,
    PublicFeedbackForm,
    StatementForm,
)
from .models import AccessibilityFeedback, AccessibilityStatement, CaptionPolicy


def _statement_page(request: HttpRequest, statement, feedback_form) -> HttpResponse:
    return render(
        request,
        "accessibility/statement.html",
        {
            "statement": statement,
            "inaccessible": selectors.inaccessible_recordings(),
            "may_edit": can(request.user, Ability.EDIT_ACCESSIBILITY_STATEMENT),
            "feedback_form": feedback_form if statement.feedback_form_enabled else None,
        },
    )


def statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (saavutettavuusseloste), with uncaptioned recordings
    and publication overrides listed automatically from the compliance status."""
    return _statement_page(request, AccessibilityStatement.load(), PublicFeedbackForm())


@require_POST
@ratelimit("feedback")
def statement_feedback(request: HttpRequest) -> HttpResponse:
    """The statement's feedback form (public); the answer is due in feedback_answer_days."""
    statement = AccessibilityStatement.load()
    if not statement.feedback_form_enabled:
        raise Http404
    form = PublicFeedbackForm(request.POST)
    if not form.is_valid():
        return _statement_page(request, statement, form)
    feedback = services.submit_feedback(**form.cleaned_data)
    due = formats.date_format(feedback.due_on(statement.feedback_answer_days), "DATE_FORMAT")
    messages.success(
        request,
        _("Thank you for your feedback. If you gave contact details, we will answer by %(date)s.")
        % {"date": due},
    )
    return redirect("accessibility:statement")


def _feedback_page(request, record_form, answer_form=None, answer_pk=None) -> HttpResponse:
    rows = selectors.open_feedback(today=timezone.localdate())
    for row in rows:
        bound = answer_form if row.feedback.pk == answer_pk else None
        row.answer_form = bound or FeedbackAnswerForm(
            prefix=f"answer-{row.feedback.pk}", initial={"answered_on": timezone.localdate()}
        )
    return render(
        request,
        "accessibility/feedback.html",
        {"rows": rows, "answered": selectors.answered_feedback(), "record_form": record_form},
    )


@ability_required(Ability.EDIT_ACCESSIBILITY_STATEMENT)
def feedback_list(request: HttpRequest) -> HttpResponse:
    """Staff: open feedback by due date; record feedback that came by e-mail or telephone."""
    form = FeedbackRecordForm(
        request.POST or None, initial={"received_on": timezone.localdate(), "channel": "email"}
    )
    if request.method == "POST" and form.is_valid():
        services.record_feedback(by=request.user, **form.cleaned_data)
        messages.success(request, _("The feedback was recorded."))
        return redirect("accessibility:feedback")
    return _feedback_page(request, form)


@require_POST
@ability_required(Ability.EDIT_ACCESSIBILITY_STATEMENT)
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_object_or_404(AccessibilityFeedback, pk=pk)
    form = FeedbackAnswerForm(request.POST, prefix=f"answer-{pk}")
    if not form.is_valid():
        return _feedback_page(request, FeedbackRecordForm(), form, pk)
    services.answer_feedback(feedback=feedback, by=request.user, **form.cleaned_data)
    messages.success(request, _("The feedback was marked answered."))
    return redirect("accessibility:feedback")


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
