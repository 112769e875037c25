"""Reach's Celery task (name pinned: it is in the beat schedule)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reach.flush_counts", ignore_result=True)
def flush_counts() -> int:
    """Every 5 minutes (beat): write the counts gathered in the cache to the database."""
    return services.flush_counts()
