"""Teams meetings as events in the organiser's Outlook calendar: create, move, cancel.

The meeting is a calendar event with ``isOnlineMeeting`` (Teams for business), so Outlook
shows it and moving or cancelling the event moves or cancels the meeting. No attendees are
added: Kohtaamo sends its own invitations with the join URL. The online meeting's id (for
attendance reports) is looked up by the join URL.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .errors import BAD_RESPONSE, NOT_FOUND, GraphError
from .graph import GraphClient

logger = logging.getLogger(__name__)

# Right after the event is made, its online meeting can take a moment to be found.
LOOKUP_WAITS_SECONDS = (1.0, 2.0)

NO_TEAMS_MEETING = _(
    "Microsoft 365 made the calendar event without a Teams meeting. Ask the administrator to "
    "check that Teams meetings are allowed for the organiser's calendar."
)


@dataclass(frozen=True)
class MeetingRef:
    """What Kohtaamo keeps of a Teams meeting. ``online_meeting_id`` is empty when Graph did
    not find the meeting of the join URL yet (look it up later with
    ``find_online_meeting_id``)."""

    calendar_event_id: str
    online_meeting_id: str
    join_url: str


def graph_datetime(value: dt.datetime) -> dict[str, str]:
    """An aware datetime as Graph's dateTimeTimeZone, in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a meeting's start and end must be aware datetimes")
    utc = value.astimezone(dt.UTC).replace(tzinfo=None)
    return {"dateTime": utc.isoformat(timespec="seconds"), "timeZone": "UTC"}


def odata_string(value: str) -> str:
    """A string literal in an OData $filter: in single quotes, a quote doubled."""
    return "'" + value.replace("'", "''") + "'"


def _check_times(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise ValueError("a meeting must end after it starts")


def create_meeting(
    *,
    subject: str,
    start: dt.datetime,
    end: dt.datetime,
    body_html: str = "",
    transaction_id: str = "",
    client: GraphClient | None = None,
) -> MeetingRef:
    """Make a Teams meeting in the organiser's calendar.

    ``transaction_id`` (the same for every try of one event, at most 255 characters) lets
    Graph recognise a repeated create, so the request may be sent again after a timeout;
    without it a create that may have reached Graph is not repeated."""
    _check_times(start, end)
    graph = client or GraphClient()
    body: dict = {
        "subject": subject,
        "start": graph_datetime(start),
        "end": graph_datetime(end),
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
    }
    if body_html:
        body["body"] = {"contentType": "HTML", "content": body_html}
    if transaction_id:
        body["transactionId"] = transaction_id
    event = graph.post(graph.user_path("events"), json=body, idempotent=bool(transaction_id))
    event_id = (event or {}).get("id")
    if not event_id:
        raise GraphError(BAD_RESPONSE, detail="the created event has no id")
    join_url = ((event or {}).get("onlineMeeting") or {}).get("joinUrl") or ""
    if not join_url:
        # An event without its meeting is of no use to anyone: take it away again.
        try:
            graph.delete(graph.user_path("events", event_id))
        except GraphError as error:
            logger.warning("Could not delete the event without a Teams meeting: %r", error)
        raise GraphError(BAD_RESPONSE, NO_TEAMS_MEETING, detail="onlineMeeting.joinUrl missing")
    online_meeting_id = ""
    for wait in (*LOOKUP_WAITS_SECONDS, None):
        try:
            online_meeting_id = find_online_meeting_id(join_url=join_url, client=graph)
            break
        except GraphError as error:
            if error.kind != NOT_FOUND or wait is None:
                # The meeting exists; its id can be looked up again before the attendance.
                logger.warning("The new Teams meeting's id was not found: %r", error)
                break
            graph.sleep(wait)
    return MeetingRef(
        calendar_event_id=event_id, online_meeting_id=online_meeting_id, join_url=join_url
    )


def find_online_meeting_id(*, join_url: str, client: GraphClient | None = None) -> str:
    """The online meeting's id for its join URL; GraphError("not_found") if there is none."""
    graph = client or GraphClient()
    found = graph.get(
        graph.user_path("onlineMeetings"),
        params={"$filter": f"JoinWebUrl eq {odata_string(join_url)}"},
    )
    meetings = found.get("value")
    if not isinstance(meetings, list):
        raise GraphError(BAD_RESPONSE, detail="a list without value")
    for meeting in meetings:
        if isinstance(meeting, dict) and meeting.get("id"):
            return str(meeting["id"])
    raise GraphError(NOT_FOUND, detail="no online meeting has this join URL")


def update_meeting(
    *,
    event_id: str,
    subject: str,
    start: dt.datetime,
    end: dt.datetime,
    client: GraphClient | None = None,
) -> None:
    """Move or rename the meeting (the join URL stays). GraphError("not_found") when it was
    deleted in Teams or Outlook."""
    _check_times(start, end)
    graph = client or GraphClient()
    graph.patch(
        graph.user_path("events", event_id),
        json={"subject": subject, "start": graph_datetime(start), "end": graph_datetime(end)},
    )


def cancel_meeting(*, event_id: str, comment: str = "", client: GraphClient | None = None) -> bool:
    """Cancel the meeting; False when it was already gone (404), which counts as done.

    Should Exchange refuse the cancel action itself (400, e.g. for an event it does not treat
    as a meeting), the event is deleted instead."""
    graph = client or GraphClient()
    try:
        graph.post(
            graph.user_path("events", event_id, "cancel"),
            json={"comment": comment},
            idempotent=True,  # cancelling twice leaves it cancelled
        )
    except GraphError as error:
        if error.kind == NOT_FOUND:
            return False
        if error.status != 400:
            raise
        logger.warning("Exchange refused to cancel event (%s); deleting it", error.code)
        try:
            graph.delete(graph.user_path("events", event_id))
        except GraphError as deleted:
            if deleted.kind == NOT_FOUND:
                return False
            raise
    return True
