from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.youtube_channel import REFRESH_TOKEN
from youtube import client, quota
from youtube.errors import NOT_CONNECTED, NOT_FOUND, QUOTA_EXCEEDED, REVOKED, YouTubeError
from youtube.models import ChannelConnection, QuotaUse

from .conftest import answer, replay, token_answer, videos_answer

pytestmark = pytest.mark.django_db


def _query(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(uri).query)


def test_120_ids_are_read_in_three_calls_of_one_unit(connected):
    ids = [f"video{n:06d}" for n in range(120)]
    http = replay(
        token_answer(),
        videos_answer(ids[:50]),
        videos_answer(ids[50:100]),
        videos_answer(ids[100:]),
    )
    videos = client.read_videos(ids, service=client.youtube_service(http=http))

    assert list(videos) == ids
    assert videos["video000119"] == client.VideoInfo(
        id="video000119", privacy_status="unlisted", duration_seconds=3723, view_count=1234
    )
    token_call, *api_calls = http.request_sequence
    assert token_call[0] == "http://127.0.0.1:9/token" and token_call[1] == "POST"
    assert parse_qs(token_call[2].decode())["refresh_token"] == [REFRESH_TOKEN]
    assert len(api_calls) == 3
    batches = [_query(uri)["id"][0].split(",") for uri, *_ in api_calls]
    assert [len(batch) for batch in batches] == [50, 50, 20]
    for uri, method, _body, headers in api_calls:
        assert uri.startswith("http://127.0.0.1:9/youtube/v3/videos?")
        assert method == "GET"
        assert _query(uri)["part"] == ["status,contentDetails,statistics"]
        assert headers["authorization"] == "Bearer ya29.a0-test-access-token"
    assert quota.used() == 3


def test_caption_tracks_standard_and_automatic(connected):
    http = replay(token_answer(), answer("captions_list.json"))
    tracks = client.caption_tracks("dQw4w9WgXcQ", service=client.youtube_service(http=http))

    assert [(t.language, t.kind, t.is_draft) for t in tracks] == [
        ("fi", "standard", False),
        ("fi", "asr", False),
        ("sv", "standard", True),
    ]
    assert tracks[0].id == "AUieDaZ6HlpOGQqXFsBjqNCrZ8Lf2Ah9YS8zzTqVm0E"
    assert _query(http.request_sequence[1][0])["videoId"] == ["dQw4w9WgXcQ"]
    assert quota.used() == 50


def test_quota_exceeded_from_google_fills_the_ledger(connected):
    http = replay(token_answer(), answer("error_quota_exceeded.json", 403))
    with pytest.raises(YouTubeError) as caught:
        client.read_videos(["dQw4w9WgXcQ"], service=client.youtube_service(http=http))

    assert caught.value.kind == QUOTA_EXCEEDED
    assert caught.value.reason == "quotaExceeded"
    assert quota.remaining() == 0
    # the ledger now refuses before any call is made
    http = replay(token_answer())
    with pytest.raises(YouTubeError) as caught:
        client.read_videos(["dQw4w9WgXcQ"], service=client.youtube_service(http=http))
    assert caught.value.kind == QUOTA_EXCEEDED
    assert http.request_sequence == []


def test_revoked_token_marks_the_connection(connected, caplog):
    http = replay(answer("token_invalid_grant.json", 400))
    with pytest.raises(YouTubeError) as caught:
        client.read_videos(["dQw4w9WgXcQ"], service=client.youtube_service(http=http))

    assert caught.value.kind == REVOKED
    assert "connect the channel again" in str(caught.value)
    connection = ChannelConnection.current()
    assert connection.revoked_at is not None and connection.last_error == "invalid_grant"
    assert not connection.is_active
    assert REFRESH_TOKEN not in caplog.text
    assert REFRESH_TOKEN not in repr(caught.value) + str(caught.value.detail)
    # later calls do not try Google again until an administrator reconnects
    with pytest.raises(YouTubeError) as caught:
        client.youtube_service(http=replay())
    assert caught.value.kind == REVOKED


def test_deleted_video(connected):
    http = replay(token_answer(), answer("videos_list_empty.json"))
    service = client.youtube_service(http=http)
    assert client.read_videos(["gone0000000"], service=service) == {"gone0000000": None}

    http = replay(token_answer(), answer("videos_list_empty.json"))
    with pytest.raises(YouTubeError) as caught:
        client.read_video("gone0000000", service=client.youtube_service(http=http))
    assert caught.value.kind == NOT_FOUND

    http = replay(token_answer(), answer("error_video_not_found.json", 404))
    with pytest.raises(YouTubeError) as caught:
        client.caption_tracks("gone0000000", service=client.youtube_service(http=http))
    assert caught.value.kind == NOT_FOUND
    assert caught.value.reason == "videoNotFound"


def test_not_connected(db, youtube_settings):
    with pytest.raises(YouTubeError) as caught:
        client.youtube_service(http=replay())
    assert caught.value.kind == NOT_CONNECTED


def test_not_configured(connected, settings):
    settings.YOUTUBE_CLIENT_ID = ""
    with pytest.raises(YouTubeError) as caught:
        client.youtube_service(http=replay())
    assert caught.value.kind == NOT_CONNECTED


def test_a_changed_key_asks_to_reconnect(connected, settings):
    from cryptography.fernet import Fernet  # noqa: PLC0415

    settings.YOUTUBE_TOKEN_KEY = Fernet.generate_key().decode()
    with pytest.raises(YouTubeError) as caught:
        client.youtube_service(http=replay())
    assert caught.value.kind == REVOKED


def test_the_token_is_stored_encrypted(connected):
    from django.db import connection as db  # noqa: PLC0415

    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM youtube_channelconnection")
        row = cursor.fetchone()
    assert REFRESH_TOKEN not in json.dumps([str(value) for value in row])
    assert ChannelConnection.current().refresh_token == REFRESH_TOKEN
    assert REFRESH_TOKEN not in repr(ChannelConnection.current())


def test_one_batch_is_not_made_without_quota(connected, settings):
    settings.YOUTUBE_DAILY_QUOTA = 2
    ids = [f"video{n:06d}" for n in range(120)]
    http = replay(token_answer(), videos_answer(ids[:50]), videos_answer(ids[50:100]))
    with pytest.raises(YouTubeError) as caught:
        client.read_videos(ids, service=client.youtube_service(http=http))
    assert caught.value.kind == QUOTA_EXCEEDED
    assert len(http.request_sequence) == 3  # token, two batches; the third never sent
    assert QuotaUse.objects.get().units == 2


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT1H2M3S", 3723),
        ("PT15M", 900),
        ("PT45S", 45),
        ("P1DT2H", 93600),
        ("P0D", 0),
        ("PT0S", 0),
        ("", None),
        ("P", None),
        ("1:02:03", None),
    ],
)
def test_parse_duration(value, seconds):
    assert client.parse_duration(value) == seconds
