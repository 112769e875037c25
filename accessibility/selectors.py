"""Reads for the accessibility statement: what is not accessible, computed from recordings."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from recordings.models import Availability, PublicationState
from recordings.selectors import recordings_for_dashboard

from .compliance import Compliance, compliance_of
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
