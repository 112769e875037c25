"""Reads of the Teams meetings room: which events' attendance the beat task fetches."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from microsoft365.attendance import FORMAT_GRAPH

from ..models import ONLINE_FORMATS, Event, EventStatus, TeamsAttendanceState

# A report appears some minutes after the meeting ends; after a week a person has had the
# page's "Fetch from Teams" long enough (Teams keeps the report about a year).
FETCH_AFTER = dt.timedelta(minutes=15)
FETCH_UNTIL = dt.timedelta(days=7)


def due_teams_attendance(now: dt.datetime) -> QuerySet[Event]:
    """Online events with a Teams meeting that ended 15 minutes to 7 days ago, not cancelled,
    with no report from Teams imported yet and none waiting for review."""
    return (
        Event.objects.filter(
            format__in=ONLINE_FORMATS,
            ends_at__lte=now - FETCH_AFTER,
            ends_at__gte=now - FETCH_UNTIL,
        )
        .exclude(teams_calendar_event_id="")
        .exclude(status=EventStatus.CANCELLED)
        .exclude(
            teams_attendance_state__in=[TeamsAttendanceState.READY, TeamsAttendanceState.SAVED]
        )
        .exclude(attendance_imports__report_format=FORMAT_GRAPH)
        .order_by("ends_at", "pk")
    )
