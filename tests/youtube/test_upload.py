"""An approved caption track goes to its video through the outbox: captions.insert the first
time, captions.update for a newer version; the quota and a revoked token make it wait."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import AuditEntry
from outbox.models import OutboxStatus
from youtube import quota
from youtube.hooks import UPLOAD_CAPTION_TASK
from youtube.models import ChannelConnection, ChannelVideo, QuotaUse, UploadedCaption

from .conftest import answer, replay, token_answer
from .helpers import approve_new_version, good_vtt, rows, run, use_http, youtube_recording

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=HELSINKI)  # 06:00 Pacific, 10 March


def caption_answer(caption_id: str = "AUieDaYOUTUBECAPTION01") -> tuple[dict, str]:
    return answer(
        {
            "kind": "youtube#caption",
            "id": caption_id,
            "snippet": {"videoId": "kOhTaAmO101", "language": "fi", "trackKind": "standard"},
        }
    )


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_approval_uploads_the_approved_version_with_captions_insert(
    connected, communications, monkeypatch
):
    recording = youtube_recording()
    track = approve_new_version(recording, communications)
    [row] = rows(UPLOAD_CAPTION_TASK)
    assert row.args == [track.pk, track.approved_version_id]

    http = replay(token_answer(), caption_answer())
    use_http(monkeypatch, http)
    assert run(row).status == OutboxStatus.SENT

    token_call, (uri, method, body, headers) = http.request_sequence
    assert headers["authorization"] == "Bearer ya29.a0-test-access-token"
    assert token_call[0] == "http://127.0.0.1:9/token"
    assert method == "POST"
    assert uri.startswith("http://127.0.0.1:9/upload/youtube/v3/captions?")
    query = parse_qs(urlsplit(uri).query)
    assert query["part"] == ["snippet"] and query["uploadType"] == ["multipart"]
    body = body.decode("utf-8") if isinstance(body, bytes) else body
    assert '"videoId": "kOhTaAmO101"' in body and '"language": "fi"' in body
    assert "Content-Type: text/vtt" in body
    assert good_vtt().decode("utf-8").strip() in body.replace("\r\n", "\n")
    uploaded = UploadedCaption.objects.get()
    assert (uploaded.language, uploaded.caption_id) == ("fi", "AUieDaYOUTUBECAPTION01")
    assert uploaded.version_id == track.approved_version_id and uploaded.version_number == 1
    assert ChannelVideo.objects.get().caption_kinds == {"fi": "standard"}
    assert quota.used() == 400
    assert AuditEntry.objects.filter(action="youtube.caption_uploaded").count() == 1


def test_a_newer_approved_version_replaces_the_text_with_captions_update(
    connected, communications, monkeypatch
):
    recording = youtube_recording()
    approve_new_version(recording, communications)
    use_http(monkeypatch, replay(token_answer(), caption_answer()))
    run(rows(UPLOAD_CAPTION_TASK)[0])

    track = approve_new_version(recording, communications, marker="(korjattu)")
    second = rows(UPLOAD_CAPTION_TASK)[1]
    http = replay(token_answer(), caption_answer())
    use_http(monkeypatch, http)
    assert run(second).status == OutboxStatus.SENT

    uri, method, body, _headers = http.request_sequence[1]
    assert method == "PUT" and uri.startswith("http://127.0.0.1:9/upload/youtube/v3/captions?")
    body = body.decode("utf-8") if isinstance(body, bytes) else body
    assert '"id": "AUieDaYOUTUBECAPTION01"' in body
    assert "(korjattu)" in body
    uploaded = UploadedCaption.objects.get()
    assert uploaded.version_number == 2 and uploaded.version_id == track.approved_version_id
    assert quota.used() == 400 + 450


def test_a_version_no_longer_approved_is_not_uploaded(connected, communications, monkeypatch):
    recording = youtube_recording()
    approve_new_version(recording, communications)
    first = rows(UPLOAD_CAPTION_TASK)[0]
    approve_new_version(recording, communications, marker="(uusi)")  # approved before it ran
    http = replay()
    use_http(monkeypatch, http)
    assert run(first).status == OutboxStatus.SENT
    assert http.request_sequence == [] and not UploadedCaption.objects.exists()


def test_the_ledger_is_never_exceeded_the_upload_waits_for_the_pacific_midnight(
    connected, communications, monkeypatch
):
    QuotaUse.objects.create(day=quota.pacific_day(), units=10000 - 399)
    recording = youtube_recording()
    approve_new_version(recording, communications)
    http = replay(token_answer(), caption_answer())
    use_http(monkeypatch, http)

    row = run(rows(UPLOAD_CAPTION_TASK)[0])

    assert http.request_sequence == []  # nothing sent to Google
    assert quota.used() == 10000 - 399
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    # 00:05 on 11 March Pacific time (PDT since 8 March: UTC-7)
    assert row.available_at == dt.datetime(2026, 3, 11, 7, 5, tzinfo=dt.UTC)
    assert not UploadedCaption.objects.exists()

    with time_machine.travel(dt.datetime(2026, 3, 11, 7, 6, tzinfo=dt.UTC), tick=False):
        row = run(row)
        assert row.status == OutboxStatus.SENT and UploadedCaption.objects.exists()
        assert quota.used() == 400


def test_a_403_quota_exceeded_from_google_defers_and_never_fails(
    connected, communications, monkeypatch, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    recording = youtube_recording()
    approve_new_version(recording, communications)
    use_http(monkeypatch, replay(token_answer(), answer("error_quota_exceeded.json", 403)))

    row = run(rows(UPLOAD_CAPTION_TASK)[0])

    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert row.available_at == dt.datetime(2026, 3, 11, 7, 5, tzinfo=dt.UTC)
    assert quota.remaining() == 0  # the ledger believes Google
    assert not UploadedCaption.objects.exists()


def test_a_revoked_token_leaves_the_work_waiting_and_asks_to_reconnect(
    connected, communications, monkeypatch, client, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    recording = youtube_recording()
    approve_new_version(recording, communications)
    use_http(monkeypatch, replay(answer("token_invalid_grant.json", 400)))

    row = run(rows(UPLOAD_CAPTION_TASK)[0])

    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert row.last_error == "reconnect the channel"
    assert ChannelConnection.current().revoked_at is not None
    client.force_login(communications)
    client.cookies["django_language"] = "en"
    page = client.get("/recordings/").content.decode()
    assert "An administrator must reconnect it." in page
    # still waiting an hour later: the refused token is not tried again
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=1), tick=False):
        http = replay()
        use_http(monkeypatch, http)
        row = run(row)
        assert row.status == OutboxStatus.PENDING and http.request_sequence == []
