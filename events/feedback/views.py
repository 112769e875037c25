"""Feedback pages: the personal and public answer forms and an event's results."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import ability_required
from accounts.roles import Ability

from ..models import (
    Event,
    Registration,
    RegistrationStatus,
)
from . import selectors, services
from .forms import FeedbackForm


def _feedback_page(request, *, event: Event, registration=None, session_key: str = ""):
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(
                event=event,
                registration=registration,
                session_key=session_key,
                usefulness=form.cleaned_data["usefulness"],
                recommend=form.cleaned_data["recommend"],
                comment=form.cleaned_data["comment"],
            )
        except services.FeedbackAlreadyGivenError as exc:
            return render(
                request, "events/feedback_thanks.html", {"event": event, "message": exc.message}
            )
        except services.FeedbackError as exc:
            form.add_error(None, exc.message)
            status = 400
        else:
            return render(
                request,
                "events/feedback_thanks.html",
                {"event": event, "message": _("Thank you for your feedback!")},
            )
    elif request.method == "POST":
        status = 400
    context = {"event": event, "form": form}
    return render(request, "events/feedback_form.html", context, status=status)


def personal_feedback(request, token: str):
    registration = (
        Registration.objects.select_related("event__theme")
        .filter(token=token, anonymised_at__isnull=True)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        raise Http404
    if hasattr(registration, "feedback"):
        return render(
            request,
            "events/feedback_thanks.html",
            {
                "event": registration.event,
                "message": services.FeedbackAlreadyGivenError.default_message,
            },
        )
    return _feedback_page(request, event=registration.event, registration=registration)


def public_feedback(request, pk: int, token: str):
    event = get_object_or_404(Event.objects.select_related("theme"), pk=pk, feedback_token=token)
    if not request.session.session_key:
        request.session.save()
    return _feedback_page(request, event=event, session_key=request.session.session_key)


# --- Feedback results -------------------------------------------------------------------


@ability_required(Ability.MANAGE_EVENTS)
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
