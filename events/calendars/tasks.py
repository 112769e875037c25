"""Background work on the stored feed entries (events/calendars/feeds.py).

Task names stay pinned to their old module path, events.tasks, so that queued tasks and
the beat schedule survive the move into rooms.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .feeds import STORE_ENTRIES_TASK, STORE_SPANS_TASK, prune_entries, store_entries, store_spans

logger = logging.getLogger(__name__)


@shared_task(name=STORE_ENTRIES_TASK)
def store_calendar_entries(event_ids: list[int], language: str) -> int:
    """Store the feed entries a feed request had to write itself (feeds.feed_body)."""
    stored = store_entries(event_ids, language)
    logger.info("Stored %s calendar entries in %s", stored, language)
    return stored


@shared_task(name=STORE_SPANS_TASK)
def store_calendar_spans(months: list[list[int]], language: str) -> int:
    """Store the months a feed request joined from entries as spans (feeds.build_feed)."""
    stored = store_spans(months, language)
    logger.info("Stored %s calendar spans in %s", stored, language)
    return stored


@shared_task(name="events.tasks.prune_calendar_entries")
def prune_calendar_entries() -> int:
    """Daily: drop the stored feed entries of events older than any feed shows, and old spans."""
    deleted = prune_entries()
    logger.info("Pruned %s calendar entries", deleted)
    return deleted
