"""The outbox's readiness check, registered on /readyz by OutboxConfig.ready()."""

from __future__ import annotations

import dataclasses
import datetime as dt

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from kohtaamo.health import duration

from .selectors import backlog


@dataclasses.dataclass
class OutboxBacklog(HealthCheck):
    """The oldest pending outbox row is not older than READINESS_OUTBOX_MAX_AGE."""

    max_age: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_OUTBOX_MAX_AGE), repr=False
    )
    timeout: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_TIMEOUT), repr=False
    )

    async def run(self) -> None:
        try:
            pending, oldest = await sync_to_async(backlog)()
        except Exception as error:  # the database's own errors
            raise ServiceUnavailable("Outbox unreadable") from error
        if oldest is None:
            return
        age = (timezone.now() - oldest).total_seconds()
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"{pending} pending, the oldest {age:.0f} s old")
