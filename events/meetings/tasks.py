"""Celery tasks of the Teams meetings room: send an event's change to its Teams meeting, and
fetch the attendance of meetings that have ended (beat).

Names are pinned ("events.tasks.*", as the other rooms' tasks): outbox rows and the beat
schedule name them."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from outbox.services import enqueue

from ..models import Event, TeamsSyncState
from . import selectors, services

logger = logging.getLogger(__name__)


@shared_task(name="events.tasks.sync_teams_meeting")
def sync_teams_meeting(event_id: int, key: str = "") -> str:
    """Bring one event's Teams meeting in step (create, move, cancel). `key` only makes the
    outbox row of each change its own; the event is read as it is now."""
    del key
    return services.sync_teams_meeting(event_id=event_id)


@shared_task(name="events.tasks.fetch_due_teams_attendance")
def fetch_due_teams_attendance() -> dict[str, int]:
    """Beat: fetch the attendance of the Teams meetings that ended 15 minutes to 7 days ago
    (a preview to review, or saved when the series saves by itself)."""
    if not services.graph_configured():
        return {}
    outcomes: dict[str, int] = {}
    ids = list(selectors.due_teams_attendance(timezone.now()).values_list("pk", flat=True))
    for event_id in ids:
        outcome = services.fetch_due_attendance(event_id=event_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    logger.info("Teams attendance fetched for %s events: %s", len(ids), outcomes)
    return outcomes


def queue_teams_sync(event: Event) -> bool:
    """In the transaction of a change: queue the sync of the event's Teams meeting (an
    outbox row of this change) when Graph is configured and the event wants a meeting or
    has one. Without configuration nothing is written. Returns whether a row was queued."""
    if not services.needs_teams_sync(event):
        return False
    enqueue(
        task=sync_teams_meeting,
        args=[event.pk, event.updated_at.isoformat()],
        key=f"teams_sync:{event.pk}:{event.updated_at.isoformat()}",
    )
    if event.teams_sync_state != TeamsSyncState.PENDING:
        event.teams_sync_state = TeamsSyncState.PENDING
        Event.objects.filter(pk=event.pk).update(teams_sync_state=TeamsSyncState.PENDING)
    return True
