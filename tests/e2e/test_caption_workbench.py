"""The caption workbench in a real browser, by keyboard alone: play the video from a cue, fix
a cue that is read too fast, see it checked again, approve the fixed version.

The YouTube IFrame Player API is a small stub served from 127.0.0.1 (pytest-httpserver) that
records the calls the page makes (`window.__ytCalls`); the embed itself (youtube-nocookie.com)
is answered in the browser with a blank page, and any other request that would leave the
machine is aborted and reported. The Content-Security-Policy is the page's own, with the
stub's origin in place of https://www.youtube.com."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from recordings.models import CaptionTrack
from recordings.services import store_track
from tests.e2e.conftest import page_problems, tab_to
from tests.factories import RecordingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAST = "Tämä on liian nopea luettavaksi."  # 32 characters in 1 s: too fast (an error)
FIXED = "Liian nopea."
VTT = f"""WEBVTT

00:00:01.000 --> 00:00:04.000
Hyvää huomenta kaikille.

00:00:05.000 --> 00:00:08.000
Tänään puhutaan työkyvystä.

00:00:09.000 --> 00:00:10.000
{FAST}

00:00:11.000 --> 00:00:13.000
Kiitos.
"""

# The IFrame Player API as the page uses it: a Player on an existing iframe, its events, and
# seekTo / playVideo / getCurrentTime / getPlayerState; every call is recorded.
STUB_API = """
window.__ytCalls = [];
(function () {
  function Player(element, options) {
    var self = this, time = 0, state = -1, events = (options && options.events) || {};
    window.__ytCalls.push(["Player", element.id]);
    self.seekTo = function (seconds, allowSeekAhead) {
      window.__ytCalls.push(["seekTo", seconds, allowSeekAhead]); time = seconds;
    };
    self.playVideo = function () {
      window.__ytCalls.push(["playVideo"]); state = 1;
      if (events.onStateChange) { events.onStateChange({ data: 1, target: self }); }
    };
    self.getCurrentTime = function () { return time; };
    self.getPlayerState = function () { return state; };
    setTimeout(function () { if (events.onReady) { events.onReady({ target: self }); } }, 0);
  }
  window.YT = { Player: Player, PlayerState: { PLAYING: 1, PAUSED: 2 } };
  if (typeof window.onYouTubeIframeAPIReady === "function") { window.onYouTubeIframeAPIReady(); }
})();
"""
LOCAL = ("http://localhost:", "http://127.0.0.1:")
BLANK = "<!doctype html><title>.</title>"


@pytest.fixture
def iframe_api(httpserver, settings):
    """The stub API on 127.0.0.1, in the setting and in the Content-Security-Policy."""
    httpserver.expect_request("/iframe_api").respond_with_data(
        STUB_API, content_type="text/javascript"
    )
    url = httpserver.url_for("/iframe_api")
    settings.YOUTUBE_IFRAME_API_URL = url  # the page's policy lets scripts of its origin run
    return url


@pytest.fixture
def offline(page):
    """Requests that would leave 127.0.0.1: the embed gets a blank page, the rest is aborted.
    Returns the list of what was attempted besides the embed."""
    attempted: list[str] = []

    def answer(route):
        url = route.request.url
        if url.startswith("https://www.youtube-nocookie.com/"):
            route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>.</title>"
            )
        else:
            attempted.append(url)
            route.abort()

    page.context.route(lambda url: not url.startswith(LOCAL), answer)
    return attempted


@pytest.fixture
def track(transactional_db) -> CaptionTrack:
    recording = RecordingFactory(
        title="Kohtaamo: työkyky", video_id="wbvideo01", platform="Youtube", duration_seconds=14
    )
    return store_track(recording=recording, language="fi", content=VTT.encode(), file_name="fi.vtt")


@pytest.fixture
def bench(offline, track, communications, page, sign_in_as) -> SimpleNamespace:
    """Signed in as communications staff; the workbench's address for the track."""
    sign_in_as(communications)
    url = reverse("recordings:workbench", args=[track.recording_id, track.pk])
    return SimpleNamespace(page=page, track=track, url=url, offline=offline)


def _calls(page) -> list:
    return page.evaluate("() => window.__ytCalls || []")


def _fi(message: str) -> str:
    with translation.override("fi"):  # the browser asks for Finnish
        return gettext(message)


@pytest.mark.usefixtures("iframe_api")
def test_play_fix_and_approve_a_cue_by_keyboard(bench):
    page, track = bench.page, bench.track
    version = track.version_count
    page.goto(bench.url)
    play = "#cue-2 button[data-start-ms]"
    page.wait_for_selector(play, state="visible")  # the player API is ready
    assert _calls(page) == [["Player", "workbench-video"]]
    assert page_problems(page) == []  # axe, one h1, reflow at 320 px and at 200 %

    # Play from the too-fast cue: the player seeks to its start and plays; the caption of
    # the moment appears under the video and its row is marked current.
    tab_to(page, play)
    page.keyboard.press("Enter")
    assert _calls(page)[1:] == [["seekTo", 9, True], ["playVideo"]]
    page.wait_for_function(
        "() => document.querySelector('#cue-2').getAttribute('aria-current') === 'true'"
    )
    assert page.locator("#current-cue").inner_text() == FAST
    assert page.locator("[aria-current=true]").count() == 1

    # Open "Edit cue 3" with Enter, shorten the text, save with Enter.
    tab_to(page, "#cue-2 summary")
    page.keyboard.press("Enter")
    assert page.locator("#cue-2 details").get_attribute("open") is not None
    assert page_problems(page) == []  # with the edit form open
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_cue-2-text"
    page.keyboard.press("Control+A")
    page.keyboard.type(FIXED)
    tab_to(page, "#cue-2 form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Back at the same cue: the new text, the new version, the re-check said, no finding.
    assert page.evaluate("() => document.activeElement.id") == "cue-2"
    assert page.locator("#cue-2 .cue-text").inner_text() == FIXED
    assert page.locator("#cue-2 .cue-findings").count() == 0
    assert str(version + 1) in page.locator("#track-version").inner_text()
    message = page.locator(".messages").inner_text()
    assert _fi("This cue has no findings now.") in message
    track.refresh_from_db()
    assert track.version_count == version + 1 and track.error_count == 0
    assert FIXED in track.vtt and FAST not in track.vtt
    assert page_problems(page) == []

    # The fixed version is the one approved.
    tab_to(page, "button[name=action][value=approve]", backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    track.refresh_from_db()
    assert track.status == "approved"
    assert track.approved_version.number == version + 1
    assert FIXED in track.approved_version.vtt
    assert bench.offline == [], "requests tried to leave 127.0.0.1"


def test_without_the_player_api_the_page_says_so_and_the_cues_still_work(
    httpserver, settings, bench
):
    page = bench.page
    httpserver.expect_request("/iframe_api").respond_with_data("", status=404)
    url = httpserver.url_for("/iframe_api")
    settings.YOUTUBE_IFRAME_API_URL = url
    page.goto(bench.url + "?cue=2")
    status = page.locator("#player-status")
    failed = status.get_attribute("data-failed")
    page.wait_for_function(
        "(text) => document.querySelector('#player-status').textContent === text", arg=failed
    )
    assert page.locator("button[data-start-ms]:visible").count() == 0
    assert page.evaluate("() => document.activeElement.id") == "cue-2"  # ?cue= focuses it
    tab_to(page, "#cue-2 summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type(FIXED)
    tab_to(page, "#cue-2 form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#cue-2 .cue-text").inner_text() == FIXED
    assert bench.offline == []
