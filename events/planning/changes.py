"""What follows a change of an event, whoever makes it: the calendar SEQUENCE raised, the
change history of a published event and the registered people told.

Kept apart from events.planning.services so that the Teams meeting service
(events.meetings.services), which the planning services queue, records its join URL the
same way without importing them back (docs/architecture.md, "Import boundaries")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import Event, EventChange
from ..registration.services import notify_event_changed

# A change to one of these raises Event.sequence (iCalendar SEQUENCE) so calendars follow.
SEQUENCE_FIELDS = ("starts_at", "ends_at", "place", "meeting_url")


def json_value(value):
    """A value for the change history: dates as ISO text, rows as their names."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(timezone.get_default_timezone()).isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return str(value)


def actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def raise_sequence(event: Event, changes: dict) -> None:
    """Raise the event's SEQUENCE when a field calendars show changed (before saving it)."""
    if any(name in changes for name in SEQUENCE_FIELDS):
        event.sequence += 1


def record_published_change(
    *, event: Event, by, changes: dict, was_published: bool, notify=notify_event_changed
) -> None:
    """Keep the change of a published event ({field: [old, new]}) and tell the registered
    people of a time, place or link change (an outbox row, in the caller's transaction).
    `notify`: events.registration.services.notify_event_changed, as the caller names it."""
    if not was_published:
        return
    EventChange.objects.create(event=event, changed_by=actor(by), changes=changes)
    notify(event=event, changes=changes)
