"""Teams meetings of events (events/meetings/): created, moved and cancelled with the event,
and their attendance fetched into the file import's checks.

Graph is "configured" through the settings and the microsoft365 functions that
events.meetings.services calls are replaced by fakes at that boundary; the HTTP layer itself
is tested against a stub server in tests/microsoft365/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry
from events.attendance import services as attendance_services
from events.attendance import teams
from events.meetings import services as meeting_services
from events.meetings import tasks as meeting_tasks
from events.meetings.selectors import due_teams_attendance
from events.models import (
    AttendanceImport,
    Event,
    EventFormat,
    EventStatus,
    Registration,
    TeamsAttendanceState,
    TeamsSyncState,
)
from events.planning import services as planning_services
from events.planning.forms import EventForm, SeriesForm
from kohtaamo.celery import TransientError
from microsoft365.errors import NOT_FOUND, NOT_READY, THROTTLED, GraphError
from microsoft365.meetings import MeetingRef
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import deliver
from tests.events.test_list_queries import ATTENDANCE_IMPORT_QUERIES, EVENT_EDIT_QUERIES
from tests.factories import HELSINKI, EventFactory, RegistrationFactory, SeriesFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "teams"
SYNC_TASK = "events.tasks.sync_teams_meeting"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


class FakeGraph:
    """The microsoft365 functions events.meetings.services calls, recording every call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.sent: list[dict] = []  # the other arguments of the calls
        self.fail: dict[str, GraphError] = {}
        self.reports = None  # what fetch_attendance "returns"
        self.report: teams.TeamsReport | None = None  # what to_teams_report gives

    def create_meeting(self, *, subject, start, end, body_html="", transaction_id=""):
        self.calls.append(("create", subject, start, end))
        self.sent.append({"body_html": body_html, "transaction_id": transaction_id})
        self._maybe_fail("create")
        n = sum(1 for c in self.calls if c[0] == "create")
        return MeetingRef(
            calendar_event_id=f"AAMk-{n}",
            online_meeting_id=f"MSo-{n}",
            join_url=f"https://teams.microsoft.com/l/meetup-join/meeting-{n}",
        )

    def update_meeting(self, *, event_id, subject, start, end):
        self.calls.append(("update", event_id, subject, start, end))
        self._maybe_fail("update")

    def cancel_meeting(self, *, event_id, comment=""):
        self.calls.append(("cancel", event_id))
        self.sent.append({"comment": comment})
        self._maybe_fail("cancel")
        return True

    def find_online_meeting_id(self, *, join_url):
        self.calls.append(("find", join_url))
        return "MSo-found"

    def fetch_attendance(self, *, online_meeting_id="", join_url=""):
        self.calls.append(("fetch", online_meeting_id))
        self.sent.append({"join_url": join_url})
        self._maybe_fail("fetch")
        return self.reports

    def to_teams_report(self, fetched, *, title=""):
        assert fetched is self.reports
        self.sent.append({"title": title})
        return self.report

    def fingerprint(self, fetched):
        assert fetched is self.reports
        return "f" * 64

    def _maybe_fail(self, step: str) -> None:
        if step in self.fail:
            raise self.fail[step]

    def of(self, kind: str) -> list[tuple]:
        return [c for c in self.calls if c[0] == kind]


@pytest.fixture
def graph(settings, monkeypatch):
    settings.GRAPH_TENANT_ID = "tenant"
    settings.GRAPH_CLIENT_ID = "client"
    settings.GRAPH_CLIENT_SECRET = "secret"
    settings.GRAPH_CERTIFICATE_PATH = ""
    settings.GRAPH_ORGANISER = "kohtaamo@county.example"
    fake = FakeGraph()
    for name in (
        "create_meeting",
        "update_meeting",
        "cancel_meeting",
        "find_online_meeting_id",
        "fetch_attendance",
        "to_teams_report",
        "fingerprint",
    ):
        monkeypatch.setattr(meeting_services, name, getattr(fake, name))
    return fake


@pytest.fixture
def no_graph(settings, monkeypatch):
    """No Graph configuration; any Graph call fails the test."""
    for name in ("GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET", "GRAPH_ORGANISER"):
        setattr(settings, name, "")
    settings.GRAPH_CERTIFICATE_PATH = ""

    def never(*args, **kwargs):
        pytest.fail("a Graph function was called without configuration")

    for name in ("create_meeting", "update_meeting", "cancel_meeting", "fetch_attendance"):
        monkeypatch.setattr(meeting_services, name, never)


@pytest.fixture
def staff_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def deliver_sync_rows() -> int:
    """Deliver every pending Teams sync row, as the worker would after commit."""
    rows = list(
        OutboxMessage.objects.filter(task=SYNC_TASK, status=OutboxStatus.PENDING).order_by("pk")
    )
    for row in rows:
        deliver(message_id=row.pk)
    return len(rows)


def _term(series, count: int = 3) -> list[dt.date]:
    first = timezone.localdate() + dt.timedelta(days=30)
    return [first + dt.timedelta(weeks=i) for i in range(count)]


def _plan(series, organiser, count: int = 3) -> list[Event]:
    return planning_services.create_series_sessions(
        series=series, dates=_term(series, count), by=organiser, status=EventStatus.PUBLISHED
    )


# --- Meetings follow the sessions


def test_a_planned_term_gets_one_meeting_per_session_and_they_follow(graph, organiser):
    series = SeriesFactory(format=EventFormat.ONLINE, teams_meetings_by_default=True)
    sessions = _plan(series, organiser)
    assert all(s.teams_meeting_wanted for s in sessions)
    rows = OutboxMessage.objects.filter(task=SYNC_TASK)
    assert rows.count() == len(sessions) == 3
    assert sorted(r.args[0] for r in rows) == sorted(s.pk for s in sessions)
    assert not graph.calls  # nothing is sent before the commit

    assert deliver_sync_rows() == 3
    assert len(graph.of("create")) == 3
    ids = [sent["transaction_id"] for sent in graph.sent if "transaction_id" in sent]
    assert len(set(ids)) == 3  # a repeated create of one session is recognised by Graph
    urls = set()
    for session in sessions:
        session.refresh_from_db()
        assert session.teams_sync_state == TeamsSyncState.OK
        assert session.teams_calendar_event_id.startswith("AAMk-")
        assert session.teams_online_meeting_id.startswith("MSo-")
        assert session.meeting_url.startswith("https://teams.microsoft.com/l/meetup-join/meet")
        assert session.sequence == 1  # the link changed: calendars follow
        urls.add(session.meeting_url)
    assert len(urls) == 3  # each session its own meeting
    assert AuditEntry.objects.filter(action="event.teams_meeting_created").count() == 3
    assert deliver_sync_rows() == 0  # delivered once

    moved, cancelled, kept = sessions
    new_start = moved.starts_at + dt.timedelta(hours=1)
    planning_services.update_event(
        event=moved, by=organiser, starts_at=new_start, ends_at=new_start + dt.timedelta(hours=1)
    )
    planning_services.cancel_event(event=cancelled, by=organiser, reason="Presenter ill")
    assert deliver_sync_rows() == 2
    with translation.override(moved.language):  # the event's language, not the request's
        subject = str(moved.display_title)
    assert subject == "Kohtaamo"  # a session without a title: its kind, in Finnish
    assert graph.of("update") == [
        (
            "update",
            moved.teams_calendar_event_id,
            subject,
            new_start,
            new_start + dt.timedelta(hours=1),
        )
    ]
    assert graph.of("cancel") == [("cancel", cancelled.teams_calendar_event_id)]
    cancelled.refresh_from_db()
    assert cancelled.teams_sync_state == TeamsSyncState.CANCELLED
    kept.refresh_from_db()
    assert kept.teams_sync_state == TeamsSyncState.OK
    assert len(graph.calls) == 5  # the kept session was not touched again


def test_a_run_that_finds_nothing_new_sends_nothing(graph, organiser):
    event = planning_services.create_event(
        by=organiser,
        kind="workshop",
        title="Työpaja",
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_at=timezone.now() + dt.timedelta(days=3, hours=1),
        format=EventFormat.ONLINE,
        teams_meeting_wanted=True,
    )
    deliver_sync_rows()
    assert meeting_services.sync_teams_meeting(event_id=event.pk) == "unchanged"
    planning_services.update_event(event=event, by=organiser, description="More text")
    assert deliver_sync_rows() == 0  # nothing the meeting shows changed: no row
    planning_services.update_event(event=event, by=organiser, title="Työpaja 2")
    deliver_sync_rows()
    assert [c[0] for c in graph.calls] == ["create", "update"]
    assert graph.of("update")[0][2] == "Työpaja 2"


def test_a_meeting_deleted_in_teams_is_stored_and_shown_not_raised(graph, organiser, staff_client):
    event = EventFactory(format=EventFormat.ONLINE, teams_meeting_wanted=True)
    planning_services.publish_event(event=event, by=organiser)  # already published: no-op
    meeting_services.sync_teams_meeting(event_id=event.pk)
    event.refresh_from_db()
    graph.fail["update"] = GraphError(NOT_FOUND)
    start = event.starts_at + dt.timedelta(days=1)
    planning_services.update_event(
        event=event, by=organiser, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    assert deliver_sync_rows() == 1
    event.refresh_from_db()
    assert event.teams_sync_state == TeamsSyncState.FAILED
    assert event.teams_sync_error == str(GraphError(NOT_FOUND).message)
    assert "no longer has this meeting" in event.teams_sync_error
    assert not OutboxMessage.objects.filter(task=SYNC_TASK, status=OutboxStatus.PENDING).exists()
    response = staff_client.get(reverse("events:organise_event_edit", args=[event.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Teams could not be updated" in body
    assert "no longer has this meeting" in body


def test_throttling_is_stored_and_retried_by_the_one_policy(graph, organiser):
    event = EventFactory(format=EventFormat.ONLINE, teams_meeting_wanted=True)
    graph.fail["create"] = GraphError(THROTTLED)
    with pytest.raises(TransientError):
        meeting_services.sync_teams_meeting(event_id=event.pk)
    event.refresh_from_db()
    assert event.teams_sync_state == TeamsSyncState.FAILED
    assert "limiting the number of requests" in event.teams_sync_error
    del graph.fail["create"]
    assert meeting_tasks.sync_teams_meeting.run(event.pk, "retry") == "created"


def test_no_longer_wanted_cancels_the_meeting_and_its_link_goes(graph, organiser):
    event = EventFactory(format=EventFormat.ONLINE, teams_meeting_wanted=True)
    meeting_services.sync_teams_meeting(event_id=event.pk)
    event.refresh_from_db()
    calendar_id = event.teams_calendar_event_id
    planning_services.update_event(event=event, by=organiser, teams_meeting_wanted=False)
    deliver_sync_rows()
    event.refresh_from_db()
    assert graph.of("cancel") == [("cancel", calendar_id)]
    assert (event.teams_calendar_event_id, event.meeting_url) == ("", "")
    assert event.teams_sync_state == TeamsSyncState.NONE


def test_an_in_person_event_cannot_want_a_teams_meeting(graph, organiser):
    with pytest.raises(planning_services.EventValidationError):
        planning_services.create_event(
            by=organiser,
            kind="workshop",
            starts_at=timezone.now() + dt.timedelta(days=3),
            ends_at=timezone.now() + dt.timedelta(days=3, hours=1),
            format=EventFormat.IN_PERSON,
            place="Kirjasto",
            teams_meeting_wanted=True,
        )


def test_the_forms_offer_teams_with_graph(graph):
    assert "teams_meeting_wanted" in EventForm().fields
    assert {"teams_meetings_by_default", "teams_attendance_autosave"} <= set(SeriesForm().fields)


# --- Without configuration nothing changes


def test_without_configuration_no_rows_no_calls_no_field(no_graph, organiser, staff_client):
    series = SeriesFactory(format=EventFormat.ONLINE, teams_meetings_by_default=True)
    sessions = _plan(series, organiser)
    planning_services.update_event(
        event=sessions[0],
        by=organiser,
        starts_at=sessions[0].starts_at + dt.timedelta(hours=1),
        ends_at=sessions[0].ends_at + dt.timedelta(hours=1),
    )
    planning_services.cancel_event(event=sessions[1], by=organiser, reason="x")
    assert not OutboxMessage.objects.filter(task=SYNC_TASK).exists()
    assert meeting_services.sync_teams_meeting(event_id=sessions[2].pk) == "not_configured"
    assert meeting_tasks.fetch_due_teams_attendance.run() == {}
    assert "teams_meeting_wanted" not in EventForm().fields
    assert not {"teams_meetings_by_default", "teams_attendance_autosave"} & set(SeriesForm().fields)
    body = staff_client.get(reverse("events:organise_event_edit", args=[sessions[2].pk]))
    assert "teams_meeting_wanted" not in body.content.decode()
    assert "Teams meeting" not in body.content.decode()
    page = staff_client.get(reverse("events:organise_attendance_import", args=[sessions[2].pk]))
    assert "Fetch from Teams" not in page.content.decode()


# --- Attendance


# The session the report_en-us fixtures are of: 22.7.2026 14.00–15.00 Helsinki time.
SESSION_START = dt.datetime(2026, 7, 22, 14, 0, tzinfo=HELSINKI)
REPORT = "report_en-us_utf16_tab.csv"


def _session(**fields) -> Event:
    event = EventFactory(
        title="Työkyvyn tuki arjessa",
        starts_at=SESSION_START,
        ends_at=SESSION_START + dt.timedelta(hours=1),
        format=EventFormat.ONLINE,
        teams_meeting_wanted=True,
        teams_calendar_event_id="AAMk-1",
        teams_online_meeting_id="MSo-1",
        teams_sync_state=TeamsSyncState.OK,
        **fields,
    )
    for name, email in [
        ("Matti", "matti.meikalainen@kunta.fi"),
        ("Tuomas", "tuomas.nieminen@typ.fi"),
        ("Sari", "sari.lyhyt@kela.fi"),
        ("No show", "noshow@example.fi"),
    ]:
        RegistrationFactory(event=event, user=None, name=name, email=email)
    return event


def _figures(result) -> tuple:
    people = sorted((p.name, p.minutes, p.status, p.is_host) for p in result.people)
    return (
        result.counted,
        result.matched,
        result.unmatched,
        result.too_short,
        result.note_takers,
        result.hosts,
        result.anonymous_attendees,
        people,
    )


def _marks(event: Event) -> list[tuple]:
    return sorted(
        (r.name, r.attended, r.minutes_attended, r.attendance_source)
        for r in Registration.objects.filter(event=event)
    )


def test_fetched_attendance_gives_the_file_imports_figures(graph, organiser):
    data = (FIXTURES / REPORT).read_bytes()
    by_file, by_teams = _session(), _session()
    graph.report = teams.parse_report(data)  # the same meeting, as Graph would give it
    from_file = attendance_services.import_attendance(
        event=by_file, file_bytes=data, file_name="report.csv", by=organiser
    )
    preview = meeting_services.fetch_teams_attendance(
        event_id=by_teams.pk, by=organiser, save=False
    )
    assert not preview.saved and not AttendanceImport.objects.filter(event=by_teams).exists()
    saved = meeting_services.fetch_teams_attendance(event_id=by_teams.pk, by=organiser, save=True)
    assert _figures(preview) == _figures(saved) == _figures(from_file)
    assert _marks(by_teams) == _marks(by_file)
    by_teams.refresh_from_db()
    by_file.refresh_from_db()
    assert by_teams.anonymous_attendees == by_file.anonymous_attendees == 2
    assert by_teams.teams_attendance_state == TeamsAttendanceState.SAVED
    imported = AttendanceImport.objects.get(event=by_teams)
    assert imported.file_sha256 == "f" * 64
    assert graph.of("fetch") == [("fetch", "MSo-1"), ("fetch", "MSo-1")]
    # The same report twice is refused, as the same file is.
    with pytest.raises(attendance_services.AttendanceAlreadyImportedError):
        meeting_services.fetch_teams_attendance(event_id=by_teams.pk, by=organiser, save=True)


def test_import_report_holds_the_checks_of_a_file(organiser):
    """import_report of a parsed file: the same result as import_attendance of the file."""
    data = (FIXTURES / REPORT).read_bytes()
    a, b = _session(), _session()
    from_file = attendance_services.import_attendance(
        event=a, file_bytes=data, file_name="r.csv", by=organiser
    )
    direct = attendance_services.import_report(
        event=b,
        report=teams.parse_report(data),
        fingerprint=from_file.file_sha256,
        source_name="r.csv",
        by=organiser,
    )
    assert direct.as_dict() | {"event": a.pk} == from_file.as_dict()
    other = EventFactory(starts_at=SESSION_START + dt.timedelta(days=2))
    other.ends_at = other.starts_at + dt.timedelta(hours=1)
    other.save()
    with pytest.raises(attendance_services.AttendanceReportMismatchError):
        attendance_services.import_report(
            event=other,
            report=teams.parse_report(data),
            fingerprint="0" * 64,
            source_name="r.csv",
            by=organiser,
        )


def _ended_session(**fields) -> Event:
    """A session with a Teams meeting that ended an hour ago, with the report's people."""
    report = teams.parse_report((FIXTURES / REPORT).read_bytes())
    start = timezone.now() - dt.timedelta(hours=2)
    shift = start - report.meeting_start
    report.meeting_start += shift
    report.meeting_end += shift
    event = _session(**fields)
    event.starts_at, event.ends_at = start, start + dt.timedelta(hours=1)
    event.save()
    return event, report


def test_beat_fetches_a_preview_and_autosave_saves_when_nothing_needs_a_decision(graph, organiser):
    review = SeriesFactory(teams_attendance_autosave=False)
    auto = SeriesFactory(teams_attendance_autosave=True)
    waits, report = _ended_session(series=review)
    saves, _ = _ended_session(series=auto)
    graph.report = report
    assert set(due_teams_attendance(timezone.now())) == {waits, saves}
    outcomes = meeting_tasks.fetch_due_teams_attendance.run()
    assert outcomes == {"ready": 1, "saved": 1}
    waits.refresh_from_db()
    saves.refresh_from_db()
    assert waits.teams_attendance_state == TeamsAttendanceState.READY
    assert not AttendanceImport.objects.filter(event=waits).exists()
    assert saves.teams_attendance_state == TeamsAttendanceState.SAVED
    assert AttendanceImport.objects.get(event=saves).counted == 3
    assert not due_teams_attendance(timezone.now()).exists()  # nothing fetched twice


def test_autosave_waits_for_a_person_when_a_decision_is_needed(graph, organiser):
    auto = SeriesFactory(teams_attendance_autosave=True)
    event, report = _ended_session(series=auto)
    report.meeting_title = "Another meeting altogether"  # another meeting's report?
    graph.report = report
    assert meeting_services.fetch_due_attendance(event_id=event.pk) == "needs_review"
    event.refresh_from_db()
    assert event.teams_attendance_state == TeamsAttendanceState.READY
    assert "Another meeting altogether" in event.teams_attendance_error
    assert not AttendanceImport.objects.filter(event=event).exists()
    assert Registration.objects.filter(event=event, attended__isnull=False).count() == 0


def test_a_report_not_ready_is_recorded_and_tried_on_the_next_run(graph, organiser):
    event, report = _ended_session()
    graph.fail["fetch"] = GraphError(NOT_READY)
    assert meeting_tasks.fetch_due_teams_attendance.run() == {NOT_READY: 1}
    event.refresh_from_db()
    assert event.teams_attendance_state == TeamsAttendanceState.NOT_READY
    assert "not available yet" in event.teams_attendance_error
    assert list(due_teams_attendance(timezone.now())) == [event]
    del graph.fail["fetch"]
    graph.report = report
    assert meeting_tasks.fetch_due_teams_attendance.run() == {"ready": 1}


def test_the_pages_fetch_review_and_save_from_teams(graph, organiser, staff_client):
    event, report = _ended_session()
    graph.report = report
    url = reverse("events:organise_attendance_import", args=[event.pk])
    page = staff_client.get(url).content.decode()
    assert "Fetch from Teams" in page
    assert "Teams keeps attendance reports for about a year" in page
    preview = staff_client.post(url, {"action": "fetch"})
    assert preview.status_code == 200
    assert preview.context["result"].counted == 3
    assert not AttendanceImport.objects.filter(event=event).exists()
    saved = staff_client.post(url, {"action": "save", "confirm-merge": ""})
    assert saved.status_code == 302
    assert AttendanceImport.objects.get(event=event).counted == 3
    # The upload path is as it was: a file after the fetch is still an ordinary preview.
    edit = staff_client.get(reverse("events:organise_event_edit", args=[event.pk]))
    assert "Saved" in edit.content.decode()


def test_the_event_page_says_when_no_report_could_be_fetched(graph, organiser, staff_client):
    event, _ = _ended_session()
    graph.fail["fetch"] = GraphError(NOT_READY)
    url = reverse("events:organise_attendance_import", args=[event.pk])
    response = staff_client.post(url, {"action": "fetch"})
    assert response.status_code == 400
    assert "not available yet" in response.content.decode()
    body = staff_client.get(reverse("events:organise_event_edit", args=[event.pk]))
    text = body.content.decode()
    assert "No attendance report could be fetched from Teams yet." in text
    assert "Teams keeps attendance reports for about a year: fetch within days." in text


def test_the_organiser_pages_make_no_more_queries_with_teams(
    graph, organiser, staff_client, django_assert_num_queries
):
    event, _ = _ended_session()
    for name, url, count in [
        ("edit", reverse("events:organise_event_edit", args=[event.pk]), EVENT_EDIT_QUERIES),
        (
            "import",
            reverse("events:organise_attendance_import", args=[event.pk]),
            ATTENDANCE_IMPORT_QUERIES,
        ),
    ]:
        staff_client.get(url)
        with django_assert_num_queries(count):
            response = staff_client.get(url)
        assert "Teams" in response.content.decode(), name
