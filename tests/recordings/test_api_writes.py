"""Caption uploads, review and caption orders by API: the recording page's services."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import create_api_token
from recordings.models import CaptionOrder, CaptionTrack, TrackKind, TrackSource, TrackStatus
from tests.factories import CaptionTrackFactory, RecordingFactory

from .conftest import vtt_bytes

pytestmark = pytest.mark.django_db


def _program(person, language="en") -> Client:
    client = Client(HTTP_AUTHORIZATION=f"Token {create_api_token(user=person)}")
    client.cookies["django_language"] = language
    return client


def _file(name: str, fixture: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, vtt_bytes(fixture or name), content_type="text/vtt")


@pytest.fixture
def recording():
    return RecordingFactory(duration_seconds=20)


def test_upload_review_and_approve_by_api(communications, recording):
    program = _program(communications)
    base = f"/api/v1/recordings/{recording.pk}"

    first = program.post(f"{base}/tracks/", {"language": "fi", "file": _file("too_fast.vtt")})
    assert first.status_code == 201
    assert first.json()["error_count"] > 0  # stored with its findings, as on the page
    assert "too_fast" in {group["code"] for group in first.json()["findings_summary"]}
    track_id = first.json()["id"]
    refused = program.post(
        f"{base}/tracks/{track_id}/review/", {"action": "approve"}, "application/json"
    )
    assert refused.status_code == 400
    assert (
        refused.json()["detail"] == "Captions with errors cannot be approved. Fix the file first."
    )

    fixed = program.post(f"{base}/tracks/", {"language": "fi", "file": _file("good.vtt")})
    assert fixed.status_code == 201 and fixed.json()["id"] == track_id  # a new version
    in_review = program.post(
        f"{base}/tracks/{track_id}/review/", {"action": "review"}, "application/json"
    )
    approved = program.post(
        f"{base}/tracks/{track_id}/review/", {"action": "approve"}, "application/json"
    )

    assert in_review.status_code == 200 and in_review.json()["status"] == TrackStatus.IN_REVIEW
    assert approved.status_code == 200 and approved.json()["status"] == TrackStatus.APPROVED
    track = CaptionTrack.objects.get(pk=track_id)
    assert (track.kind, track.reviewed_by) == (TrackKind.HUMAN, communications)


def test_a_broken_file_is_refused_with_its_line_and_nothing_is_stored(communications, recording):
    program = _program(communications)

    response = program.post(
        f"/api/v1/recordings/{recording.pk}/tracks/",
        {"language": "fi", "file": _file("fi.vtt", "comma_timestamps.vtt")},
    )
    missing = program.post(f"/api/v1/recordings/{recording.pk}/tracks/", {"language": "fi"})

    assert response.status_code == 400
    assert any("13" in message for message in response.json()["errors"]["file"])
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    assert not CaptionTrack.objects.exists()


def test_approving_a_version_that_changed_since_is_refused(communications, recording):
    program = _program(communications)
    base = f"/api/v1/recordings/{recording.pk}"
    track_id = program.post(
        f"{base}/tracks/", {"language": "fi", "file": _file("good.vtt")}
    ).json()["id"]
    program.post(f"{base}/tracks/", {"language": "fi", "file": _file("good.srt")})  # version 2

    response = program.post(
        f"{base}/tracks/{track_id}/review/",
        {"action": "approve", "expected_version": 1},
        "application/json",
    )

    assert response.status_code == 400
    assert CaptionTrack.objects.get(pk=track_id).status != TrackStatus.APPROVED


def test_caption_order_and_delivery_by_api(organiser, recording):
    program = _program(organiser)
    base = f"/api/v1/recordings/{recording.pk}"

    ordered = program.post(
        f"{base}/orders/",
        {"vendor": "Tekstitys Oy", "language": "fi", "price_per_minute": "3.20"},
        "application/json",
    )

    assert ordered.status_code == 201
    body = ordered.json()
    assert (body["vendor"], Decimal(body["minutes"]), Decimal(body["total"])) == (
        "Tekstitys Oy",
        Decimal(1),  # the video's 20 seconds, as on the page
        Decimal("3.20"),
    )
    delivered = program.post(
        f"{base}/orders/{body['id']}/delivery/", {"file": _file("v.srt", "good.srt")}
    )
    assert delivered.status_code == 201
    track = CaptionTrack.objects.get(pk=delivered.json()["id"])
    assert (track.source, track.order_id) == (TrackSource.VENDOR, body["id"])
    assert CaptionOrder.objects.get().delivered_on is not None


def test_a_bad_order_is_refused_in_finnish_and_nothing_is_saved(communications, recording):
    response = _program(communications, "fi").post(
        f"/api/v1/recordings/{recording.pk}/orders/",
        {"vendor": "Tekstitys Oy", "price_per_minute": "-1"},
        "application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["price_per_minute"] == ["Tämän luvun on oltava vähintään 0."]
    assert not CaptionOrder.objects.exists()


def test_only_recording_staff_write_captions(user, reporting, recording):
    order = CaptionOrder.objects.create(
        recording=recording, vendor="V", ordered_on="2026-01-01", minutes=1
    )
    base = f"/api/v1/recordings/{recording.pk}"
    for person in (user, reporting):
        program = _program(person)
        answers = [
            program.post(f"{base}/tracks/", {"language": "fi", "file": _file("good.vtt")}),
            program.post(f"{base}/orders/", {"vendor": "V", "price_per_minute": "1"}),
            program.post(f"{base}/orders/{order.pk}/delivery/", {"file": _file("good.vtt")}),
        ]
        assert [a.status_code for a in answers] == [403, 403, 403], person
    assert Client().post(f"{base}/orders/", {}).status_code in (401, 403)
    assert not CaptionTrack.objects.exists()
    assert CaptionOrder.objects.count() == 1


TOO_BIG = "177201842234969221496832"  # beyond any database integer


def test_ids_out_of_range_are_not_found(communications, recording):
    """An id no database integer holds answers 404, as an unknown id does (not an error)."""
    program = _program(communications)
    track = CaptionTrackFactory(recording=recording)
    for url in (
        f"/api/v1/recordings/{TOO_BIG}/tracks/{track.pk}/review/",
        f"/api/v1/recordings/-{TOO_BIG}/tracks/{track.pk}/review/",
        f"/api/v1/recordings/{recording.pk}/tracks/{TOO_BIG}/review/",
        f"/api/v1/recordings/{TOO_BIG}/orders/1/delivery/",
    ):
        answer = program.post(url, {"action": "start"}, "application/json")
        assert answer.status_code == 404, url
        assert answer.json()["detail"]
    findings = program.get(f"/api/v1/recordings/{TOO_BIG}/tracks/{track.pk}/findings/")
    assert findings.status_code == 404
