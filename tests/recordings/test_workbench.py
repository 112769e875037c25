"""The caption workbench (recordings/workbench.py): a track's cues beside its video, one page
of cues at a time, each cue edited in place through `services.edit_cue` (real database)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from recordings.models import CaptionTrack, TrackKind, TrackStatus
from recordings.services import store_track
from recordings.workbench import CUES_PER_PAGE, CueTimeError, parse_time
from tests.factories import CaptionTrackFactory, RecordingFactory

from .conftest import long_track_vtt

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 300_000  # bytes of HTML
FAST = "Tämä on liian nopea luettavaksi."  # 32 characters in 1 s: 32 cps, an error
SMALL_VTT = f"""WEBVTT

00:00:01.000 --> 00:00:04.000
Hyvää huomenta kaikille.

00:00:05.000 --> 00:00:08.000
Tänään puhutaan työkyvystä.

00:00:09.000 --> 00:00:10.000
{FAST}

00:00:11.000 --> 00:00:13.000
Kiitos.
"""


def _store(content: str | bytes, **recording) -> CaptionTrack:
    recording = RecordingFactory(video_id="abc123", platform="Youtube", **recording)
    raw = content.encode() if isinstance(content, str) else content
    return store_track(recording=recording, language="fi", content=raw, file_name="fi.vtt")


@pytest.fixture
def small():
    return _store(SMALL_VTT, duration_seconds=14)


def url_of(track: CaptionTrack, **query) -> str:
    url = reverse("recordings:workbench", args=[track.recording_id, track.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def edit_url(track: CaptionTrack, index: int) -> str:
    return reverse("recordings:workbench_cue_edit", args=[track.recording_id, track.pk, index])


def edit_data(track: CaptionTrack, index: int, **fields) -> dict:
    values = {
        "text": "Liian nopea.",
        "start": "00:00:09.000",
        "end": "00:00:10.000",
        "note": "",
        "expected_version": track.version_count,
        "cue": index,
        **fields,
    }
    return {f"cue-{index}-{name}": value for name, value in values.items()}


# --- who may open it -----------------------------------------------------------------------


@pytest.fixture
def people(user, reporting, organiser, communications):
    return {"member": user, "reporting": reporting, "organiser": organiser, "comms": communications}


def test_only_recording_staff_open_the_workbench(client, small, people):
    url = url_of(small)
    assert client.get(url).status_code == 302  # to sign-in
    assert client.post(edit_url(small, 2), edit_data(small, 2)).status_code == 302
    answers = {"member": 403, "reporting": 403, "organiser": 200, "comms": 200}
    for name, status in answers.items():
        client.force_login(people[name])
        assert client.get(url).status_code == status
    for name in ("member", "reporting"):
        client.force_login(people[name])
        assert client.post(edit_url(small, 2), edit_data(small, 2)).status_code == 403
    small.refresh_from_db()
    assert FAST in small.vtt  # nobody without the right changed anything


def test_automatic_tracks_and_tracks_of_another_recording_are_not_found(client, communications):
    client.force_login(communications)
    track = _store(SMALL_VTT, duration_seconds=14)
    automatic = CaptionTrackFactory(
        recording=track.recording, kind=TrackKind.AUTOMATIC, language="en"
    )
    other = RecordingFactory()
    assert client.get(url_of(automatic)).status_code == 404
    wrong = reverse("recordings:workbench", args=[other.pk, track.pk])
    assert client.get(wrong).status_code == 404
    wrong_edit = reverse("recordings:workbench_cue_edit", args=[other.pk, track.pk, 0])
    assert client.post(wrong_edit, edit_data(track, 0)).status_code == 404
    assert client.get(edit_url(track, 0)).status_code == 405


# --- the page ----------------------------------------------------------------------------


def test_the_page_shows_the_video_the_cues_and_each_cue_s_findings(
    en_client, small, communications, settings
):
    settings.YOUTUBE_IFRAME_API_URL = "https://www.youtube.com/iframe_api"
    en_client.force_login(communications)
    response = en_client.get(url_of(small))
    html = response.content.decode()
    assert response.status_code == 200
    iframe = re.search(r'<iframe id="workbench-video" src="([^"]+)" title="([^"]+)"', html)
    assert iframe is not None
    src = iframe.group(1).replace("&amp;", "&")
    assert src.startswith("https://www.youtube-nocookie.com/embed/abc123?")
    assert "enablejsapi=1" in src and "cc_load_policy=0" in src
    assert "origin=http%3A%2F%2Ftestserver" in src
    assert iframe.group(2) == f"Video: {small.recording}"
    assert 'data-iframe-api="https://www.youtube.com/iframe_api"' in html
    assert 'aria-live="off"' in html
    rows = response.context["rows"]
    assert [row.number for row in rows] == [1, 2, 3, 4]
    assert [row.start for row in rows][2] == "00:00:09.000"
    assert [f["code"] for f in rows[2].findings] == ["too_fast"]  # matched by the cue's line
    assert all(not row.findings for row in (rows[0], rows[1], rows[3]))
    assert html.count('data-start-ms="9000"') == 1 and "Play from here" in html
    assert "<summary>Edit cue 3</summary>" in html
    # grouped by rule at the top, the example linking to its cue
    assert '<a href="?cue=2#cue-2">Cue 3 (00:00:09.000)</a>' in html
    assert "Reading speed 32.0 characters per second" in html
    assert 'name="action" value="approve"' not in html  # errors: nothing to approve


def test_a_video_elsewhere_is_a_link_not_an_embed(en_client, communications):
    track = _store(SMALL_VTT, duration_seconds=14)
    track.recording.platform, track.recording.url = "Vimeo", "https://vimeo.com/1"
    track.recording.save()
    en_client.force_login(communications)
    html = en_client.get(url_of(track)).content.decode()
    assert "<iframe" not in html
    assert 'href="https://vimeo.com/1"' in html


def test_a_cue_opens_the_page_that_holds_it(en_client, communications):
    track = _store(long_track_vtt(120), duration_seconds=121)
    en_client.force_login(communications)
    first = en_client.get(url_of(track))
    assert [r.index for r in first.context["rows"]] == list(range(CUES_PER_PAGE))
    response = en_client.get(url_of(track, cue=100))
    html = response.content.decode()
    assert response.context["page"].number == 3
    assert response.context["rows"][0].index == 100 and len(response.context["rows"]) == 20
    assert 'data-focus-cue="100"' in html and 'id="cue-100"' in html
    assert 'id="cue-99"' not in html
    assert [f["code"] for f in response.context["rows"][0].findings] == ["too_fast"]
    assert en_client.get(url_of(track, page=2)).context["rows"][0].index == 50
    beyond = en_client.get(url_of(track, cue=5000))
    assert beyond.status_code == 200 and "data-focus-cue" not in beyond.content.decode()


def test_approve_form_carries_the_version_it_shows(en_client, communications):
    track = _store(SMALL_VTT.replace(FAST, "Liian nopea."), duration_seconds=14)
    assert track.error_count == 0
    en_client.force_login(communications)
    html = en_client.get(url_of(track)).content.decode()
    approve = reverse("recordings:review", args=[track.recording_id, track.pk])
    form = re.search(rf'<form method="post" action="{approve}".*?</form>', html, re.DOTALL)
    assert form is not None
    assert f'name="expected_version" value="{track.version_count}"' in form.group(0)
    assert f"Approve version {track.version_count}" in form.group(0)


def test_approving_from_the_workbench_comes_back_to_it(en_client, communications):
    track = _store(SMALL_VTT.replace(FAST, "Liian nopea."), duration_seconds=14)
    en_client.force_login(communications)
    review = reverse("recordings:review", args=[track.recording_id, track.pk])

    response = en_client.post(
        review, {"action": "approve", "expected_version": track.version_count, "back": "workbench"}
    )

    assert response.status_code == 302
    assert response["Location"] == url_of(track)
    track.refresh_from_db()
    assert track.status == "approved"


# --- editing a cue -------------------------------------------------------------------------


def test_fixing_a_cue_saves_a_new_version_rechecks_and_goes_back_to_the_cue(
    en_client, small, communications
):
    en_client.force_login(communications)
    version = small.version_count
    assert small.error_count == 1
    response = en_client.post(
        edit_url(small, 2), edit_data(small, 2, note="Lyhennetty"), follow=True
    )
    assert response.redirect_chain[0] == (url_of(small, cue=2) + "#cue-2", 302)
    small.refresh_from_db()
    assert small.version_count == version + 1
    assert "Liian nopea." in small.vtt and FAST not in small.vtt
    assert small.error_count == 0
    assert not response.context["rows"][2].findings
    assert response.context["rows"][2].text_lines == ["Liian nopea."]
    shown = [str(m) for m in response.context["messages"]]
    expected = (
        f"Cue 3 saved as version {version + 1}. Checked again: errors 0, warnings 0. "
        "This cue has no findings now."
    )
    assert shown == [expected]
    row = re.search(r'<li class="cue" id="cue-2".*?</li>', response.content.decode(), re.DOTALL)
    assert expected in row.group(0)  # also where the focus lands
    assert 'name="action" value="approve"' in response.content.decode()  # now approvable
    version_row = small.versions.get(number=version + 1)
    assert version_row.note == "Lyhennetty" and version_row.made_by == communications


def test_an_edit_that_leaves_findings_says_so(en_client, small, communications):
    en_client.force_login(communications)
    data = edit_data(small, 2, text=FAST, end="00:00:10.500")  # 21.3 cps: still too fast
    response = en_client.post(edit_url(small, 2), data, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert "errors 1" in message
    assert "This cue still has findings: Reading speed 21.3 characters per second" in message


def test_a_bad_time_is_refused_with_the_field_described_and_nothing_saved(
    en_client, small, communications
):
    en_client.force_login(communications)
    before = (small.vtt, small.version_count)
    response = en_client.post(edit_url(small, 2), edit_data(small, 2, start="9 o'clock"))
    html = response.content.decode()
    assert response.status_code == 400
    small.refresh_from_db()
    assert (small.vtt, small.version_count) == before
    message = "Write the time as hours:minutes:seconds.milliseconds, for example 00:01:02.500."
    field = re.search(r'<input type="text" name="cue-2-start"[^>]*>', html)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="id_cue-2-start_helptext id_cue-2-start_error"' in field.group(0)
    assert f'<div class="error" id="id_cue-2-start_error"><p>{message}</p></div>' in html
    assert '<details class="cue-edit" open>' in html and html.count(" open>") == 1
    assert "9 o&#x27;clock" in html  # what was typed is kept


def test_the_service_s_refusal_is_shown_at_the_form(en_client, small, communications):
    en_client.force_login(communications)
    data = edit_data(small, 2, start="00:00:10.000", end="00:00:09.000")
    response = en_client.post(edit_url(small, 2), data)
    assert response.status_code == 400
    errors = response.context["rows"][2].form.non_field_errors()
    assert len(errors) == 1
    small.refresh_from_db()
    assert FAST in small.vtt


def test_a_stale_version_is_refused_and_the_form_then_targets_the_current_one(
    en_client, small, communications
):
    en_client.force_login(communications)
    stale = edit_data(small, 2)
    # Someone else saves cue 1 first.
    en_client.post(edit_url(small, 0), edit_data(small, 0, text="Huomenta.", start="1", end="4"))
    small.refresh_from_db()
    current = small.version_count
    response = en_client.post(edit_url(small, 2), stale)
    assert response.status_code == 400
    form = response.context["rows"][2].form
    assert form.non_field_errors()
    assert f'name="cue-2-expected_version" value="{current}"' in response.content.decode()
    small.refresh_from_db()
    assert small.version_count == current and FAST in small.vtt
    again = en_client.post(edit_url(small, 2), edit_data(small, 2))
    assert again.status_code == 302
    small.refresh_from_db()
    assert small.error_count == 0


def test_editing_an_approved_track_needs_a_new_approval(en_client, communications):
    track = _store(SMALL_VTT.replace(FAST, "Liian nopea."), duration_seconds=14)
    en_client.force_login(communications)
    review = reverse("recordings:review", args=[track.recording_id, track.pk])
    en_client.post(review, {"action": "approve", "expected_version": track.version_count})
    track.refresh_from_db()
    assert track.status == TrackStatus.APPROVED
    en_client.post(edit_url(track, 3), edit_data(track, 3, text="Kiitos!", start="11", end="13"))
    track.refresh_from_db()
    assert track.status != TrackStatus.APPROVED


# --- size and queries ----------------------------------------------------------------------


@pytest.mark.parametrize("cues", [10, 63_000])
def test_the_page_s_queries_and_size_stay_fixed(
    en_client, communications, django_assert_num_queries, cues
):
    track = _store(long_track_vtt(cues), duration_seconds=cues + 1)
    en_client.force_login(communications)
    en_client.get(url_of(track))  # warm the session and the role caches
    with django_assert_num_queries(4):  # session, user, roles, the track with its recording
        response = en_client.get(url_of(track, cue=cues - 1))
    assert response.status_code == 200
    assert len(response.content) < PAGE_LIMIT
    assert response.context["cue_count"] == cues


# --- times as people write them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("00:01:02.500", 62_500),
        ("1:02:03,5", 3_723_500),
        ("01:02.25", 62_250),
        ("62.5", 62_500),
        (" 00:00:09 ", 9_000),
        ("10:00:00.000", 36_000_000),
    ],
)
def test_times_are_read_as_written(text, ms):
    assert parse_time(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "1:60:00", "00:61", "1:2:3:4", "1.2345", "-1", "1:ab"])
def test_unreadable_times_are_refused(text):
    with pytest.raises(CueTimeError):
        parse_time(text)


def test_the_approve_form_of_an_older_page_approves_nothing(en_client, communications):
    track = _store(SMALL_VTT.replace(FAST, "Liian nopea."), duration_seconds=14)
    en_client.force_login(communications)
    html = en_client.get(url_of(track)).content.decode()
    shown = int(re.search(r'name="expected_version" value="(\d+)"', html).group(1))
    # The cue is edited in another tab before the approve button of this page is pressed.
    en_client.post(edit_url(track, 3), edit_data(track, 3, text="Kiitos!", start="11", end="13"))
    review = reverse("recordings:review", args=[track.recording_id, track.pk])
    en_client.post(review, {"action": "approve", "expected_version": shown})
    track.refresh_from_db()
    assert track.status != TrackStatus.APPROVED and track.approved_version is None


def test_only_the_workbench_lets_the_player_api_script_run(en_client, communications, settings):
    settings.YOUTUBE_IFRAME_API_URL = "https://www.youtube.com/iframe_api"
    track = _store(SMALL_VTT, duration_seconds=14)
    en_client.force_login(communications)

    bench = en_client.get(url_of(track))
    detail = en_client.get(reverse("recordings:detail", args=[track.recording_id]))

    assert "script-src 'self' https://www.youtube.com" in bench["Content-Security-Policy"]
    assert "https://www.youtube.com" not in detail["Content-Security-Policy"]
    assert "default-src 'self'" in detail["Content-Security-Policy"]
