"""Caption track versions: made by every upload, delivery, edit and restore; approval records
the version (and asks YouTube for it when a channel is connected); compare and downloads."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from outbox.models import OutboxMessage
from recordings import services
from recordings.models import (
    CaptionTrack,
    CaptionTrackVersion,
    TrackSource,
    TrackStatus,
    VersionKind,
)
from tests.factories import CaptionTrackFactory, RecordingFactory
from tests.youtube_channel import configure_youtube, connect_channel

from .conftest import vtt_bytes

pytestmark = pytest.mark.django_db

TINY = (
    "WEBVTT\n\n"
    "1\n00:00:01.000 --> 00:00:03.500 align:start\n<v Aino>Hyvää huomenta &amp; tervetuloa\n\n"
    "2\n00:00:04.000 --> 00:00:07.000\n<i>Aloitetaan.</i>\n"
)
MOMENT = dt.datetime(2026, 12, 2, 10, 30, tzinfo=dt.UTC)


def upload(recording, content, *, by=None, name="tekstitys.vtt"):
    return services.store_track(
        recording=recording, language="fi", content=content, file_name=name, by=by
    )


def _url(name, track, **kwargs):
    return reverse(name, kwargs={"pk": track.recording_id, "track_pk": track.pk, **kwargs})


def test_upload_and_reupload_make_numbered_versions_and_keep_history(communications, organiser):
    recording = RecordingFactory(duration_seconds=20)
    with time_machine.travel(MOMENT, tick=False):
        first = upload(recording, vtt_bytes("too_fast.vtt"), by=communications, name="v1.vtt")
    second = upload(recording, vtt_bytes("good.vtt"), by=organiser, name="korjattu.vtt")
    assert first.pk == second.pk and second.version_count == 2
    old, new = second.versions.order_by("number")
    assert (old.number, old.kind, old.note, old.made_by, old.made_at) == (
        1, VersionKind.UPLOADED, "v1.vtt", communications, MOMENT,
    )  # fmt: skip
    assert old.vtt == vtt_bytes("too_fast.vtt").decode() and old.error_count == 1
    assert (new.number, new.note, new.made_by, new.error_count) == (2, "korjattu.vtt", organiser, 0)
    assert second.current_version == new and new.vtt == second.vtt


def test_vendor_delivery_makes_a_delivered_version(communications):
    recording = RecordingFactory(duration_seconds=20)
    order = services.order_captions(recording=recording, vendor="Tekstitys Oy", minutes=1)
    track = services.deliver_order(
        order=order, content=vtt_bytes("good.vtt"), file_name="toimitus.vtt", by=communications
    )
    version = track.current_version
    assert (version.number, version.kind, version.note) == (
        1,
        VersionKind.DELIVERED,
        "toimitus.vtt",
    )
    assert version.made_by == communications


def test_restore_makes_a_new_version_with_the_old_text(communications, organiser):
    recording = RecordingFactory(duration_seconds=20)
    upload(recording, vtt_bytes("good.vtt"), by=communications)
    track = upload(recording, vtt_bytes("too_fast.vtt"), by=communications)
    track = services.restore_version(
        track=track,
        version=track.versions.get(number=1),
        by=organiser,
        note="Toimittajan korjaus oli väärä",
    )
    restored = track.current_version
    assert (restored.number, restored.kind, restored.made_by) == (
        3,
        VersionKind.RESTORED,
        organiser,
    )
    assert restored.note == "Toimittajan korjaus oli väärä"
    assert track.vtt == vtt_bytes("good.vtt").decode() and track.error_count == 0
    assert track.status == TrackStatus.RECEIVED


def test_restore_page_restores_a_version_with_the_reason(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    upload(recording, vtt_bytes("good.vtt"), by=communications)
    track = upload(recording, vtt_bytes("too_fast.vtt"), by=communications)
    client.force_login(communications)
    response = client.post(
        _url("recordings:restore_version", track), {"number": 1, "note": "Takaisin"}
    )
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.version_count == 3 and track.current_version.note == "Takaisin"


def test_approval_records_the_current_version(communications):
    track = upload(RecordingFactory(duration_seconds=20), vtt_bytes("good.vtt"))
    track = services.approve_track(track=track, by=communications, expected_version=1)
    assert track.status == TrackStatus.APPROVED
    assert track.approved_version == track.current_version and track.approved_version_number == 1


def test_approve_refuses_a_version_number_that_changed_meanwhile(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    upload(recording, vtt_bytes("good.vtt"))
    track = upload(recording, vtt_bytes("good.vtt"), name="uusi.vtt")  # someone re-uploaded
    client.force_login(communications)
    client.cookies["django_language"] = "en"  # the page in English
    with translation.override("en"):
        response = client.post(
            reverse("recordings:review", kwargs={"pk": recording.pk, "track_pk": track.pk}),
            {"action": "approve", "expected_version": "1"},
            follow=True,
        )
    assert "the captions changed since you opened the page" in response.content.decode().lower()
    track.refresh_from_db()
    assert track.status != TrackStatus.APPROVED and track.approved_version is None


def test_recording_page_links_versions_and_names_the_approved_version(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    upload(recording, vtt_bytes("too_fast.vtt"))
    track = upload(recording, vtt_bytes("good.vtt"))
    services.approve_track(track=track, by=communications)
    client.force_login(communications)
    client.cookies["django_language"] = "en"  # the page in English
    with translation.override("en"):
        page = client.get(reverse("recordings:detail", kwargs={"pk": recording.pk})).content
    page = page.decode()
    assert f'href="{_url("recordings:versions", track)}">Versions (2)</a>' in page
    assert f"approved version: 2 ({communications}," in page
    assert 'name="expected_version" value="2"' in page


def test_versions_page_lists_who_when_why_and_the_approved_one(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    track = upload(recording, vtt_bytes("good.vtt"), by=communications, name="eka.vtt")
    services.approve_track(track=track, by=communications)
    services.edit_cue(
        track=track, cue_index=0, text="Hei", start_ms=500, end_ms=3_500, by=communications,
        note="Kirjoitusvirhe",
    )  # fmt: skip
    client.force_login(communications)
    client.cookies["django_language"] = "en"  # the page in English
    with translation.override("en"):
        page = client.get(_url("recordings:versions", track)).content.decode()
    assert "2 versions, newest first" in page
    assert "Kirjoitusvirhe" in page and "eka.vtt" in page and "Edited" in page
    assert "Approved earlier" in page  # version 1 was approved, the edit reset it
    assert _url("recordings:version_download", track, number=1, fmt="srt") in page


def test_compare_shows_the_changed_cue(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    track = upload(recording, vtt_bytes("good.vtt"))
    before = track.vtt
    services.edit_cue(
        track=track, cue_index=1, text="Muutettu repliikki", start_ms=3_600, end_ms=7_000,
        by=communications,
    )  # fmt: skip
    client.force_login(communications)
    client.cookies["django_language"] = "en"  # the page in English
    with translation.override("en"):
        response = client.get(_url("recordings:compare", track), {"a": 1, "b": 2})
    page = response.content.decode()
    assert "1 cue differs." in page
    assert '<th scope="col">Cue time</th>' in page and "<caption>" in page
    row = page.split("<tbody>")[1]
    assert "Muutettu repliikki" in row and "Changed" in row
    second_cue_text = before.split("\n\n")[2].split("\n", 2)[2].split("\n")[0]
    assert second_cue_text in row


def test_downloads_give_exact_webvtt_and_srt(client, communications):
    recording = RecordingFactory(duration_seconds=20, video_id="abcDEF12345")
    track = upload(recording, TINY.encode())
    client.force_login(communications)
    vtt = client.get(_url("recordings:version_download", track, number=1, fmt="vtt"))
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert vtt["Content-Disposition"] == 'attachment; filename="abcDEF12345.fi.v1.vtt"'
    assert vtt.content.decode() == TINY
    srt = client.get(_url("recordings:version_download", track, number=1, fmt="srt"))
    assert srt["Content-Type"] == "application/x-subrip; charset=utf-8"
    assert srt["Content-Disposition"] == 'attachment; filename="abcDEF12345.fi.v1.srt"'
    assert srt.content.decode() == (
        "1\n00:00:01,000 --> 00:00:03,500\nAino: Hyvää huomenta & tervetuloa\n\n"
        "2\n00:00:04,000 --> 00:00:07,000\n<i>Aloitetaan.</i>\n"
    )
    assert (
        client.get(_url("recordings:version_download", track, number=2, fmt="vtt")).status_code
        == 404
    )
    assert (
        client.get(_url("recordings:version_download", track, number=1, fmt="txt")).status_code
        == 404
    )


def test_a_track_of_another_recording_is_not_found(client, communications):
    track = upload(RecordingFactory(duration_seconds=20), vtt_bytes("good.vtt"))
    other = RecordingFactory()
    client.force_login(communications)
    url = reverse("recordings:versions", kwargs={"pk": other.pk, "track_pk": track.pk})
    assert client.get(url).status_code == 404


def test_a_user_without_the_recordings_ability_is_refused(client, reporting):
    track = upload(RecordingFactory(duration_seconds=20), vtt_bytes("good.vtt"))
    client.force_login(reporting)
    assert client.get(_url("recordings:versions", track)).status_code == 403
    download = _url("recordings:version_download", track, number=1, fmt="vtt")
    assert client.get(download).status_code == 403


@pytest.fixture
def connected_channel(settings):
    configure_youtube(settings)
    return connect_channel()


def test_approval_with_a_connected_channel_queues_the_upload_of_that_version(
    connected_channel, communications
):
    track = upload(RecordingFactory(duration_seconds=20), vtt_bytes("good.vtt"))
    track = services.approve_track(track=track, by=communications)
    (message,) = OutboxMessage.objects.all()
    assert message.task == "youtube.upload_caption"
    assert message.args == [track.pk, track.approved_version.pk]


def test_approval_without_a_channel_queues_nothing(communications):
    track = upload(RecordingFactory(duration_seconds=20), vtt_bytes("good.vtt"))
    services.approve_track(track=track, by=communications)
    assert not OutboxMessage.objects.exists()


def test_the_migration_gives_existing_tracks_version_one(communications):
    migration = importlib.import_module("recordings.migrations.0004_caption_track_versions")
    recording = RecordingFactory()
    approved = CaptionTrackFactory(
        recording=recording, vtt=TINY, status=TrackStatus.APPROVED, source="vendor",
        uploaded_by=communications, file_name="toimitus.vtt",
    )  # fmt: skip
    automatic = CaptionTrackFactory(recording=recording, language="en", kind="automatic", vtt="")
    migration.first_versions(apps, None)
    approved.refresh_from_db()
    version = approved.current_version
    assert (version.number, version.kind, version.vtt, version.made_by) == (
        1, VersionKind.DELIVERED, TINY, communications,
    )  # fmt: skip
    assert version.made_at == approved.created_at and version.note == "toimitus.vtt"
    assert approved.approved_version == version and approved.version_count == 1
    assert not CaptionTrackVersion.objects.filter(track=automatic).exists()
    assert CaptionTrack.objects.get(pk=automatic.pk).current_version is None


def test_the_admin_shows_versions_but_cannot_change_them(client, admin_user, communications):
    track = upload(RecordingFactory(duration_seconds=20), vtt_bytes("good.vtt"), by=communications)
    version = track.current_version
    client.force_login(admin_user)
    assert client.get(reverse("admin:recordings_captiontrackversion_changelist")).status_code == 200
    page = client.get(reverse("admin:recordings_captiontrackversion_change", args=[version.pk]))
    assert page.status_code == 200 and 'name="vtt"' not in page.content.decode()
    assert client.get(reverse("admin:recordings_captiontrackversion_add")).status_code == 403
    track_page = client.get(reverse("admin:recordings_captiontrack_change", args=[track.pk]))
    assert track_page.status_code == 200
    assert 'name="current_version"' not in track_page.content.decode()


def test_a_platform_fetch_makes_a_platform_version_and_deleting_keeps_nothing():
    recording = RecordingFactory(duration_seconds=20, video_id="abcDEF12345")
    track = services.store_track(
        recording=recording,
        language="fi",
        content=vtt_bytes("platform_fi.vtt"),
        file_name="abcDEF12345.fi.vtt",
        source=TrackSource.PLATFORM,
    )
    assert track.current_version.kind == VersionKind.PLATFORM and track.version_count == 1
    recording.delete()
    assert not CaptionTrackVersion.objects.exists()
