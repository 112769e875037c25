"""Large caption tracks (issue 18): the recording page stays small and its query count fixed.

The track is a real 63,000-cue WebVTT file, just under the upload limit (2 MiB), stored
through the real path (`store_track`: read, check, save). Cues start 1.0 s apart and last
0.9 s; to fit 63,000 cues in 2 MiB most cues hold one character. Some cues are too fast
(errors and warnings) and some too short, so there are hundreds of findings of a few rules.
Speed is measured by `make bench`, not here.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.conf import settings
from django.urls import reverse

from recordings.models import CaptionTrack
from recordings.services import store_track
from tests.factories import RecordingFactory

from .conftest import long_track_vtt

pytestmark = pytest.mark.django_db

LARGE = 63_000
PAGE_LIMIT = 300_000  # bytes of HTML
# session, user, roles, the recording with its event, theme and publisher, its tracks with
# reviewers and orders, its orders, the caption policy (as tests/recordings/test_list_queries)
DETAIL_QUERIES = 7


def _store(cues: int) -> CaptionTrack:
    recording = RecordingFactory(duration_seconds=cues + 1)
    return store_track(
        recording=recording, language="fi", content=long_track_vtt(cues), file_name=f"{cues}.vtt"
    )


def _page(client, track: CaptionTrack):
    return client.get(reverse("recordings:detail", args=[track.recording_id]))


def test_the_large_file_is_a_real_accepted_upload():
    content = long_track_vtt(LARGE)
    assert 1_900_000 < len(content) <= settings.UPLOAD_LIMITS["captions"]
    assert content.count(b"-->") == LARGE


def test_large_track_page_is_small_and_shows_findings_grouped_by_rule(en_client, communications):
    track = _store(LARGE)
    counts = Counter(f["code"] for f in track.findings)
    assert set(counts) == {"too_fast", "too_short"} and sum(counts.values()) > 500
    en_client.force_login(communications)
    response = _page(en_client, track)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.content) < PAGE_LIMIT
    groups = response.context["human_tracks"][0].finding_groups
    assert [g["code"] for g in groups] == ["too_fast", "too_short"]  # each rule once
    for group in groups:
        assert group["count"] == counts[group["code"]]
        assert len(group["examples"]) == 5
        assert html.count(f"<code>{group['code']}</code>") == 1
    too_fast = groups[0]
    assert too_fast["errors"] == 315 and too_fast["warnings"] == 210
    row_start = '<th scope="row">Reading speed <code>too_fast</code></th>'
    row = re.search(re.escape(row_start) + "(.*?)</tr>", html, re.DOTALL)
    assert row is not None
    assert f"<td>{counts['too_fast']}</td>" in row.group(1)
    # the first cue of the rule, with its time
    assert '<span class="cue-time">00:00:10.000</span> · <span>Line' in row.group(1)
    assert "Reading speed 15.6 characters per second" in row.group(1)
    findings_url = reverse("recordings:findings", args=[track.recording_id, track.pk])
    assert f'href="{findings_url}?rule=too_fast"' in html


@pytest.mark.parametrize("cues", [10, LARGE])
def test_recording_page_query_count_is_fixed(
    en_client, communications, django_assert_num_queries, cues
):
    track = _store(cues)
    en_client.force_login(communications)
    _page(en_client, track)  # warm the session, the role caches and the caption policy
    with django_assert_num_queries(DETAIL_QUERIES):
        response = _page(en_client, track)
    assert response.status_code == 200 and len(response.content) < PAGE_LIMIT


def test_every_finding_of_a_rule_is_offered_100_a_page(en_client, communications):
    track = _store(LARGE)
    too_short = [f for f in track.findings if f["code"] == "too_short"]
    en_client.force_login(communications)
    url = reverse("recordings:findings", args=[track.recording_id, track.pk])
    first = en_client.get(url, {"rule": "too_short"})
    html = first.content.decode()
    assert first.status_code == 200 and len(first.content) < PAGE_LIMIT
    assert len(first.context["page"].object_list) == 100
    assert first.context["page"].paginator.count == len(too_short)
    assert too_short[0]["time"] in html and too_short[100]["time"] not in html
    assert "?rule=too_short&amp;page=2" in html
    last = en_client.get(url, {"rule": "too_short", "page": 5})
    assert too_short[-1]["time"] in last.content.decode()
    every = en_client.get(url)
    assert every.context["page"].paginator.count == len(track.findings)


def test_findings_page_needs_the_ability_and_the_right_recording(client, user, communications):
    track = _store(10)
    url = reverse("recordings:findings", args=[track.recording_id, track.pk])
    client.force_login(user)
    assert client.get(url).status_code == 403
    client.force_login(communications)
    other = RecordingFactory()
    wrong = reverse("recordings:findings", args=[other.pk, track.pk])
    assert client.get(wrong).status_code == 404


def test_summary_follows_the_findings_when_they_are_saved():
    track = _store(10)
    assert track.findings_summary == []
    track.findings = [{"code": "too_fast", "severity": "error", "time": "00:00:01.000"}] * 7
    track.save(update_fields=["findings"])
    track.refresh_from_db()
    assert [(g["code"], g["count"], len(g["examples"])) for g in track.findings_summary] == [
        ("too_fast", 7, 5)
    ]
