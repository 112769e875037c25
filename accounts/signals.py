"""Audit every role change, however it is made (admin, command, code).

Roles are Django groups, so a change of `User.groups` is a role change. The person
who made it is taken from `accounts.roles.acting_as(...)`, set by the admin and by services.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed

from .audit import record_audit
from .models import User
from .roles import acting_user


def _record(users, group_names: list[str], *, granted: bool) -> None:
    action = "role.granted" if granted else "role.revoked"
    for person in users:
        person.__dict__.pop("_kohtaamo_roles", None)
        for name in group_names:
            record_audit(actor=acting_user(), action=action, obj=person, role=name)


def audit_group_change(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action == "pre_clear":
        # Remember what is about to go, to record it after the clear.
        if reverse:
            instance._audit_cleared = list(instance.user_set.all())
        else:
            instance._audit_cleared = list(instance.groups.values_list("name", flat=True))
        return
    if action == "post_clear":
        cleared = getattr(instance, "_audit_cleared", [])
        if reverse:
            _record(cleared, [instance.name], granted=False)
        else:
            _record([instance], cleared, granted=False)
        return
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    granted = action == "post_add"
    if reverse:  # group.user_set.add(...)
        _record(User.objects.filter(pk__in=pk_set).order_by("pk"), [instance.name], granted=granted)
    else:
        groups = Group.objects.filter(pk__in=pk_set).order_by("name")
        names = list(groups.values_list("name", flat=True))
        _record([instance], names, granted=granted)


def connect() -> None:
    m2m_changed.connect(
        audit_group_change, sender=User.groups.through, dispatch_uid="audit_group_change"
    )
