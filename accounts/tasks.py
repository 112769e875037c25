"""Scheduled work of the accounts app (see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from . import services
from .audit import record_audit
from .models import AuditEntry


@shared_task(name="accounts.tasks.apply_retention")
def apply_retention() -> dict[str, object]:
    """Nightly: anonymise personal data past the retention time and remove old access
    log lines. Safe to run twice."""
    result = services.apply_retention()
    return {
        "cutoff": result.cutoff.isoformat(),
        "registrations": result.registrations,
        "access_entries": result.access_entries,
        "feedback_contacts": result.feedback_contacts,
    }


# The name is the one the deploy checks have always sent (docs/deploy.md): it stays pinned
# although the task now lives with the audit trail it writes to.
@shared_task(name="kohtaamo.tasks.ping_database")
def ping_database(*, marker: str) -> dict[str, str]:
    """Write one audit line from the worker: proves broker, worker and database all work.

    Idempotent: the same marker is written at most once.
    """
    if not AuditEntry.objects.filter(action="ops.ping", object_label=marker).exists():
        record_audit(actor=None, action="ops.ping", label=marker)
    return {"marker": marker}
