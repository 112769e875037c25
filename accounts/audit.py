"""The audit trail and the access log: one line per change, one line per look at personal data.

Every app writes its lines here (and imports nothing else of accounts for it), so that the
audit trail is a leaf that any service can use without an import cycle.
"""

from __future__ import annotations

from django.db import models

from .models import AccessChannel, AuditEntry


def record_audit(
    *, actor, action: str, obj: models.Model | None = None, label: str = "", **details
) -> AuditEntry:
    """Write one audit line. Keeps text copies so the line outlives actor and object."""
    actor_label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor.email
    else:
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label or str(obj))[:300] if obj is not None or label else "",
        details={k: v for k, v in details.items() if v is not None},
    )


def record_access(
    *,
    actor,
    action: str,
    target: models.Model | type[models.Model] | None,
    count: int,
    channel: AccessChannel | str,
    filtered: bool = False,
) -> AuditEntry:
    """Log that `actor` viewed or exported personal data (the access log, tiedonhallintalaki
    906/2019 §17): one line per page, export or API read, however many people it showed.

    The line holds ids only — the actor's id, the object's model label and id, the number
    of people, the channel — never a name, an e-mail address or a search term: a filter
    is recorded only as `filtered`. `target` is the row whose people were shown (an
    event, a network, a person), or a model for a list across many.

    One INSERT and nothing else (no transaction, no lookups), so a list page gains exactly
    one query. Lines older than ACCESS_LOG_RETENTION_DAYS are removed by `apply_retention`.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=f"#{actor.pk}" if actor is not None else "",
        action=action,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if isinstance(target, models.Model) else "",
        details={"filtered": True} if filtered else {},
        channel=AccessChannel(channel),
        people_count=max(int(count), 0),
    )
