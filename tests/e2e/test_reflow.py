"""Reflow at 320 px and at 200 % zoom (640 CSS px): a wide table's caption is read in full
without scrolling the table, a status badge stays on one or two lines, headings hyphenate."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from recordings.models import Availability, TrackKind
from tests.e2e.conftest import axe_violations
from tests.factories import CaptionTrackFactory, RecordingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 640)

# Each caption's box against the visible part of its scroll box and the viewport.
CAPTIONS_OUT_OF_VIEW = """() => [...document.querySelectorAll('.table-scroll caption')]
  .filter((c) => c.offsetParent !== null)
  .map((c) => {
    const box = c.closest('.table-scroll').getBoundingClientRect();
    const r = c.getBoundingClientRect();
    const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5
      && r.right <= document.documentElement.clientWidth + 0.5 && r.left >= -0.5;
    const where = `${r.left}..${r.right} in ${box.left}..${box.right}`;
    return inside ? null : `${c.textContent.trim()}: ${where}`;
  }).filter(Boolean)"""


SCROLL_TABLES = """(to) => document.querySelectorAll('.table-scroll')
  .forEach((b) => { b.scrollLeft = to === 'end' ? b.scrollWidth : 0; })"""


def _captions_out_of_view(page) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        problems += [f"{width} px: {p}" for p in page.evaluate(CAPTIONS_OUT_OF_VIEW)]
        # Scrolled to the table's far end, the caption is still there to read.
        page.evaluate(SCROLL_TABLES, "end")
        problems += [f"{width} px, scrolled: {p}" for p in page.evaluate(CAPTIONS_OUT_OF_VIEW)]
        page.evaluate(SCROLL_TABLES, "start")
    return problems


REPORT = reverse("reports:attendance") + "?period=range&start=2020-01-01&end=2030-12-31&final=1"


# (role, page, how many captioned tables it has at least)
CAPTIONED = [("reporting", REPORT, 4), ("organiser", reverse("events:organiser_home"), 1)]


@pytest.mark.parametrize("captioned", CAPTIONED, ids=["reports", "organiser-home"])
def test_table_captions_are_read_in_full_at_320_px_and_200_percent(
    captioned, world, page, sign_in_as
):
    role, url, at_least = captioned
    sign_in_as(getattr(world, role))
    page.goto(url)
    assert page.locator(".table-scroll caption").count() >= at_least
    assert _captions_out_of_view(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_automatic_captions_badge_is_one_or_two_lines(
    language, world, page, live_server, sign_in_as
):
    recording = RecordingFactory(
        title="Kohtaamo: vain automaattiset",
        video_id="auto00001",
        platform="Youtube",
        uploaded_on=timezone.localdate() - dt.timedelta(days=1),
        availability=Availability.PUBLIC,
        duration_seconds=60,
    )
    CaptionTrackFactory(recording=recording, language="fi", kind=TrackKind.AUTOMATIC)
    sign_in_as(world.communications)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(reverse("recordings:dashboard"))
    row = page.locator("tr", has=page.locator(f"a[href$='/{recording.pk}/']")).first
    badge = row.locator(".badge").first
    if language == "fi":
        assert badge.text_content().strip() == "Vain automaattinen tekstitys"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        lines = badge.evaluate(
            "(b) => b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight)"
        )
        assert lines < 2.5, f"{badge.text_content()} takes {lines:.1f} lines at {width} px"
    assert axe_violations(page) == []


def test_headings_hyphenate_in_the_page_language(world, page, sign_in_as):
    sign_in_as(world.reporting)
    page.goto(REPORT)
    assert page.locator("html").get_attribute("lang") == "fi"
    hyphens = page.locator("h1").evaluate("(h) => getComputedStyle(h).hyphens")
    assert hyphens == "auto"
