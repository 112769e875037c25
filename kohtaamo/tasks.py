"""Operational tasks of the configuration package (not tied to one app)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="kohtaamo.tasks.ping_database",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
)
def ping_database(*, marker: str) -> dict[str, str]:
    """Write one audit line from the worker: proves broker, worker and database all work.

    Idempotent: the same marker is written at most once.
    """
    from accounts.models import AuditEntry
    from accounts.services import record_audit

    if not AuditEntry.objects.filter(action="ops.ping", object_label=marker).exists():
        record_audit(actor=None, action="ops.ping", label=marker)
    return {"marker": marker}


@shared_task(name="kohtaamo.tasks.heartbeat", ignore_result=True)
def heartbeat() -> float:
    """Every minute from beat: the readiness check "worker" reads the time it wrote."""
    from kohtaamo.health import record_heartbeat

    return record_heartbeat()
