"""Reads of the outbox shared by the readiness check, the command and the admin."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min
from django.utils import timezone

from .models import OutboxMessage, OutboxStatus
from .services import grace_delay

NOT_SENT = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)


def backlog(*, now: dt.datetime | None = None) -> tuple[int, dt.datetime | None]:
    """(rows not sent yet, created_at of the oldest pending row older than the grace delay).

    The count includes rows being sent and rows that failed (an operator looks at those in
    the admin); the age only pending and sending rows, the ones that should still move.
    """
    now = now or timezone.now()
    count = OutboxMessage.objects.filter(status__in=NOT_SENT).count()
    oldest = OutboxMessage.objects.filter(
        status__in=(OutboxStatus.PENDING, OutboxStatus.SENDING),
        created_at__lte=now - grace_delay(),
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return count, oldest


def counts() -> dict[str, int]:
    """Rows per status (every status present, 0 when none)."""
    found = dict(OutboxMessage.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: found.get(status, 0) for status in OutboxStatus.values}
