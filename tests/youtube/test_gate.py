"""The one publication gate decides a video's privacy on YouTube: publishing (compliant, or
an administrator's logged override) makes it public, unpublishing takes it back; nothing
else in the code base changes a video's privacy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from accessibility.services import PublicationBlockedError, publish, unpublish
from accounts.models import AuditEntry
from outbox.models import OutboxMessage, OutboxStatus
from recordings.models import Availability, PublicationState
from youtube import quota
from youtube.hooks import SET_PRIVACY_TASK, UPLOAD_CAPTION_TASK
from youtube.models import ChannelVideo

from .conftest import answer, load, replay, token_answer
from .helpers import VIDEO_ID, approve_new_version, json_body, rows, run, use_http
from .helpers import youtube_recording as make_recording

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
STATUS = {
    "uploadStatus": "processed",
    "privacyStatus": "private",
    "license": "creativeCommon",
    "embeddable": False,
    "publicStatsViewable": False,
    "selfDeclaredMadeForKids": False,
    "madeForKids": False,
}


def status_answer(privacy: str) -> tuple[dict, str]:
    item = {**load("videos_list_item.json"), "id": VIDEO_ID, "status": {**STATUS}}
    item["status"]["privacyStatus"] = privacy
    return answer({"kind": "youtube#videoListResponse", "items": [item]})


def updated_answer(privacy: str) -> tuple[dict, str]:
    return answer(
        {"kind": "youtube#video", "id": VIDEO_ID, "status": {**STATUS, "privacyStatus": privacy}}
    )


@pytest.fixture
def private_video(connected):
    recording = make_recording(availability=Availability.PRIVATE)
    ChannelVideo.objects.create(recording=recording, video_id=VIDEO_ID, privacy_status="private")
    return recording


def test_publishing_a_compliant_private_video_makes_it_public_keeping_its_status(
    private_video, communications, monkeypatch
):
    approve_new_version(private_video, communications)
    publish(recording=private_video, by=communications)
    [row] = rows(SET_PRIVACY_TASK)
    assert row.args == [private_video.pk, True]

    http = replay(token_answer(), status_answer("private"), updated_answer("public"))
    use_http(monkeypatch, http)
    assert run(row).status == OutboxStatus.SENT

    _token, (list_uri, *_), (uri, method, body, _headers) = http.request_sequence
    assert "part=status" in list_uri
    assert method == "PUT" and uri.startswith("http://127.0.0.1:9/youtube/v3/videos?part=status")
    sent = json_body(body)
    assert sent["id"] == VIDEO_ID
    # the whole status part goes back, only privacyStatus changed (videos.update replaces it)
    assert sent["status"] == {
        "privacyStatus": "public",
        "license": "creativeCommon",
        "embeddable": False,
        "publicStatsViewable": False,
        "selfDeclaredMadeForKids": False,
        "madeForKids": False,
    }
    private_video.refresh_from_db()
    assert private_video.availability == Availability.PUBLIC
    video = ChannelVideo.objects.get()
    assert (video.privacy_status, video.privacy_before_publication) == ("public", "private")
    assert quota.used() == 51
    assert AuditEntry.objects.filter(action="youtube.privacy_changed").count() == 1

    unpublish(recording=private_video, by=communications)
    back = rows(SET_PRIVACY_TASK)[1]
    assert back.args == [private_video.pk, False]
    http = replay(token_answer(), status_answer("public"), updated_answer("private"))
    use_http(monkeypatch, http)
    run(back)
    assert json_body(http.request_sequence[2][2])["status"]["privacyStatus"] == "private"
    private_video.refresh_from_db()
    assert private_video.availability == Availability.PRIVATE


def test_an_uncaptioned_video_is_made_public_only_with_an_administrators_reason(
    private_video, communications, admin_user, monkeypatch
):
    with pytest.raises(PublicationBlockedError):
        publish(recording=private_video, by=communications)
    with pytest.raises(PublicationBlockedError):
        publish(recording=private_video, by=admin_user)
    with pytest.raises(PublicationBlockedError):
        publish(recording=private_video, by=communications, override_reason="Kiireellinen tiedote")
    assert not rows(SET_PRIVACY_TASK)
    private_video.refresh_from_db()
    assert private_video.publication_state == PublicationState.NOT_PUBLISHED

    publish(
        recording=private_video, by=admin_user, override_reason="Kohtuuton rasite, selvitys 3/2026"
    )
    entry = AuditEntry.objects.get(action="recording.published_with_override")
    assert entry.details["reason"] == "Kohtuuton rasite, selvitys 3/2026"
    http = replay(token_answer(), status_answer("private"), updated_answer("public"))
    use_http(monkeypatch, http)
    run(rows(SET_PRIVACY_TASK)[0])
    assert json_body(http.request_sequence[2][2])["status"]["privacyStatus"] == "public"


def test_the_task_checks_again_a_video_unpublished_meanwhile_stays_private(
    private_video, communications, monkeypatch
):
    approve_new_version(private_video, communications)
    publish(recording=private_video, by=communications)
    unpublish(recording=private_video, by=communications)
    http = replay()
    use_http(monkeypatch, http)
    public_row = rows(SET_PRIVACY_TASK)[0]
    assert run(public_row).status == OutboxStatus.SENT
    assert http.request_sequence == []  # nothing sent: the recording is not published now


def test_a_private_video_not_known_on_the_channel_is_still_refused(connected, communications):
    recording = make_recording(availability=Availability.PRIVATE)
    approve_new_version(recording, communications)
    with pytest.raises(PublicationBlockedError):
        publish(recording=recording, by=communications)


def test_a_video_deleted_on_youtube_cannot_be_published(private_video, communications, monkeypatch):
    approve_new_version(private_video, communications)
    publish(recording=private_video, by=communications)
    use_http(monkeypatch, replay(token_answer(), answer("videos_list_empty.json")))
    run(rows(SET_PRIVACY_TASK)[0])

    private_video.refresh_from_db()
    assert private_video.availability == Availability.UNAVAILABLE
    assert "no longer has this video" in private_video.last_error
    assert ChannelVideo.objects.get().gone_at is not None
    unpublish(recording=private_video, by=communications)
    with pytest.raises(PublicationBlockedError):
        publish(recording=private_video, by=communications)


def test_without_a_client_id_nothing_is_enqueued_and_nothing_calls_out(
    db, communications, settings, monkeypatch
):
    settings.YOUTUBE_CLIENT_ID = ""
    recording = make_recording(availability=Availability.UNLISTED)
    approve_new_version(recording, communications)
    publish(recording=recording, by=communications)
    unpublish(recording=recording, by=communications)

    assert not OutboxMessage.objects.filter(task__startswith="youtube.").exists()
    assert not rows(UPLOAD_CAPTION_TASK)


def _calls_of(name: str) -> set[str]:
    """Modules of ours that call something named `name` (attribute or plain name)."""
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "node_modules", "migrations"} for part in path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.add(str(path.relative_to(ROOT)))
    return found


def test_only_the_youtube_tasks_change_a_videos_privacy():
    assert _calls_of("set_privacy") == {"youtube/tasks.py"}
    assert _calls_of("insert_caption") <= {"youtube/tasks.py"}
    assert _calls_of("update_caption") <= {"youtube/tasks.py"}
