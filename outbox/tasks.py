"""The outbox's Celery tasks (names pinned: stored in rows and in the beat schedule)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="outbox.deliver", ignore_result=True)
def deliver(message_id: int) -> bool:
    """Run one outbox row's task at most once (the claim guards it; see services.deliver)."""
    return services.deliver(message_id=message_id)


@shared_task(name="outbox.dispatch_pending", ignore_result=True)
def dispatch_pending() -> dict[str, int]:
    """Every OUTBOX_DISPATCH_SECONDS (beat): hand over rows still pending and rows whose
    worker died."""
    return services.dispatch_pending()


@shared_task(name="outbox.prune_sent", ignore_result=True)
def prune_sent() -> int:
    """Daily (beat): forget rows sent longer ago than OUTBOX_KEEP_SENT_DAYS."""
    return services.prune_sent()
