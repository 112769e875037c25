"""Done when: with a channel connected (against a local stub of Google's token endpoint and
the YouTube API, pytest-httpserver on 127.0.0.1), approving a compliant track uploads it,
publishing makes the video public, and an uncaptioned video cannot be made public without an
administrator's reason."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from accessibility.services import NotAllowedError, PublicationBlockedError, publish
from accounts.models import AuditEntry
from outbox.models import OutboxStatus
from recordings.models import Availability, PublicationState
from youtube.hooks import SET_PRIVACY_TASK, UPLOAD_CAPTION_TASK
from youtube.models import ChannelVideo, UploadedCaption

from .conftest import load
from .helpers import VIDEO_ID, approve_new_version, good_vtt, rows, run, youtube_recording

pytestmark = pytest.mark.django_db
STATUS = {"privacyStatus": "private", "license": "youtube", "embeddable": True}


@pytest.fixture
def google(httpserver: HTTPServer, connected, youtube_settings):
    origin = f"http://127.0.0.1:{httpserver.port}"
    youtube_settings.YOUTUBE_TOKEN_URI = f"{origin}/token"
    youtube_settings.YOUTUBE_API_ENDPOINT = f"{origin}/"
    httpserver.expect_request("/token", method="POST").respond_with_json(
        load("token_refreshed.json")
    )
    httpserver.expect_request("/upload/youtube/v3/captions", method="POST").respond_with_json(
        {"kind": "youtube#caption", "id": "AUieDaSTUBCAPTION", "snippet": {"language": "fi"}}
    )
    httpserver.expect_request("/youtube/v3/videos", method="GET").respond_with_json(
        {"items": [{"id": VIDEO_ID, "status": STATUS}]}
    )
    httpserver.expect_request("/youtube/v3/videos", method="PUT").respond_with_json(
        {"id": VIDEO_ID, "status": {**STATUS, "privacyStatus": "public"}}
    )
    return httpserver


def _received(server: HTTPServer, method: str, path: str) -> list:
    return [
        request
        for request, _response in server.log
        if (request.method, request.path) == (method, path)
    ]


def test_approve_uploads_and_publish_makes_the_video_public(google, communications):
    recording = youtube_recording(availability=Availability.PRIVATE)
    ChannelVideo.objects.create(recording=recording, video_id=VIDEO_ID, privacy_status="private")

    approve_new_version(recording, communications)  # recordings.services.approve_track
    assert run(rows(UPLOAD_CAPTION_TASK)[0]).status == OutboxStatus.SENT
    [upload] = _received(google, "POST", "/upload/youtube/v3/captions")
    assert upload.args["uploadType"] == "multipart"
    body = upload.get_data().decode("utf-8").replace("\r\n", "\n")
    assert good_vtt().decode("utf-8").strip() in body and VIDEO_ID in body
    assert UploadedCaption.objects.get().caption_id == "AUieDaSTUBCAPTION"

    publish(recording=recording, by=communications)
    assert run(rows(SET_PRIVACY_TASK)[0]).status == OutboxStatus.SENT
    [update] = _received(google, "PUT", "/youtube/v3/videos")
    assert json.loads(update.get_data())["status"] == {**STATUS, "privacyStatus": "public"}
    recording.refresh_from_db()
    assert recording.availability == Availability.PUBLIC


def test_an_uncaptioned_video_needs_an_administrators_reason(google, communications, admin_user):
    recording = youtube_recording(availability=Availability.UNLISTED)
    ChannelVideo.objects.create(recording=recording, video_id=VIDEO_ID, privacy_status="unlisted")

    with pytest.raises(PublicationBlockedError):
        publish(recording=recording, by=communications)
    with pytest.raises(NotAllowedError):
        publish(recording=recording, by=communications, override_reason="Tärkeä tiedote heti")
    with pytest.raises(PublicationBlockedError):
        publish(recording=recording, by=admin_user)
    assert not rows(SET_PRIVACY_TASK) and not _received(google, "PUT", "/youtube/v3/videos")

    publish(recording=recording, by=admin_user, override_reason="Kohtuuton rasite, selvitys 3/2026")
    recording.refresh_from_db()
    assert recording.publication_state == PublicationState.PUBLISHED
    assert AuditEntry.objects.filter(action="recording.published_with_override").exists()
    run(rows(SET_PRIVACY_TASK)[0])
    [update] = _received(google, "PUT", "/youtube/v3/videos")
    assert json.loads(update.get_data())["status"]["privacyStatus"] == "public"
