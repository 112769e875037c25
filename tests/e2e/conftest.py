"""Real-browser tests: Playwright driving Debian's Chromium, axe-core from its package.

Chromium comes from the operating system (`make test` installs it when missing and
root). When it is absent the tests fail loudly under CI=true rather than skip.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from django.utils import timezone
from playwright.sync_api import sync_playwright

from accessibility import services as access
from accounts.roles import Role, grant_role
from events.models import EventKind, Feedback, RegistrationMode
from recordings import services as recording_services
from recordings.demo import make_vtt
from recordings.models import Availability
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    RecordingFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
    totp_code,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Playwright's sync API runs an event loop in this thread; the Django test
# database is used only from synchronous code here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """On SQLite the live server's threads share the test's one in-memory connection, and a page
    that loads several charts at once could hang two requests on it (seen under CI on the report
    page). There the live server answers one request at a time (and closes each connection);
    on PostgreSQL each thread has its own connection and the server stays threaded."""
    if connection.vendor != "sqlite":
        yield
        return

    class SequentialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):  # noqa: ARG002 - LiveServerThread passes it; WSGIServer must not get it
            super().__init__(*args, **kwargs)  # the server thread itself holds the override

    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = SequentialWSGIServer
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: the browser tests cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url, locale="fi-FI", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if "suite_date" in request.fixturenames or os.environ.get("KOHTAAMO_TEST_DATE"):
        # The server's clock is travelled (tests/conftest.py): the page's Date follows it.
        # Playwright's timeouts run on the real clock in its own process.
        page.clock.install(time=timezone.now())
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the real login form; staff also enter their authenticator code."""

    def _sign_in(user, password: str = "correct horse battery"):  # noqa: S107 - the test users' password
        page.goto("/accounts/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", password)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        if getattr(user, "totp_secret", None) and "/accounts/2fa/authenticate/" in page.url:
            page.fill("input[name=code]", totp_code(user))
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()

    return _sign_in


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """Run axe-core with the WCAG 2.1 A and AA rules (or only `rules`); describe each
    violation."""
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    results = Axe().run(page, options={"runOnly": only})
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} "
        f"– {node.get('failureSummary', '').splitlines()[-1:]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


# --- Page checks shared by the page walk and the flows -----------------------------------

SCROLL_WIDTH = "document.documentElement.scrollWidth"
NARROW_RULES = ["scrollable-region-focusable", "color-contrast"]  # WCAG 2.1 rules


def page_problems(page, *, lang: str = "fi") -> list[str]:
    """Everything wrong with the page in the browser: axe, lang, one h1, reflow at 320 px
    and at 200 % zoom (a 1280 px window at 200 % lays out like 640 CSS px)."""
    problems = axe_violations(page)
    actual_lang = page.locator("html").get_attribute("lang")
    if actual_lang != lang:
        problems.append(f"html[lang] is {actual_lang!r}, expected {lang!r}")
    headings = page.locator("h1").count()
    if headings != 1:
        problems.append(f"{headings} h1 elements, expected exactly one")
    size = page.viewport_size
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate(SCROLL_WIDTH)
        if scroll > width:
            problems.append(f"scrolls sideways at {width} px: scrollWidth {scroll}")
        if width == 320:  # tables scroll in their own box here: it must take keyboard focus
            problems += [f"at 320 px: {p}" for p in axe_violations(page, NARROW_RULES)]
    page.set_viewport_size(size)
    return problems


def focus_is_visible(page) -> bool:
    """The focused element draws a focus indicator (outline or box-shadow)."""
    return page.evaluate(
        """() => { const el = document.activeElement; if (!el || el === document.body) return false;
        const s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        return outline || (s.boxShadow && s.boxShadow !== 'none'); }"""
    )


def tab_to(page, selector: str, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (only the keyboard) until the element matching `selector` has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            assert focus_is_visible(page), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def active(page, prop: str = "id") -> str:
    return page.evaluate(f"() => document.activeElement && document.activeElement.{prop}")


@pytest.fixture
def sign_in_as(page, sign_in):
    """Sign in with the real form, then start from a page in a known state."""

    def _sign_in_as(user):
        sign_in(user)
        assert page.locator("form[action$='/logout/']").count() == 1, "sign-in failed"

    return _sign_in_as


# --- A small world with one of every kind of thing a page shows ---------------------------


def make_world():
    """Users in every role and demo-like objects for every page type."""
    w = SimpleNamespace()
    # Staff have an authenticator app: sign_in enters its code.
    w.organiser, w.communications, w.reporting = (UserFactory(with_totp=True) for _ in range(3))
    grant_role(w.organiser, Role.ORGANISER)
    grant_role(w.communications, Role.COMMUNICATIONS)
    grant_role(w.reporting, Role.REPORTING)
    w.admin = UserFactory(is_staff=True, is_superuser=True, with_totp=True)
    w.member = UserFactory(display_name="Jaana Jäsen")
    w.theme = ThemeFactory(title="Työkyvyn tuki", description="Miten työkykyä tuetaan.")
    w.series = SeriesFactory(name="Kohtaamot", weekday=2)
    w.network = NetworkFactory(name="Työhönvalmennuksen verkosto", description="Verkosto.")
    unit = OrganisationFactory(name="Työllisyyspalvelut")
    w.membership = MembershipFactory(
        network=w.network, user=w.member, organisation=unit, show_email=True
    )
    for _ in range(3):
        MembershipFactory(network=w.network, organisation=unit)
    w.network.coordinators.add(w.organiser)
    w.pending = MembershipFactory(network=w.network, status="pending", joined_on=None)
    w.invited = MembershipFactory(
        network=w.network,
        user=None,
        status="invited",
        invited_email="kutsuttu@example.fi",
        joined_on=None,
        invitation_token="kutsu-" + "x" * 40,
    )
    now = timezone.now()
    w.workshop = EventFactory(
        title="Työpaja: työkokeilu",
        theme=w.theme,
        capacity=20,
        description="Työpaja työkokeilusta.",
    )
    w.swedish = EventFactory(
        title="Arbetsförmåga i praktiken", language="sv", description="Ett seminarium på svenska."
    )
    w.dropin = EventFactory(  # in two days: before any term a test plans for the series
        kind=EventKind.KOHTAAMO,
        series=w.series,
        theme=w.theme,
        title="",
        registration_mode=RegistrationMode.DROP_IN,
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=1),
    )
    w.past = EventFactory(
        kind=EventKind.KOHTAAMO,
        series=w.series,
        theme=w.theme,
        title="",
        starts_at=now - dt.timedelta(days=7),
        ends_at=now - dt.timedelta(days=7, hours=-1),
    )
    w.past_registration = RegistrationFactory(event=w.past, user=w.member, attended=True)
    RegistrationFactory(event=w.past, user=None, name="Vieras", email="vieras@example.fi")
    RegistrationFactory(event=w.workshop)
    Feedback.objects.create(
        event=w.past,
        registration=w.past_registration,
        usefulness=5,
        recommend=9,
        comment="Hyödyllinen.",
    )
    today = timezone.localdate()
    w.faulty = RecordingFactory(
        title="Kohtaamo: virheelliset tekstitykset",
        video_id="faulty001",
        platform="Youtube",
        uploaded_on=today - dt.timedelta(days=3),
        is_live_recording=True,
        availability=Availability.PUBLIC,
        duration_seconds=60,
    )
    recording_services.store_track(
        recording=w.faulty,
        language="fi",
        file_name="faulty.vtt",
        content=make_vtt(60, faulty=True).encode(),
        by=w.communications,
    )
    w.published = RecordingFactory(
        event=w.past,
        title="Kohtaamo: työkyvyn tuki",
        video_id="good00001",
        platform="Youtube",
        uploaded_on=today - dt.timedelta(days=2),
        is_live_recording=True,
        availability=Availability.PUBLIC,
        duration_seconds=60,
    )
    track = recording_services.store_track(
        recording=w.published,
        language="fi",
        file_name="good.vtt",
        content=make_vtt(60).encode(),
        by=w.communications,
    )
    recording_services.approve_track(track=track, by=w.communications)
    access.publish(recording=w.published, by=w.communications)
    return w


@pytest.fixture
def world(transactional_db):
    return make_world()
