"""Caption tracks: upload (VTT, SRT), refusal of unreadable files, review, orders, delivery."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import AuditEntry
from recordings import services
from recordings.models import CaptionTrack, TrackKind, TrackSource, TrackStatus
from tests.factories import RecordingFactory

from .conftest import vtt_bytes

pytestmark = pytest.mark.django_db


def upload(recording, name, by=None, language="fi"):
    return services.store_track(
        recording=recording, language=language, content=vtt_bytes(name), file_name=name, by=by
    )


def test_upload_good_vtt_is_checked_and_stored(communications):
    recording = RecordingFactory(duration_seconds=20)
    track = upload(recording, "good.vtt", by=communications)
    assert track.kind == TrackKind.HUMAN and track.source == TrackSource.UPLOADED
    assert track.status == TrackStatus.RECEIVED
    assert track.error_count == 0 and track.checked_at is not None
    assert track.coverage == pytest.approx(0.92)
    assert AuditEntry.objects.filter(action="captions.stored").exists()


def test_upload_srt_is_converted():
    track = upload(RecordingFactory(duration_seconds=20), "good.srt")
    assert track.vtt.startswith("WEBVTT") and track.error_count == 0


def test_quality_findings_are_stored_with_line_and_time():
    track = upload(RecordingFactory(duration_seconds=20), "too_fast.vtt")
    assert track.error_count == 1
    finding = track.findings[0]
    assert finding["code"] == "too_fast" and finding["line"] == 28
    assert finding["time"] == "00:00:18.200"


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("no_header.vtt", "WEBVTT"),
        ("comma_timestamps.vtt", "line 13"),
        ("cut_off.vtt", "line 23"),
        ("latin1.vtt", "UTF-8"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_stored(name, needle):
    recording = RecordingFactory(duration_seconds=20)
    with translation.override("en"), pytest.raises(services.CaptionFileRejectedError) as refused:
        upload(recording, name)
    with translation.override("en"):
        assert needle in " ".join(str(m) for m in refused.value.messages)
    assert not CaptionTrack.objects.exists()


def test_empty_file_refused():
    with pytest.raises(services.CaptionFileRejectedError):
        services.store_track(recording=RecordingFactory(), language="fi", content=b"")


def test_new_upload_replaces_track_and_resets_review(communications):
    recording = RecordingFactory(duration_seconds=20)
    track = upload(recording, "good.vtt")
    services.approve_track(track=track, by=communications)
    upload(recording, "too_fast.vtt")
    track = CaptionTrack.objects.get(recording=recording, kind=TrackKind.HUMAN)
    assert track.status == TrackStatus.RECEIVED and track.reviewed_by is None
    assert track.error_count == 1


def test_review_workflow_records_reviewer(communications):
    track = upload(RecordingFactory(duration_seconds=20), "good.vtt")
    track = services.start_review(track=track, by=communications)
    assert track.status == TrackStatus.IN_REVIEW
    track = services.approve_track(track=track, by=communications)
    assert track.status == TrackStatus.APPROVED
    assert track.reviewed_by == communications and track.reviewed_at is not None


def test_tracks_with_errors_cannot_be_approved(communications):
    track = upload(RecordingFactory(duration_seconds=20), "overlapping.vtt")
    with pytest.raises(services.RecordingError):
        services.approve_track(track=track, by=communications)


def test_automatic_track_cannot_be_approved(communications):
    recording = RecordingFactory()
    track = CaptionTrack.objects.create(recording=recording, language="fi", kind="automatic")
    with pytest.raises(services.RecordingError):
        services.approve_track(track=track, by=communications)


def test_order_defaults_minutes_and_price(communications):
    recording = RecordingFactory(duration_seconds=3512)
    order = services.order_captions(recording=recording, vendor="Tekstitys Oy", by=communications)
    assert order.minutes == Decimal(59)
    assert order.price_per_minute == Decimal("3.20")
    assert order.total == Decimal("188.80")


def test_order_refuses_bad_input():
    recording = RecordingFactory(duration_seconds=None)
    with pytest.raises(services.RecordingError):
        services.order_captions(recording=recording, vendor="Tekstitys Oy")
    with pytest.raises(services.RecordingError):
        services.order_captions(recording=recording, vendor=" ", minutes=Decimal(5))


def test_delivery_goes_through_the_same_checks(communications):
    recording = RecordingFactory(duration_seconds=20)
    order = services.order_captions(recording=recording, vendor="V", minutes=Decimal(1))
    with pytest.raises(services.CaptionFileRejectedError):
        services.deliver_order(order=order, content=vtt_bytes("no_header.vtt"))
    order.refresh_from_db()
    assert order.delivered_on is None
    track = services.deliver_order(order=order, content=vtt_bytes("good.vtt"), file_name="x.vtt")
    order.refresh_from_db()
    assert track.source == TrackSource.VENDOR and track.order == order
    assert order.delivered_on is not None


def test_duration_change_rechecks_tracks(fake_platform):
    url = "https://www.youtube.com/watch?v=kOhTaAmO002"
    fake_platform.add(url, "automatic_only.json")
    recording = RecordingFactory(url=url, duration_seconds=10)
    track = upload(recording, "good.vtt")
    assert "beyond_duration" in [f["code"] for f in track.findings]
    services.sync_from_platform(recording=recording)
    track.refresh_from_db()
    assert "beyond_duration" not in [f["code"] for f in track.findings]


def test_add_recording_reads_platform_after_commit(
    fake_platform, django_capture_on_commit_callbacks
):
    url = "https://www.youtube.com/watch?v=kOhTaAmO001"
    fake_platform.add(url, "public_fi_subtitles.json")
    fake_platform.tracks["lang=fi&name="] = vtt_bytes("platform_fi.vtt")
    with django_capture_on_commit_callbacks(execute=True):
        recording = services.add_recording(url=url)
    recording.refresh_from_db()
    assert recording.video_id == "kOhTaAmO001" and recording.duration_seconds == 3512


def test_add_recording_refuses_non_url():
    with pytest.raises(services.RecordingError):
        services.add_recording(url="javascript:alert(1)")
