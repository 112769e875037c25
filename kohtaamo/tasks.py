"""Operational tasks of the configuration package (not tied to one app)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="kohtaamo.tasks.heartbeat", ignore_result=True)
def heartbeat() -> float:
    """Every minute from beat: the readiness check "worker" reads the time it wrote."""
    from kohtaamo.health import record_heartbeat  # noqa: PLC0415 - django-health-check needs the app registry

    return record_heartbeat()
