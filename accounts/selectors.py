"""Shared reads of the accounts app."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import AuditEntry


def audit_actions() -> list[str]:
    """Every action name that appears in the log, for the filter."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_log(
    *, action: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[AuditEntry]:
    """The audit log, newest first, filtered by action and by day (Helsinki time)."""
    entries = AuditEntry.objects.order_by("-at", "-pk")
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return entries


def api_token_created(user) -> dt.datetime | None:
    """When the person's API token was made, or None: the page shows this, never the key."""
    return Token.objects.filter(user=user).values_list("created", flat=True).first()
