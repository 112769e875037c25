"""Account operations: roles and the audit log."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models, transaction

from .models import AuditEntry
from .roles import Role, grant_role


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


class UnknownPerson(Exception):
    pass


@transaction.atomic
def grant_role_by_email(*, email: str, role: Role, by=None):
    User = get_user_model()
    try:
        user = User.objects.get(email__iexact=email.strip())
    except User.DoesNotExist as exc:
        raise UnknownPerson(email) from exc
    grant_role(user, role)
    record_audit(actor=by, action="role.granted", obj=user, role=role.value)
    return user
