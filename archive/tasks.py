"""The archive's Celery task (name pinned: stored in outbox rows)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name=services.BUILD_TASK, ignore_result=True)
def build(request_id: int) -> bool:
    """Build one requested archive into private storage (idempotent)."""
    return services.run_archive_request(request_id=request_id)
