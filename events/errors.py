"""The base of every domain error of the events app (each room raises its own subclass)."""

from __future__ import annotations

from kohtaamo.errors import DomainError

# --- Registration -------------------------------------------------------------------


class EventsError(DomainError):
    """A domain error of events, with a message for the person."""
