"""Reads of the accessibility app: what is not accessible (for the statement), and whose
caption deadline is near (for the alerts), computed from recordings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import Role
from recordings.models import Availability, PublicationState, Recording
from recordings.selectors import recordings_for_dashboard

from .compliance import DUE_SOON_DAYS, Compliance, DeadlineState, compliance_of
from .models import CaptionPolicy


@dataclass
class InaccessibleRecording:
    recording: object
    compliance: Compliance
    override_reason: str


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
