"""The main flows with the keyboard alone: Tab, Enter, Space and arrow keys, no clicks.

Focus must be visible on every control reached (tab_to asserts it), move to the error summary
after a form error, and a status message (role=status) must report each success."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, Registration, RegistrationStatus
from recordings import services
from recordings.demo import make_vtt
from tests.e2e.conftest import active, focus_is_visible, page_problems, tab_to
from tests.factories import HELSINKI, RecordingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEAMS_REPORT = Path(__file__).resolve().parent.parent / "fixtures" / "teams"


def _press(page, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _status_text(page) -> str:
    return " ".join(page.locator("[role=status]").all_inner_texts()).strip()


def test_member_finds_an_event_registers_and_cancels_by_keyboard(world, page, sign_in_as):
    sign_in_as(world.member)
    page.goto("/")
    tab_to(page, f"header a[href='{reverse('events:list')}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('events:list')}")
    tab_to(page, f"main a[href='{world.workshop.get_absolute_url()}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{world.workshop.get_absolute_url()}")
    tab_to(page, ".registration-box button[type=submit]")
    _press(page)
    assert _status_text(page), "no status message after registering"
    registration = Registration.objects.get(event=world.workshop, user=world.member)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert page_problems(page) == []  # the page in its "registered" state
    tab_to(page, ".registration-box button[type=submit]")
    _press(page, "Space")
    assert _status_text(page), "no status message after cancelling"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_guest_form_error_moves_focus_to_the_summary_and_links_to_the_field(world, page):
    page.goto(world.workshop.get_absolute_url())
    tab_to(page, ".registration-box button[type=submit]")
    _press(page)
    expect(page.locator("#error-summary")).to_be_focused()
    name = page.locator("#id_name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "id_name_error" in name.get_attribute("aria-describedby")
    assert page.locator("#id_name_error").inner_text().strip()
    assert "(" in page.locator("label[for=id_name]").inner_text()  # "(required)" in text
    tab_to(page, "#error-summary a[href='#id_name']")
    page.keyboard.press("Enter")
    assert active(page) == "id_name"


def test_calendar_subscription_by_keyboard(world, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/")
    tab_to(page, f"header a[href='{reverse('calendar:subscribe')}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('calendar:subscribe')}")
    tab_to(page, "#feed-all")
    address = page.locator("#feed-all").input_value()
    assert reverse("calendar:all") in address
    tab_to(page, "button[data-copy-target=feed-all]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-copy-status-for=feed-all]")).not_to_have_text("")
    tab_to(page, "a[href^='webcal:']")
    assert page.evaluate("document.activeElement.href").startswith("webcal://")


def _type_date(page, selector: str, day: dt.date) -> None:
    """Reach a date field by keyboard and enter a date. Headless Chromium's native date
    widget does not take typed digits reliably, so the value is filled (not clicked)."""
    tab_to(page, selector)
    page.fill(selector, day.isoformat())


# 1 December 2026, a Tuesday: a term from 30 days ahead to 8 weeks later has eight
# Wednesdays, one of them Epiphany (Loppiainen, 6 January 2027).
PLANNING_DAY = dt.datetime(2026, 12, 1, 12, 0, tzinfo=HELSINKI)


@pytest.fixture
def planning_day(page):
    """The server's clock (time-machine, ticking) and the page's (Playwright) on
    PLANNING_DAY, before the world is made and the first page loads."""
    with time_machine.travel(PLANNING_DAY, tick=True):
        page.clock.install(time=PLANNING_DAY)
        yield PLANNING_DAY


def test_organiser_schedules_a_term_by_keyboard(planning_day, world, page, sign_in_as):
    sign_in_as(world.organiser)
    page.goto(reverse("events:organise_plan_term"))
    assert page.evaluate("new Date().toISOString().slice(0, 10)") == "2026-12-01"
    tab_to(page, "button[value=preview]")
    _press(page)
    expect(page.locator("#error-summary")).to_be_focused()
    tab_to(page, "#id_series")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_series").input_value() == str(world.series.pk)
    first = timezone.localdate() + dt.timedelta(days=30)
    assert first == dt.date(2026, 12, 31)
    _type_date(page, "#id_first_date", first)
    _type_date(page, "#id_last_date", first + dt.timedelta(weeks=8))
    tab_to(page, "#id_publish")
    page.keyboard.press("Space")
    tab_to(page, "button[value=preview]")
    _press(page)
    assert _status_text(page) == "7 Kohtaamoa luodaan. 1 päivämäärä ohitetaan."
    rows = page.locator("main table tbody tr")
    assert rows.count() == 8
    assert " ".join(rows.nth(0).inner_text().split()) == "ke 6.1.2027 Ohitettu Loppiainen"
    assert page_problems(page) == []  # the preview
    before = set(Event.objects.filter(series=world.series).values_list("pk", flat=True))
    tab_to(page, "button[value=confirm]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/assign/**")
    assert _status_text(page) == "7 tilaisuutta luotiin."
    created = Event.objects.filter(series=world.series).exclude(pk__in=before)
    assert sorted(timezone.localtime(e.starts_at).date() for e in created) == [
        dt.date(2027, 1, 13) + dt.timedelta(weeks=week) for week in range(7)
    ]


def test_organiser_imports_attendance_by_keyboard(world, page, sign_in_as):
    sign_in_as(world.organiser)
    page.goto(reverse("events:organise_attendance_import", args=[world.past.pk]))
    page.set_input_files("input[type=file]", str(TEAMS_REPORT / "report_en-us_utf16_tab.csv"))
    tab_to(page, "button[value=preview]")
    _press(page)
    assert page.locator("main h2").first.is_visible()
    assert page_problems(page) == []  # the preview table
    # The report is of 22.7.2026, the session a week ago: confirm it with a reason.
    assert page.locator("#report-mismatch").is_visible()
    tab_to(page, "#id_confirm-belongs_to_event")
    page.keyboard.press("Space")
    tab_to(page, "#id_confirm-reason")
    page.keyboard.type("The session was moved; Teams kept the old meeting.")
    tab_to(page, "button[value=save]")
    _press(page)
    assert _status_text(page), "no status message after saving the attendance"
    assert world.past.attendance_imports.count() == 1


def test_communications_publishes_a_compliant_recording_by_keyboard(world, page, sign_in_as):
    recording = RecordingFactory(
        event=world.past,
        video_id="ready0001",
        platform="Youtube",
        uploaded_on=timezone.localdate(),
        duration_seconds=60,
    )
    track = services.store_track(
        recording=recording,
        language="fi",
        file_name="ok.vtt",
        content=make_vtt(60).encode(),
        by=world.communications,
    )
    services.approve_track(track=track, by=world.communications)
    sign_in_as(world.communications)
    page.goto(reverse("recordings:detail", args=[recording.pk]))
    tab_to(page, f"form[action='{reverse('recordings:publish', args=[recording.pk])}'] button")
    _press(page)
    assert _status_text(page), "no status message after publishing"
    recording.refresh_from_db()
    assert recording.publication_state == "published"


def _tab_through(page, stops: int = 60) -> list[str]:
    """Tab through the page; name every control whose focus cannot be seen."""
    hidden = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        if page.evaluate("!document.activeElement.matches(':focus')"):
            continue  # a native widget's inner part (date picker button): browser's own ring
        if not focus_is_visible(page):
            hidden.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    return hidden


def test_focus_is_visible_on_every_control_and_the_skip_link_shows(world, page, sign_in_as):
    page.goto(world.workshop.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert active(page, "className") == "skip-link"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 1, "the skip link stays off-screen on focus"
    _press(page)  # Enter on the skip link moves focus to the main content
    assert active(page) == "main"
    assert _tab_through(page) == []
    sign_in_as(world.organiser)
    for url in (reverse("events:organiser_home"), reverse("events:organise_plan_term")):
        page.goto(url)
        assert _tab_through(page) == [], url


def test_reduced_motion_is_respected(world, page):
    page.emulate_media(reduced_motion="reduce")
    page.goto(world.workshop.get_absolute_url())
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    assert page.evaluate("document.getAnimations().length") == 0
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
