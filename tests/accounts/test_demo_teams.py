"""The demo's Teams meetings and attendance (events/demo.py): made offline, without Graph
configuration, through the same services and microsoft365 functions as with Graph, from the
recorded answers in microsoft365/recorded/ (microsoft365.replay)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo import ORGANISER_EMAIL
from accounts.models import AuditEntry, User
from events.models import (
    AttendanceImport,
    AttendanceSource,
    Event,
    EventKind,
    EventStatus,
    Registration,
    Series,
    TeamsAttendanceState,
    TeamsSyncState,
)
from kohtaamo import demo
from microsoft365.attendance import FORMAT_GRAPH, fetch_attendance
from microsoft365.config import graph_configured
from microsoft365.meetings import create_meeting
from microsoft365.replay import ReplayClient
from outbox.models import OutboxMessage

JOIN_URL = re.compile(r"^https://teams\.microsoft\.com/l/meetup-join/19%3ameeting_(\w+)%40thread")


@pytest.fixture
def no_graph(settings):
    for name in ("GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET", "GRAPH_ORGANISER"):
        setattr(settings, name, "")
    settings.GRAPH_CERTIFICATE_PATH = ""
    assert not graph_configured()


def _local_day(event: Event) -> dt.date:
    return timezone.localtime(event.starts_at).date()


@pytest.mark.date_sensitive
@pytest.mark.django_db
def test_demo_teams_meetings_are_what_the_graph_path_writes(no_graph):
    today = timezone.localdate()
    demo.seed(today=today)
    with_teams = list(Event.objects.exclude(teams_calendar_event_id="").order_by("starts_at"))
    past, *coming = with_teams
    assert 2 <= len(with_teams) <= 3
    assert _local_day(past) < today < min(_local_day(e) for e in coming)
    assert all(e.kind == EventKind.KOHTAAMO for e in coming)
    tokens = set()
    for event in with_teams:
        assert event.teams_meeting_wanted and event.is_online
        match = JOIN_URL.match(event.meeting_url)  # the join URL is the event's link
        assert match, event.meeting_url
        tokens.add(match.group(1))
        assert event.teams_calendar_event_id.startswith("AAMk")
        assert event.teams_online_meeting_id.endswith(f"_19:meeting_{match.group(1)}@thread.v2")
        assert event.teams_sync_error == "" and event.teams_synced_at is not None
        assert event.sequence >= 1  # the link changed: calendars follow
    assert len(tokens) == len(with_teams)  # each its own meeting
    cancelled = [e for e in coming if e.status == EventStatus.CANCELLED]
    assert [e.teams_sync_state for e in cancelled] == [TeamsSyncState.CANCELLED]
    assert {e.teams_sync_state for e in with_teams if e not in cancelled} == {TeamsSyncState.OK}
    audit = AuditEntry.objects.filter(action__startswith="event.teams_meeting_")
    assert sorted(audit.values_list("action", flat=True)) == sorted(
        ["event.teams_meeting_created"] * len(with_teams) + ["event.teams_meeting_cancelled"]
    )
    # Made before publishing: nobody was told of a new link; nothing waits in the outbox.
    assert not OutboxMessage.objects.exists()

    # The past one's attendance, fetched from Teams and saved by the organiser.
    imported = AttendanceImport.objects.get()
    assert imported.event == past and imported.report_format == FORMAT_GRAPH
    assert imported.imported_by == User.objects.get(email=ORGANISER_EMAIL)
    assert (imported.counted, imported.matched, imported.unmatched, imported.too_short) == (
        8,
        6,
        2,
        1,
    )
    assert past.teams_attendance_state == TeamsAttendanceState.SAVED
    assert past.anonymous_attendees == 2  # the guest without e-mail and the anonymous joiner
    marked = Registration.objects.filter(event=past).exclude(attended=None)
    assert marked.count() == 7
    assert set(marked.values_list("attendance_source", flat=True)) == {AttendanceSource.TEAMS}
    assert marked.filter(attended=True).count() == 6
    assert AuditEntry.objects.filter(action="attendance.teams_imported", object_id=past.pk).exists()


@pytest.mark.django_db
def test_the_replay_answers_as_graph_for_the_same_meeting(no_graph):
    """The demo's ids and join URL are what create_meeting gives from the recorded answers
    for the event's create, and the recorded report is moved to the event's time."""
    demo.seed(today=timezone.localdate())
    past = Event.objects.exclude(teams_calendar_event_id="").order_by("starts_at").first()
    graph = ReplayClient()
    ref = create_meeting(
        subject=past.display_title,
        start=past.starts_at,
        end=past.ends_at,
        transaction_id=f"kohtaamo-event-{past.pk}-0",
        client=graph,
    )
    assert ref.join_url == past.meeting_url
    assert ref.online_meeting_id == past.teams_online_meeting_id
    assert ref.calendar_event_id == past.teams_calendar_event_id
    graph.add_attendance(ref.online_meeting_id, organiser=("o@example.fi", "O"), attendees=[])
    fetched = fetch_attendance(online_meeting_id=ref.online_meeting_id, client=graph)
    assert fetched[0].meeting_start - past.starts_at == dt.timedelta(minutes=-7, seconds=-36.055)
    assert len(fetched[0].records) == 12
    assert graph.calls[0] == ("POST", graph.user_path("events"))


@pytest.mark.django_db
def test_without_graph_the_organiser_pages_offer_no_teams_controls(no_graph, client):
    demo.seed(today=timezone.localdate())
    client.force_login(User.objects.get(email=ORGANISER_EMAIL))
    client.cookies["django_language"] = "en"
    past = Event.objects.exclude(teams_calendar_event_id="").order_by("starts_at").first()
    edit = client.get(reverse("events:organise_event_edit", args=[past.pk])).content.decode()
    assert "teams_meeting_wanted" not in edit  # no Teams choice without Graph
    assert 'id="teams-status"' in edit  # an event with a meeting shows its state, as before
    assert "In step with Teams" in edit and "teams-retention-note" not in edit
    page = client.get(reverse("events:organise_attendance_import", args=[past.pk]))
    assert "Fetch from Teams" not in page.content.decode()
    kohtaamo = Series.objects.get(slug="kohtaamo")
    series = client.get(reverse("events:organise_series_edit", args=[kohtaamo.pk]))
    assert "teams_meetings_by_default" not in series.content.decode()
