"""Readiness: is this node able to serve and is the work behind it getting done?

`/readyz` (docs/deploy.md "Readiness") runs django-health-check's checks for the database
and the cache, Kohtaamo's own for the broker and the worker heartbeat, and those that apps
register from their AppConfig.ready() with `register_check` (the outbox backlog:
outbox/health.py). It answers 503 when any of them fails, 200 otherwise; the body is JSON
with one short status per check (no personal data), or the library's HTML page for staff.
`/healthz` stays the cheap liveness probe (one database ping).

In the embedded mode (broker ``memory://``, tasks run in the request) there is no broker
and no worker: those two checks report "embedded" and do not fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from kohtaamo.celery import app

HEARTBEAT_KEY = "kohtaamo:worker-heartbeat"
EMBEDDED = "embedded"


def embedded_mode() -> bool:
    """Tasks run in the calling process: no broker and no worker to check."""
    return settings.CELERY_BROKER_URL.startswith("memory://") or bool(
        settings.CELERY_TASK_ALWAYS_EAGER
    )


def record_heartbeat() -> float:
    """Written by the worker (task kohtaamo.tasks.heartbeat, every minute from beat)."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


def duration(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The broker accepts a connection (kombu, any transport) within a short timeout."""

    timeout: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_TIMEOUT), repr=False
    )

    def pretty_status(self) -> str:
        return EMBEDDED if embedded_mode() else "OK"

    def run(self) -> None:
        if embedded_mode():
            return

        seconds = self.timeout.total_seconds()
        try:
            with app.connection_for_write(connect_timeout=seconds) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=seconds)
        except Exception as error:  # kombu raises the transport's own errors
            raise ServiceUnavailable("Broker unreachable") from error


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """A worker ran the heartbeat task recently (proves beat, broker, worker and queue)."""

    max_age: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_HEARTBEAT_MAX_AGE), repr=False
    )
    timeout: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_TIMEOUT), repr=False
    )

    def pretty_status(self) -> str:
        return EMBEDDED if embedded_mode() else "OK"

    async def run(self) -> None:
        if embedded_mode():
            return
        try:
            beat = await cache.aget(HEARTBEAT_KEY)
        except Exception as error:  # the cache's own connection errors
            raise ServiceUnavailable("Heartbeat unreadable (cache down)") from error
        if beat is None:
            raise ServiceUnavailable("No worker heartbeat (none yet, or the cache is down)")
        age = time.time() - float(beat)
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"Last worker heartbeat {age:.0f} s ago")


@dataclasses.dataclass
class NamedDatabase(Database):
    timeout: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_TIMEOUT), repr=False
    )


@dataclasses.dataclass
class NamedCache(Cache):
    timeout: dt.timedelta = dataclasses.field(
        default_factory=lambda: duration(settings.READINESS_TIMEOUT), repr=False
    )


# name in the JSON answer -> check; apps add theirs with register_check (in this order).
CHECKS: dict[str, type[HealthCheck]] = {
    "database": NamedDatabase,
    "cache": NamedCache,
    "broker": Broker,
    "worker": WorkerHeartbeat,
}


def register_check(name: str, check: type[HealthCheck]) -> None:
    """Add an app's own readiness check, answered under `name`; call it from the app's
    AppConfig.ready(), so that this package needs to know no app."""
    CHECKS[name] = check


class ReadinessView(HealthCheckView):
    """503 when a check fails; JSON for everyone, the library's HTML page for staff."""

    @property
    def checks(self) -> tuple[type[HealthCheck], ...]:
        return tuple(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        user = await request.auser()
        if not user.is_staff:
            request.GET = request.GET.copy()
            request.GET["format"] = "json"
        response = await super().get(request, *args, **kwargs)
        if any(result.error for result in self.results) and response.status_code == 500:
            response.status_code = 503
            response["Retry-After"] = "10"
        return response

    def render_to_response_json(self, status):
        names = {check: name for name, check in CHECKS.items()}
        checks = {
            names[type(result.check)]: str(result.error)
            if result.error
            else result.check.pretty_status()
            for result in self.results
        }
        ok = not any(result.error for result in self.results)
        return JsonResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks}, status=status
        )


readyz = ReadinessView.as_view()
