"""The publication gate: refuses what does not comply; only a superuser may override."""

import pytest
from django.utils import timezone, translation

from accessibility.services import NotAllowedError, PublicationBlockedError, publish, unpublish
from accounts.models import AuditEntry
from recordings.models import Availability, PublicationState, TrackKind, TrackStatus
from tests.factories import CaptionTrackFactory, RecordingFactory

pytestmark = pytest.mark.django_db


def compliant_recording():
    recording = RecordingFactory(availability=Availability.PUBLIC)
    CaptionTrackFactory(
        recording=recording,
        kind=TrackKind.HUMAN,
        status=TrackStatus.APPROVED,
        checked_at=timezone.now(),
    )
    return recording


def test_publishes_compliant(communications):
    recording = publish(recording=compliant_recording(), by=communications)
    assert recording.publication_state == PublicationState.PUBLISHED
    assert recording.published_by == communications
    assert AuditEntry.objects.filter(action="recording.published").count() == 1


def test_refuses_without_captions_with_reasons(communications):
    recording = RecordingFactory()
    with translation.override("en"), pytest.raises(PublicationBlockedError) as blocked:
        publish(recording=recording, by=communications)
    assert "No captions in language fi." in blocked.value.reasons
    recording.refresh_from_db()
    assert recording.publication_state == PublicationState.NOT_PUBLISHED


def test_refuses_only_automatic_and_unapproved(communications):
    automatic = RecordingFactory()
    CaptionTrackFactory(recording=automatic, kind=TrackKind.AUTOMATIC)
    unapproved = RecordingFactory()
    CaptionTrackFactory(recording=unapproved, kind=TrackKind.HUMAN, checked_at=timezone.now())
    for recording in (automatic, unapproved):
        with pytest.raises(PublicationBlockedError):
            publish(recording=recording, by=communications)


def test_communications_cannot_override(communications):
    with pytest.raises(NotAllowedError):
        publish(recording=RecordingFactory(), by=communications, override_reason="Kiireellinen")
    assert not AuditEntry.objects.filter(action__startswith="recording.published").exists()


def test_organiser_may_not_publish_at_all(organiser):
    with pytest.raises(NotAllowedError):
        publish(recording=compliant_recording(), by=organiser)


def test_superuser_override_needs_a_written_reason(admin_user):
    recording = RecordingFactory()
    for reason in (None, "", "   ", "syy"):
        with pytest.raises(PublicationBlockedError):
            publish(recording=recording, by=admin_user, override_reason=reason)


def test_superuser_override_is_logged(admin_user):
    reason = "Kohtuuton rasite: tekstitys tilattu, toimitus 5 päivässä."
    recording = publish(recording=RecordingFactory(), by=admin_user, override_reason=reason)
    assert recording.publication_state == PublicationState.PUBLISHED
    assert recording.override_reason == reason
    entry = AuditEntry.objects.get(action="recording.published_with_override")
    assert entry.details["reason"] == reason and entry.actor == admin_user


def test_private_video_cannot_be_published_even_by_override(admin_user):
    recording = RecordingFactory(availability=Availability.PRIVATE)
    with pytest.raises(PublicationBlockedError):
        publish(recording=recording, by=admin_user, override_reason="Pitkä perustelu tässä.")


def test_unpublish(communications):
    recording = publish(recording=compliant_recording(), by=communications)
    recording = unpublish(recording=recording, by=communications)
    assert recording.publication_state == PublicationState.NOT_PUBLISHED
    assert AuditEntry.objects.filter(action="recording.unpublished").exists()
