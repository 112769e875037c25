"""What follows a change of an event, whoever makes it: the calendar SEQUENCE raised, the
change history of a published event and the registered people told; and that history in
plain language for the organiser pages.

Kept apart from events.planning.services so that the Teams meeting service
(events.meetings.services), which the planning services queue, records its join URL the
same way without importing them back, and so that a capacity change
(events.registration.services.set_capacity) is kept here too (docs/architecture.md,
"Import boundaries"). This module imports no other service: the caller passes `notify`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from ..models import Event, EventChange

# A change to one of these raises Event.sequence (iCalendar SEQUENCE) so calendars follow.
SEQUENCE_FIELDS = ("starts_at", "ends_at", "place", "meeting_url")

# Entries of the history that are no field of the event.
OTHER_LABELS = {"reason": _("Reason")}


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
    *, event: Event, by, changes: dict, was_published: bool, notify: Callable
) -> None:
    """Keep the change of a published event ({field: [old, new]}) and tell the registered
    people of a time, place or link change (an outbox row, in the caller's transaction).
    `notify`: events.registration.services.notify_event_changed, as the caller names it."""
    if not was_published:
        return
    EventChange.objects.create(event=event, changed_by=actor(by), changes=changes)
    notify(event=event, changes=changes)


# --- The history in plain language


@dataclass(frozen=True)
class ChangeLine:
    """One changed field of a history entry, as the organiser reads it."""

    label: str
    old: str
    new: str


def describe_change(change: EventChange) -> list[ChangeLine]:
    """The entry's changes with the fields' translated names and their values as people
    write them in the active language: dates and times in Helsinki time, choices by their
    labels, yes/no, rows by their names; “–” for nothing."""
    lines = []
    for name, values in (change.changes or {}).items():
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, None)
        try:
            model_field = Event._meta.get_field(name)
        except FieldDoesNotExist:
            model_field = None
        if model_field is not None:
            label = str(model_field.verbose_name)
        else:
            label = str(OTHER_LABELS.get(name, name))
        lines.append(
            ChangeLine(
                label=label[:1].upper() + label[1:],
                old=display_value(model_field, old),
                new=display_value(model_field, new),
            )
        )
    return lines


def display_value(model_field, value) -> str:
    """A stored history value (json_value) as text in the active language."""
    if value is None and getattr(model_field, "name", "") == "capacity":
        return str(_("no limit"))
    if value is None or value in ("", []):
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    labels = {str(key): label for key, label in getattr(model_field, "flatchoices", None) or ()}
    if str(value) in labels:
        return str(labels[str(value)])
    if isinstance(value, bool) or isinstance(model_field, models.BooleanField):
        return str(_("yes") if value in (True, "True", "true") else _("no"))
    return _formatted(model_field, value)


def _formatted(model_field, value) -> str:
    """Dates, times and numbers the way the active language writes them."""
    if isinstance(model_field, models.DateTimeField):
        return _moment(value)
    parse = None
    if isinstance(model_field, models.DateField):
        parse, style = dt.date.fromisoformat, "SHORT_DATE_FORMAT"
    elif isinstance(model_field, models.TimeField):
        parse, style = dt.time.fromisoformat, "TIME_FORMAT"
    if parse is not None:
        try:
            return date_format(parse(str(value)), style)
        except ValueError:
            return str(value)
    if isinstance(value, int):
        return number_format(value)
    return str(value)


def _moment(value) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    local = moment.astimezone(timezone.get_default_timezone())
    return date_format(local, "SHORT_DATETIME_FORMAT")
