"""The organiser's pages with Microsoft 365 configured: a term of weekly sessions planned for
a series that makes a Teams meeting for every session, one session moved and another
cancelled, and the meetings following (issue 17).

Graph is "configured" through the settings (the live server runs in this process) and the
microsoft365 meeting functions that events.meetings.services calls are replaced by a fake at
that boundary; the HTTP layer is tested against a stub server in tests/microsoft365/. The
sync itself runs as in production: an outbox row written in the change's transaction,
delivered after the commit (Celery eager here), before the next page loads."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from events.meetings import services as meeting_services
from events.models import Event, EventStatus, TeamsSyncState
from microsoft365.meetings import MeetingRef
from tests.e2e.conftest import page_problems
from tests.factories import HELSINKI

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Monday 1 February 2027: the term from 8 to 28 February has three Wednesdays and no
# public holiday.
PLANNING_DAY = dt.datetime(2027, 2, 1, 12, 0, tzinfo=HELSINKI)
TERM = (dt.date(2027, 2, 8), dt.date(2027, 2, 28))
SESSIONS = [dt.date(2027, 2, 10), dt.date(2027, 2, 17), dt.date(2027, 2, 24)]


class FakeMeetings:
    """create_meeting, update_meeting and cancel_meeting as events.meetings.services calls
    them; every call recorded, every meeting its own join URL."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def create_meeting(self, *, subject, start, end, body_html="", transaction_id=""):
        del body_html
        self.calls.append(("create", subject, start, end, transaction_id))
        n = len(self.of("create"))
        return MeetingRef(
            calendar_event_id=f"AAMk-e2e-{n}",
            online_meeting_id=f"MSo-e2e-{n}",
            join_url=f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_e2e{n}%40thread.v2/0",
        )

    def update_meeting(self, *, event_id, subject, start, end):
        self.calls.append(("update", event_id, subject, start, end))

    def cancel_meeting(self, *, event_id, comment=""):
        del comment
        self.calls.append(("cancel", event_id))
        return True

    def of(self, kind: str) -> list[tuple]:
        return [call for call in self.calls if call[0] == kind]


@pytest.fixture
def meetings(settings, monkeypatch):
    settings.GRAPH_TENANT_ID = "tenant"
    settings.GRAPH_CLIENT_ID = "client"
    settings.GRAPH_CLIENT_SECRET = "secret"
    settings.GRAPH_CERTIFICATE_PATH = ""
    settings.GRAPH_ORGANISER = "kohtaamo@county.example"
    fake = FakeMeetings()
    for name in ("create_meeting", "update_meeting", "cancel_meeting"):
        monkeypatch.setattr(meeting_services, name, getattr(fake, name))

    def never(*args, **kwargs):
        pytest.fail("attendance is not fetched in this flow")

    for name in ("find_online_meeting_id", "fetch_attendance"):
        monkeypatch.setattr(meeting_services, name, never)
    return fake


@pytest.fixture
def planning_day(page):
    """The server's clock (time-machine, ticking) and the page's on PLANNING_DAY, before
    the world is made and the first page loads."""
    with time_machine.travel(PLANNING_DAY, tick=True):
        page.clock.install(time=PLANNING_DAY)
        yield PLANNING_DAY


def _label(state: TeamsSyncState) -> str:
    with translation.override("fi"):  # the browser asks for Finnish
        return str(state.label)


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _teams_status(page) -> str:
    return " ".join(page.locator("#teams-status").inner_text().split())


def _every_session_gets_a_meeting(page, series) -> None:
    """Tick "Create a Teams meeting for every session" on the series page and save."""
    page.goto(reverse("events:organise_series_edit", args=[series.pk]))
    page.check("#id_teams_meetings_by_default")
    assert page_problems(page) == []  # the series form with its Teams choices
    _submit(page, "main form button[type=submit]")
    series.refresh_from_db()
    assert series.teams_meetings_by_default


def _plan_the_term(page, series) -> list[Event]:
    """Plan TERM for the series, published; the sessions made, in order."""
    page.goto(reverse("events:organise_plan_term"))
    page.select_option("#id_series", str(series.pk))
    page.fill("#id_first_date", TERM[0].isoformat())
    page.fill("#id_last_date", TERM[1].isoformat())
    page.check("#id_publish")
    _submit(page, "button[value=preview]")
    _submit(page, "button[value=confirm]")
    page.wait_for_url("**/assign/**")
    return sorted(
        Event.objects.filter(series=series, starts_at__date__gte=TERM[0]),
        key=lambda e: e.starts_at,
    )


def test_a_term_gets_a_meeting_per_session_and_the_meetings_follow(
    planning_day, meetings, world, page, sign_in_as
):
    sign_in_as(world.organiser)
    _every_session_gets_a_meeting(page, world.series)
    sessions = _plan_the_term(page, world.series)
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == SESSIONS
    assert len(meetings.of("create")) == 3  # sent after the commit, before the next page
    assert len({call[4] for call in meetings.of("create")}) == 3  # a transaction id each

    # Each session has its own meeting, in step, its join URL as the session's link.
    urls = set()
    for n, session in enumerate(sessions, start=1):
        page.goto(reverse("events:organise_event_edit", args=[session.pk]))
        assert _label(TeamsSyncState.OK) in _teams_status(page)
        assert page.locator("#id_teams_meeting_wanted").is_checked()
        url = page.locator("#id_meeting_url").input_value()
        assert url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_e2e")
        urls.add(url)
        if n == 1:
            assert page_problems(page) == []  # the edit page with its Teams meeting
    assert len(urls) == 3

    # Move the first session an hour later: its meeting is moved.
    moved, cancelled, kept = sessions
    page.goto(reverse("events:organise_event_edit", args=[moved.pk]))
    page.fill("#id_starts_at", f"{SESSIONS[0].isoformat()}T15:00")
    page.fill("#id_ends_at", f"{SESSIONS[0].isoformat()}T16:00")
    _submit(page, "main form:not([action]) button[type=submit]")
    new_start = dt.datetime.combine(SESSIONS[0], dt.time(15), tzinfo=HELSINKI)
    moved.refresh_from_db()
    assert moved.starts_at == new_start
    with translation.override("fi"):  # the subject is written in the request's language
        subject = moved.display_title
    assert meetings.of("update") == [
        (
            "update",
            moved.teams_calendar_event_id,
            subject,
            new_start,
            new_start + dt.timedelta(hours=1),
        )
    ]
    assert moved.teams_sync_state == TeamsSyncState.OK
    assert _label(TeamsSyncState.OK) in _teams_status(page)
    when = page.locator("#teams-status .meta").first.inner_text()
    assert when, "the time the change was last sent to Teams is shown"
    assert page_problems(page) == []  # the edit page after the move, with its change history

    # Cancel the second session: its meeting is cancelled.
    page.goto(reverse("events:organise_event_cancel", args=[cancelled.pk]))
    page.fill("#id_reason", "Alustaja sairastui.")
    _submit(page, "main form button[type=submit]")
    cancelled.refresh_from_db()
    assert cancelled.status == EventStatus.CANCELLED
    assert meetings.of("cancel") == [("cancel", cancelled.teams_calendar_event_id)]
    assert cancelled.teams_sync_state == TeamsSyncState.CANCELLED
    assert _label(TeamsSyncState.CANCELLED) in _teams_status(page)
    assert page_problems(page) == []

    # The third was not touched again.
    kept.refresh_from_db()
    assert kept.teams_sync_state == TeamsSyncState.OK
    assert [call[0] for call in meetings.calls] == ["create"] * 3 + ["update", "cancel"]
