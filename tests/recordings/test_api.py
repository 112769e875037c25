"""API: staff see status and findings; everyone sees published recordings only."""

import pytest
from django.utils import timezone

from accessibility.services import publish
from recordings.models import TrackKind
from recordings.services import store_track
from tests.factories import CaptionTrackFactory, RecordingFactory

from .conftest import vtt_bytes

pytestmark = pytest.mark.django_db


def test_staff_list_has_compliance_and_findings(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    store_track(recording=recording, language="fi", content=vtt_bytes("too_fast.vtt"))
    client.force_login(communications)
    client.cookies["django_language"] = "en"
    data = client.get("/api/v1/recordings/").json()
    item = data["results"][0]
    assert item["compliance"]["status"] == "errors"
    assert item["compliance"]["reasons"] == ["The captions in language fi have errors."]
    track = item["tracks"][0]
    assert "findings" not in track  # grouped by rule, every finding behind findings_url
    (group,) = (g for g in track["findings_summary"] if g["code"] == "too_fast")
    assert group["count"] == group["errors"] >= 1 and group["severity"] == "error"
    finding = group["examples"][0]
    assert finding["code"] == "too_fast" and finding["line"] == 28
    assert finding["message"].startswith("Reading speed")
    page = client.get(track["findings_url"]).json()
    assert page["count"] == track["error_count"] + track["warning_count"]
    assert page["results"][0]["message"]


def _track_with_findings(n_fast: int, n_long: int):
    findings = [
        {"severity": "error", "code": "too_fast", "line": i, "time": "", "params": {}}
        for i in range(n_fast)
    ] + [
        {"severity": "warning", "code": "line_too_long", "line": i, "time": "", "params": {}}
        for i in range(n_long)
    ]
    return CaptionTrackFactory(
        kind=TrackKind.HUMAN,
        checked_at=timezone.now(),
        error_count=n_fast,
        warning_count=n_long,
        findings=findings,
    )


def test_findings_endpoint_pages_by_100_and_filters_by_rule(client, communications):
    track = _track_with_findings(250, 30)
    client.force_login(communications)
    listed = client.get("/api/v1/recordings/").json()["results"][0]["tracks"][0]
    assert [(g["code"], g["count"]) for g in listed["findings_summary"]] == [
        ("too_fast", 250),
        ("line_too_long", 30),
    ]
    assert len(listed["findings_summary"][0]["examples"]) == 5
    url = f"/api/v1/recordings/{track.recording_id}/tracks/{track.pk}/findings/"
    assert listed["findings_url"].endswith(url)
    first = client.get(url).json()
    assert first["count"] == 280 and len(first["results"]) == 100 and first["next"]
    last = client.get(url, {"page": 3}).json()
    assert len(last["results"]) == 80 and last["next"] is None
    only = client.get(url, {"rule": "line_too_long"}).json()
    assert only["count"] == 30 and {f["code"] for f in only["results"]} == {"line_too_long"}


def test_findings_endpoint_staff_only_and_404_for_another_recording(client, user, communications):
    track = _track_with_findings(3, 0)
    other = RecordingFactory()
    client.force_login(user)
    url = f"/api/v1/recordings/{track.recording_id}/tracks/{track.pk}/findings/"
    assert client.get(url).status_code == 403
    client.force_login(communications)
    wrong = f"/api/v1/recordings/{other.pk}/tracks/{track.pk}/findings/"
    assert client.get(wrong).status_code == 404


def test_staff_api_closed_to_others(client, user):
    assert client.get("/api/v1/recordings/").status_code in (401, 403)
    client.force_login(user)
    assert client.get("/api/v1/recordings/").status_code == 403


def test_publish_through_api_refused_with_400(client, communications):
    recording = RecordingFactory()
    client.force_login(communications)
    response = client.post(f"/api/v1/recordings/{recording.pk}/publish/", {})
    assert response.status_code == 400 and response.json()["reasons"]


def test_published_list_is_public_and_only_published(client, communications):
    shown = RecordingFactory(title="Shown", video_id="kOhTaAmO001", platform="Youtube")
    CaptionTrackFactory(
        recording=shown, kind=TrackKind.HUMAN, status="approved", checked_at=timezone.now()
    )
    publish(recording=shown, by=communications)
    RecordingFactory(title="Hidden")
    data = client.get("/api/v1/published-recordings/").json()
    assert [r["title"] for r in data["results"]] == ["Shown"]
    assert data["results"][0]["embed_url"].startswith(
        "https://www.youtube-nocookie.com/embed/kOhTaAmO001?cc_load_policy=1"
    )
    assert data["results"][0]["transcript_url"].endswith(f"/recordings/{shown.pk}/transcript/")


def test_staff_api_query_count_fixed(client, communications, django_assert_num_queries):
    client.force_login(communications)
    for _ in range(5):
        CaptionTrackFactory(recording=RecordingFactory(), kind=TrackKind.AUTOMATIC)
    client.get("/api/v1/recordings/")
    with django_assert_num_queries(8) as few:
        client.get("/api/v1/recordings/")
    for _ in range(40):
        CaptionTrackFactory(recording=RecordingFactory(), kind=TrackKind.AUTOMATIC)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/api/v1/recordings/")
