"""A term of Teams meetings, end to end: the planning services queue the sync in the outbox,
the task runs, and microsoft365 talks HTTP to the local Graph stub, which answers with the
documented shapes (event_created_online_meeting.jsonc, online_meetings_by_join_url.jsonc),
one meeting per session. Then one session moves and another is cancelled.

tests/events/meetings/ covers the decisions with fakes at the events boundary, and the other
tests here the HTTP layer; this one proves the two meet.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from werkzeug import Request, Response

from events.models import EventFormat, EventStatus, TeamsSyncState
from events.planning import services as planning_services
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import deliver
from tests.factories import SeriesFactory

from .graph_stub import load

pytestmark = pytest.mark.django_db

EVENT = load("event_created_online_meeting.jsonc")
MEETINGS = load("online_meetings_by_join_url.jsonc")


class FakeMailbox:
    """The organiser's calendar as the stub keeps it: every created event gets its own id
    and join URL (the documented response with those two changed)."""

    def __init__(self) -> None:
        self.created: dict[str, dict] = {}
        self.patched: dict[str, dict] = {}
        self.cancelled: list[str] = []

    def create(self, request: Request) -> Response:
        number = len(self.created) + 1
        event = copy.deepcopy(EVENT)
        event["id"] = f"AAMkADemo-{number}"
        event["onlineMeeting"]["joinUrl"] = (
            f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{number}%40thread.v2/0"
        )
        event["subject"] = json.loads(request.get_data(as_text=True))["subject"]
        self.created[event["id"]] = json.loads(request.get_data(as_text=True))
        return Response(json.dumps(event), status=201, content_type="application/json")

    def find(self, request: Request) -> Response:
        url = re.search(r"JoinWebUrl eq '(.+)'", request.args["$filter"]).group(1)
        number = re.search(r"meeting_(\d+)", url).group(1)
        meetings = copy.deepcopy(MEETINGS)
        meetings["value"][0]["id"] = f"MSoDemo-{number}"
        meetings["value"][0]["joinWebUrl"] = url
        return Response(json.dumps(meetings), content_type="application/json")

    def patch(self, request: Request) -> Response:
        event_id = request.path.rsplit("/", 1)[1]
        self.patched[event_id] = json.loads(request.get_data(as_text=True))
        return Response(json.dumps({"id": event_id}), content_type="application/json")

    def cancel(self, request: Request) -> Response:
        self.cancelled.append(request.path.split("/")[-2])
        return Response("", status=202)


@pytest.fixture
def mailbox(stub) -> FakeMailbox:
    box = FakeMailbox()
    server = stub.server
    server.expect_request(stub.user("events"), method="POST").respond_with_handler(box.create)
    server.expect_request(stub.user("onlineMeetings"), method="GET").respond_with_handler(box.find)
    events = re.compile(r"^/v1\.0/users/[^/]+/events/([^/]+)$")
    cancels = re.compile(r"^/v1\.0/users/[^/]+/events/([^/]+)/cancel$")
    server.expect_request(events, method="PATCH").respond_with_handler(box.patch)
    server.expect_request(cancels, method="POST").respond_with_handler(box.cancel)
    return box


def deliver_pending() -> int:
    rows = list(OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk"))
    for row in rows:
        deliver(message_id=row.pk)
    return len(rows)


def test_a_term_of_sessions_gets_its_meetings_which_follow_a_move_and_a_cancellation(
    mailbox, organiser
):
    series = SeriesFactory(format=EventFormat.ONLINE, teams_meetings_by_default=True)
    first = timezone.localdate() + dt.timedelta(days=30)
    sessions = planning_services.create_series_sessions(
        series=series,
        dates=[first + dt.timedelta(weeks=week) for week in range(3)],
        by=organiser,
        status=EventStatus.PUBLISHED,
    )
    deliver_pending()

    assert len(mailbox.created) == 3
    for session in sessions:
        session.refresh_from_db()
        assert session.teams_sync_state == TeamsSyncState.OK, session.teams_sync_error
        sent = mailbox.created[session.teams_calendar_event_id]
        assert sent["isOnlineMeeting"] is True
        assert sent["onlineMeetingProvider"] == "teamsForBusiness"
        starts = dt.datetime.fromisoformat(sent["start"]["dateTime"]).replace(tzinfo=dt.UTC)
        assert starts == session.starts_at
        assert session.teams_online_meeting_id.startswith("MSoDemo-")
        assert session.meeting_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert len({s.meeting_url for s in sessions}) == 3

    moved, cancelled, kept = sessions
    new_start = moved.starts_at + dt.timedelta(hours=1)
    planning_services.update_event(
        event=moved,
        by=organiser,
        starts_at=new_start,
        ends_at=moved.ends_at + dt.timedelta(hours=1),
    )
    planning_services.cancel_event(event=cancelled, by=organiser, reason="Esittäjä sairastui")
    deliver_pending()

    patch = mailbox.patched[moved.teams_calendar_event_id]
    assert dt.datetime.fromisoformat(patch["start"]["dateTime"]).replace(tzinfo=dt.UTC) == new_start
    assert mailbox.cancelled == [cancelled.teams_calendar_event_id]
    cancelled.refresh_from_db()
    assert cancelled.teams_sync_state == TeamsSyncState.CANCELLED
    assert kept.teams_calendar_event_id not in mailbox.patched
