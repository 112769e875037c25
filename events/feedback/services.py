"""Feedback after a session: one answer per registration (or per browser for an open event)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import EventsError
from ..models import (
    Event,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
)


class FeedbackError(EventsError):
    default_message = _("The feedback could not be saved.")


class FeedbackAlreadyGivenError(FeedbackError):
    default_message = _("Feedback has already been given with this link. Thank you!")


# --- Feedback


def submit_feedback(
    *,
    event: Event,
    usefulness: int,
    recommend: int,
    comment: str = "",
    registration: Registration | None = None,
    session_key: str = "",
) -> Feedback:
    """One answer per registration (personal link) or per browser session (public link).
    Open from the start of the event; not for cancelled events."""
    if event.status != EventStatus.PUBLISHED:
        raise FeedbackError(_("Feedback is not collected for this event."))
    if event.starts_at > timezone.now():
        raise FeedbackError(_("Feedback opens when the event starts."))
    if not (1 <= int(usefulness) <= 5) or not (0 <= int(recommend) <= 10):
        raise FeedbackError(_("Choose usefulness from 1 to 5 and recommendation from 0 to 10."))
    if registration is not None:
        cancelled = registration.status == RegistrationStatus.CANCELLED
        if registration.event_id != event.pk or cancelled:
            raise FeedbackError(_("This feedback link is not valid for this event."))
        already = Feedback.objects.filter(registration=registration).exists()
    elif session_key:
        already = Feedback.objects.filter(event=event, session_key=session_key).exists()
    else:
        raise FeedbackError
    if already:
        raise FeedbackAlreadyGivenError
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                event=event,
                registration=registration,
                session_key="" if registration is not None else session_key,
                usefulness=int(usefulness),
                recommend=int(recommend),
                comment=(comment or "").strip(),
            )
    except IntegrityError as exc:
        raise FeedbackAlreadyGivenError from exc
