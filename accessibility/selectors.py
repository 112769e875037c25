"""Reads of the accessibility app: what is not accessible (for the statement), and whose
caption deadline is near (for the alerts), computed from recordings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from recordings.models import Availability, PublicationState, Recording
from recordings.selectors import recordings_for_dashboard

from .compliance import DUE_SOON_DAYS, Compliance, DeadlineState, Status, compliance_of
from .models import AccessibilityFeedback, AccessibilityStatement, CaptionPolicy


@dataclass
class InaccessibleRecording:
    recording: object
    compliance: Compliance
    override_reason: str

    @property
    def public_note(self) -> str:
        """What is missing, in words for the public statement: never the internal status
        ("captions with errors", "waiting for review") or the checks' findings."""
        return public_caption_note(self.compliance, self.override_reason)


def public_caption_note(status: Compliance, override_reason: str = "") -> str:
    if override_reason:
        return _("Published without full captions: %(reason)s") % {"reason": override_reason}
    missing = status.status in (Status.NO_CAPTIONS, Status.ONLY_AUTOMATIC)
    upcoming = status.deadline_state in (DeadlineState.DUE, DeadlineState.DUE_SOON)
    if upcoming and status.deadline:
        date = formats.date_format(status.deadline, "SHORT_DATE_FORMAT")
        if missing:
            return _("No captions yet; they will be added by %(date)s.") % {"date": date}
        return _("Captions are incomplete; they will be completed by %(date)s.") % {"date": date}
    return _("No captions yet.") if missing else _("Captions are incomplete.")


def inaccessible_recordings() -> list[InaccessibleRecording]:
    """Recordings the public can reach (published here, or public/unlisted on the platform)
    whose captions are not compliant, and any published with an override."""
    policy, today = CaptionPolicy.load(), timezone.localdate()
    visible = (Availability.PUBLIC, Availability.UNLISTED)
    rows = []
    for recording in recordings_for_dashboard():
        published = recording.publication_state == PublicationState.PUBLISHED
        if not published and recording.availability not in visible:
            continue
        status = compliance_of(recording, policy=policy, today=today)
        if not status.is_compliant or recording.override_reason:
            rows.append(InaccessibleRecording(recording, status, recording.override_reason))
    return rows


def recordings_due_soon(*, today: dt.date) -> list[tuple[Recording, Compliance]]:
    """Recordings whose caption deadline is within 3 days, or passed at most 3 days ago."""
    policy = CaptionPolicy.load()
    due = []
    for recording in recordings_for_dashboard():
        status = compliance_of(recording, policy=policy, today=today)
        if status.deadline_state == DeadlineState.DUE_SOON or (
            status.deadline_state == DeadlineState.OVERDUE
            and status.days_left is not None
            and status.days_left >= -DUE_SOON_DAYS
        ):
            due.append((recording, status))
    return due


def communications_staff():
    """The active people who hold the communications role (they get the deadline alerts)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COMMUNICATIONS.value)
        .distinct()
    )


@dataclass
class FeedbackDue:
    feedback: AccessibilityFeedback
    due_on: dt.date
    days_left: int

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def open_feedback(*, today: dt.date) -> list[FeedbackDue]:
    """Unanswered feedback, the one due first at the top (due = received + answer days)."""
    days = AccessibilityStatement.load().feedback_answer_days
    rows = []
    for feedback in AccessibilityFeedback.objects.filter(answered_on__isnull=True).order_by(
        "received_on", "pk"
    ):
        due_on = feedback.due_on(days)
        rows.append(FeedbackDue(feedback, due_on, (due_on - today).days))
    return rows


def answered_feedback(*, limit: int = 20):
    return (
        AccessibilityFeedback.objects.filter(answered_on__isnull=False)
        .select_related("handled_by")
        .order_by("-answered_on", "-pk")[:limit]
    )
