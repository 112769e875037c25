"""Reading the platform: saved yt-dlp info JSON through the same code path, no network."""

import datetime as dt
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.core.management import call_command

from recordings import platform
from recordings.models import Availability, ErrorKind, TrackKind, TrackSource
from recordings.services import sync_from_platform
from recordings.tasks import refresh_all_recordings, sync_recording
from tests.factories import RecordingFactory

from .conftest import load_info, vtt_bytes

URL = "https://www.youtube.com/watch?v=kOhTaAmO001"


def test_facts_from_public_video_with_finnish_subtitles():
    facts = platform.facts_from_info(load_info("public_fi_subtitles.json"))
    assert facts.video_id == "kOhTaAmO001"
    assert facts.duration_seconds == 3512
    assert facts.availability == "public"
    assert facts.uploaded_on == dt.date(2026, 11, 4)
    assert facts.view_count == 31
    assert facts.is_live_recording is True
    assert list(facts.human_tracks) == ["fi"]
    assert "fmt=vtt" in facts.human_tracks["fi"]
    # Machine translations and "-orig" are not counted as languages of their own.
    assert facts.automatic_languages == ["fi"]


def test_automatic_only_has_no_human_tracks():
    info = load_info("automatic_only.json")
    assert len(info["automatic_captions"]) > 5  # translations present in the fixture
    facts = platform.facts_from_info(info)
    assert facts.human_tracks == {}
    assert facts.automatic_languages == ["fi"]


def test_unlisted_prerecorded_ignores_live_chat():
    facts = platform.facts_from_info(load_info("unlisted.json"))
    assert facts.availability == "unlisted"
    assert facts.is_live_recording is False
    assert facts.human_tracks == {}


def test_youtube_id_from_addresses():
    assert platform.youtube_id("https://youtu.be/kOhTaAmO001?t=3") == "kOhTaAmO001"
    assert platform.youtube_id("https://www.youtube.com/live/kOhTaAmO001") == "kOhTaAmO001"
    assert platform.youtube_id("https://vimeo.com/123") == ""


@pytest.mark.django_db
def test_sync_stores_metadata_tracks_and_fetches_human_track(fake_platform):
    fake_platform.add(URL, "public_fi_subtitles.json")
    fake_platform.tracks["lang=fi&name="] = vtt_bytes("platform_fi.vtt")
    recording = RecordingFactory(url=URL, duration_seconds=None, title="")
    outcome = sync_from_platform(recording=recording)
    assert outcome.ok
    recording.refresh_from_db()
    assert recording.duration_seconds == 3512
    assert recording.availability == Availability.PUBLIC
    assert recording.view_count == 31 and recording.views_read_at is not None
    assert recording.uploaded_on == dt.date(2026, 11, 4)
    assert recording.last_error == ""
    assert recording.platform_info["human_languages"] == ["fi"]
    tracks = {(t.language, t.kind): t for t in recording.tracks.all()}
    assert set(tracks) == {("fi", TrackKind.HUMAN), ("fi", TrackKind.AUTOMATIC)}
    human = tracks[("fi", TrackKind.HUMAN)]
    assert human.source == TrackSource.PLATFORM
    assert human.checked_at is not None and "Tervetuloa" in human.vtt


@pytest.mark.django_db
def test_sync_automatic_only_records_automatic_track(fake_platform):
    fake_platform.add(URL, "automatic_only.json")
    recording = RecordingFactory(url=URL)
    assert sync_from_platform(recording=recording).ok
    kinds = list(recording.tracks.values_list("language", "kind"))
    assert kinds == [("fi", TrackKind.AUTOMATIC)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "text"),
    [("private_error.json", "Private video"), ("removed_error.json", "removed by the uploader")],
)
def test_private_or_removed_is_stored_for_a_person_not_retried(fake_platform, fixture, text):
    fake_platform.add(URL, fixture)
    recording = RecordingFactory(url=URL, view_count=5)
    outcome = sync_from_platform(recording=recording)
    assert not outcome.ok and not outcome.retry
    recording.refresh_from_db()
    assert text in recording.last_error
    assert recording.last_error_kind == ErrorKind.NEEDS_PERSON
    assert recording.view_count == 5  # old facts kept


@pytest.mark.django_db
def test_network_error_is_stored_and_retried(fake_platform):
    fake_platform.add(URL, "network_error.json")
    recording = RecordingFactory(url=URL)
    outcome = sync_from_platform(recording=recording)
    assert not outcome.ok and outcome.retry
    recording.refresh_from_db()
    assert recording.last_error_kind == ErrorKind.TEMPORARY


@pytest.mark.django_db
def test_task_in_worker_mode_retries_temporary_errors(fake_platform, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fake_platform.add(URL, "network_error.json")
    recording = RecordingFactory(url=URL)
    with pytest.raises(Retry) as retry:
        sync_recording.apply(args=[recording.pk])
    assert retry.value.when == 60  # first backoff step; doubles on each retry
    recording.refresh_from_db()
    assert recording.last_error_kind == "temporary"


@pytest.mark.django_db
def test_task_does_not_retry_private_video(fake_platform, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fake_platform.add(URL, "private_error.json")
    recording = RecordingFactory(url=URL)
    assert sync_recording.apply(args=[recording.pk]).get().startswith("error")
    assert len(fake_platform.calls) == 1


@pytest.mark.django_db
def test_address_that_is_not_a_video_is_stored_as_error(fake_platform):
    url = "https://example.com/not-a-video"
    fake_platform.add(url, "not_a_video_error.json")
    recording = RecordingFactory(url=url)
    outcome = sync_from_platform(recording=recording)
    assert not outcome.ok and not outcome.retry
    recording.refresh_from_db()
    assert "Unsupported URL" in recording.last_error


@pytest.mark.django_db
def test_unexpected_extractor_failure_is_stored_not_raised(monkeypatch):
    def broken(url):
        raise KeyError("ytInitialData")

    monkeypatch.setattr(platform, "_extract_raw", broken)
    recording = RecordingFactory()
    outcome = sync_from_platform(recording=recording)
    assert not outcome.ok
    recording.refresh_from_db()
    assert "ytInitialData" in recording.last_error


@pytest.mark.django_db
def test_sync_command_and_daily_refresh(fake_platform, capsys):
    ok = RecordingFactory(url=URL)
    fake_platform.add(URL, "automatic_only.json")
    private_url = "https://www.youtube.com/watch?v=kOhTaAmO004"
    fake_platform.add(private_url, "private_error.json")
    private = RecordingFactory(url=private_url)
    out, err = StringIO(), StringIO()
    call_command("sync_recordings", stdout=out, stderr=err)
    assert "1 read, 1 failed" in out.getvalue()
    assert "recordings: 100%" in err.getvalue()  # the tqdm progress bar
    ok.refresh_from_db()
    private.refresh_from_db()
    assert ok.duration_seconds == 3390 and private.last_error_kind == ErrorKind.NEEDS_PERSON
    # The daily refresh skips what a person must fix first.
    assert refresh_all_recordings.delay().get() == "queued 1"
