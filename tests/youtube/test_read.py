"""Reading the channel: every video's privacy, duration and views in batches of 50, a video
deleted on YouTube, the recording sync's path, the caption tracks on demand, the dashboard."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from outbox.services import enqueue
from recordings import services as recording_services
from recordings.models import Availability, ErrorKind, Recording
from recordings.tasks import sync_recording
from tests.factories import RecordingFactory
from youtube import quota
from youtube.models import ChannelVideo, QuotaUse
from youtube.tasks import read_videos

from .conftest import answer, replay, token_answer, videos_answer
from .helpers import VIDEO_ID, approve_new_version, use_http, youtube_recording

pytestmark = pytest.mark.django_db


def test_every_video_is_read_50_a_call_and_a_deleted_one_is_marked(connected, monkeypatch):
    recordings = [youtube_recording(f"kOhTaAm{n:04d}") for n in range(120)]
    RecordingFactory(url="https://vimeo.com/123456")  # not a YouTube video: not asked
    ids = [r.url.rsplit("=", 1)[1] for r in recordings]
    gone = ids[-1]
    http = replay(
        token_answer(),
        videos_answer(ids[:50]),
        videos_answer(ids[50:100]),
        videos_answer(ids[100:119]),  # YouTube no longer returns the last one
    )
    use_http(monkeypatch, http)

    assert read_videos() == "read 120"

    api_calls = http.request_sequence[1:]
    assert [len(parse_qs(urlsplit(uri).query)["id"][0].split(",")) for uri, *_ in api_calls] == [
        50,
        50,
        20,
    ]
    assert quota.used() == 3
    first = Recording.objects.get(pk=recordings[0].pk)
    assert (first.availability, first.duration_seconds, first.view_count) == (
        Availability.UNLISTED,
        3723,
        1234,
    )
    deleted = Recording.objects.get(pk=recordings[-1].pk)
    assert deleted.availability == Availability.UNAVAILABLE
    assert deleted.last_error_kind == ErrorKind.NEEDS_PERSON
    assert "may have been deleted" in deleted.last_error
    assert ChannelVideo.objects.get(video_id=gone).gone_at is not None
    assert ChannelVideo.objects.filter(gone_at__isnull=True).count() == 119


def test_reading_stops_cleanly_when_the_quota_is_used_up(connected, monkeypatch):
    youtube_recording()
    QuotaUse.objects.create(day=quota.pacific_day(), units=10000)
    http = replay(token_answer())
    use_http(monkeypatch, http)
    assert read_videos() == "stopped: quota_exceeded"
    assert http.request_sequence == []


def test_sync_of_a_private_video_uses_the_channel_when_connected(connected, monkeypatch):
    recording = youtube_recording()
    body = videos_answer([VIDEO_ID])
    http = replay(token_answer(), (body[0], body[1].replace('"unlisted"', '"private"')))
    use_http(monkeypatch, http)
    monkeypatch.setattr(
        recording_services, "sync_from_platform", lambda **_kw: pytest.fail("yt-dlp was used")
    )

    assert sync_recording(recording.pk) == "ok"
    recording.refresh_from_db()
    assert recording.availability == Availability.PRIVATE and not recording.last_error
    assert recording.view_count == 1234


def test_sync_without_a_connection_keeps_the_yt_dlp_path(db, monkeypatch):
    recording = youtube_recording()
    used = []
    monkeypatch.setattr(
        recording_services,
        "sync_from_platform",
        lambda *, recording: used.append(recording.pk) or recording_services.SyncOutcome(ok=True),
    )
    assert sync_recording(recording.pk) == "ok"
    assert used == [recording.pk]


def test_the_caption_tracks_are_read_on_demand_by_staff(
    connected, en_client, communications, monkeypatch
):
    recording = youtube_recording()
    http = replay(token_answer(), answer("captions_list.json"))
    use_http(monkeypatch, http)
    en_client.force_login(communications)

    response = en_client.post(reverse("youtube:read_captions", args=[recording.pk]), follow=True)

    assert "The caption tracks on YouTube were read." in response.content.decode()
    # fi has a person's track beside the automatic one; sv only a draft
    assert ChannelVideo.objects.get().caption_kinds == {"fi": "standard"}
    assert quota.used() == 50
    page = en_client.get(reverse("recordings:detail", args=[recording.pk])).content.decode()
    assert "On the YouTube channel" in page and "fi: by a person" in page
    assert "YouTube quota left today" in page and "9950 of 10000 units" in page


def test_the_caption_button_is_not_for_everyone(connected, client, user):
    recording = youtube_recording()
    client.force_login(user)
    assert client.post(reverse("youtube:read_captions", args=[recording.pk])).status_code == 403
    assert client.get(reverse("youtube:read_captions", args=[recording.pk])).status_code == 405


def test_the_dashboard_flags_public_videos_without_compliant_captions(
    connected, en_client, communications
):
    flagged = youtube_recording("kOhTaAmO201", title="Public, no captions")
    flagged.availability = Availability.PUBLIC
    flagged.save()
    captioned = youtube_recording("kOhTaAmO202", title="Public, captioned")
    captioned.availability = Availability.PUBLIC
    captioned.save()
    approve_new_version(captioned, communications)
    youtube_recording("kOhTaAmO203", title="Unlisted, no captions")
    enqueue(task="youtube.set_privacy", args=[flagged.pk, True], key="pending-one")
    en_client.force_login(communications)

    page = en_client.get(reverse("recordings:dashboard"))
    text = page.content.decode()
    assert page.context["totals"].public_without_captions == 1
    assert text.count("Public on YouTube without compliant captions</span>") == 1
    assert 'aria-hidden="true">⚠</span> Public on YouTube' in text
    assert "YouTube quota left today: 10000 of 10000 units" in text
    # the approval's caption upload and the privacy change above
    assert "2 pieces of YouTube work waiting" in text

    only = en_client.get(reverse("recordings:dashboard"), {"filter": "public_without_captions"})
    assert [row.recording.title for row in only.context["rows"]] == ["Public, no captions"]


def test_the_dashboard_runs_the_same_queries_for_more_recordings(
    connected, client, communications, django_assert_num_queries
):
    for n in range(3):
        youtube_recording(f"kOhTaAmO3{n:02d}")
    client.force_login(communications)
    client.get(reverse("recordings:dashboard"))
    with django_assert_num_queries(10) as few:
        client.get(reverse("recordings:dashboard"))
    for n in range(30):
        youtube_recording(f"kOhTaAmO4{n:02d}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("recordings:dashboard"))


def test_sync_falls_back_to_yt_dlp_when_the_quota_is_used_up(connected, monkeypatch):
    recording = youtube_recording()
    QuotaUse.objects.create(day=quota.pacific_day(), units=10000)
    use_http(monkeypatch, replay(token_answer()))
    used = []
    monkeypatch.setattr(
        recording_services,
        "sync_from_platform",
        lambda *, recording: used.append(recording.pk) or recording_services.SyncOutcome(ok=True),
    )
    monkeypatch.setattr("youtube.sync.sync_from_platform", recording_services.sync_from_platform)
    assert sync_recording(recording.pk) == "ok"
    assert used == [recording.pk]
