"""Compliance status and caption deadline: one function, every state."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from accessibility.compliance import DeadlineState, Status, compliance_of
from accessibility.models import CaptionPolicy
from recordings.models import Availability, TrackKind, TrackStatus
from tests.factories import CaptionTrackFactory, RecordingFactory

TODAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


def status_of(recording, policy=None, today=TODAY):
    return compliance_of(recording, policy=policy or CaptionPolicy(), today=today)


def human(recording, language="fi", errors=0, status=TrackStatus.APPROVED):
    return CaptionTrackFactory(
        recording=recording,
        language=language,
        kind=TrackKind.HUMAN,
        status=status,
        error_count=errors,
        checked_at=timezone.now(),
    )


def test_no_captions():
    assert status_of(RecordingFactory()).status == Status.NO_CAPTIONS


def test_only_automatic_never_counts():
    recording = RecordingFactory()
    CaptionTrackFactory(recording=recording, kind=TrackKind.AUTOMATIC)
    assert status_of(recording).status == Status.ONLY_AUTOMATIC


def test_errors():
    recording = RecordingFactory()
    human(recording, errors=2, status=TrackStatus.RECEIVED)
    assert status_of(recording).status == Status.ERRORS


def test_unchecked_human_track_counts_as_errors():
    recording = RecordingFactory()
    CaptionTrackFactory(recording=recording, kind=TrackKind.HUMAN, checked_at=None)
    assert status_of(recording).status == Status.ERRORS


def test_clean_but_not_approved_needs_review():
    recording = RecordingFactory()
    human(recording, status=TrackStatus.IN_REVIEW)
    result = status_of(recording)
    assert result.status == Status.NEEDS_REVIEW and not result.is_compliant


def test_compliant_when_approved_without_errors():
    recording = RecordingFactory()
    human(recording)
    result = status_of(recording)
    assert result.is_compliant and result.deadline is None and result.reasons() == []


def test_every_required_language_needed():
    recording = RecordingFactory()
    human(recording, "fi")
    policy = CaptionPolicy(required_languages="fi, sv")
    result = status_of(recording, policy)
    assert result.status == Status.NO_CAPTIONS
    assert result.languages == {"fi": Status.COMPLIANT, "sv": Status.NO_CAPTIONS}
    assert len(result.reasons()) == 1


@pytest.mark.parametrize(
    ("days_ago", "state", "days_left"),
    [
        (0, DeadlineState.DUE, 14),
        (10, DeadlineState.DUE, 4),
        (11, DeadlineState.DUE_SOON, 3),
        (14, DeadlineState.DUE_SOON, 0),
        (15, DeadlineState.OVERDUE, -1),
    ],
)
def test_live_recording_deadline(days_ago, state, days_left):
    recording = RecordingFactory(
        is_live_recording=True, uploaded_on=TODAY - dt.timedelta(days=days_ago)
    )
    result = status_of(recording)
    assert result.deadline_state == state and result.days_left == days_left
    assert result.deadline == TODAY - dt.timedelta(days=days_ago) + dt.timedelta(days=14)


def test_deadline_labels():
    due = RecordingFactory(uploaded_on=TODAY - dt.timedelta(days=12))
    late = RecordingFactory(uploaded_on=TODAY - dt.timedelta(days=20))
    with translation.override("en"):
        assert status_of(due).deadline_label == "Due in 2 days"
        assert status_of(late).deadline_label == "Overdue by 6 days"


def test_deadline_days_from_policy():
    recording = RecordingFactory(uploaded_on=TODAY - dt.timedelta(days=10))
    assert status_of(recording, CaptionPolicy(deadline_days=7)).deadline_state == "overdue"


def test_prerecorded_needs_captions_before_publishing():
    recording = RecordingFactory(is_live_recording=False, availability=Availability.PRIVATE)
    assert status_of(recording).deadline_state == DeadlineState.BEFORE_PUBLISHING


def test_prerecorded_visible_on_platform_is_overdue_even_unlisted():
    recording = RecordingFactory(
        is_live_recording=False, availability=Availability.UNLISTED, uploaded_on=TODAY
    )
    assert status_of(recording).deadline_state == DeadlineState.OVERDUE


def test_compliant_has_no_deadline():
    recording = RecordingFactory(uploaded_on=TODAY - dt.timedelta(days=30))
    human(recording)
    assert status_of(recording).deadline_state == DeadlineState.NONE
