"""The one place that answers "may this person do this".

Roles are Django groups. Views, the API, admin and templates all ask here.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ORGANISER = "organiser"
    COMMUNICATIONS = "communications"
    REPORTING = "reporting"


ROLE_LABELS = {
    Role.ORGANISER: _("Organiser"),
    Role.COMMUNICATIONS: _("Communications"),
    Role.REPORTING: _("Reporting"),
}


class Ability(StrEnum):
    MANAGE_EVENTS = "manage_events"
    MANAGE_ATTENDANCE = "manage_attendance"
    VIEW_PARTICIPANTS = "view_participants"
    MANAGE_RECORDINGS = "manage_recordings"
    PUBLISH_RECORDINGS = "publish_recordings"
    OVERRIDE_PUBLICATION = "override_publication"
    EDIT_CAPTION_POLICY = "edit_caption_policy"
    EDIT_ACCESSIBILITY_STATEMENT = "edit_accessibility_statement"
    VIEW_REPORTS = "view_reports"
    MANAGE_NETWORKS = "manage_networks"
    VIEW_AUDIT_LOG = "view_audit_log"
    # The programme's archive holds every table (personal data too, when kept): admins only.
    EXPORT_ARCHIVE = "export_archive"


# Which role grants which abilities. Superusers may do everything.
ROLE_ABILITIES: dict[Role, frozenset[Ability]] = {
    Role.ORGANISER: frozenset(
        {
            Ability.MANAGE_EVENTS,
            Ability.MANAGE_ATTENDANCE,
            Ability.VIEW_PARTICIPANTS,
            Ability.MANAGE_RECORDINGS,
            Ability.VIEW_REPORTS,
            Ability.MANAGE_NETWORKS,
        }
    ),
    Role.COMMUNICATIONS: frozenset(
        {
            Ability.MANAGE_RECORDINGS,
            Ability.PUBLISH_RECORDINGS,
            Ability.EDIT_CAPTION_POLICY,
            Ability.EDIT_ACCESSIBILITY_STATEMENT,
        }
    ),
    Role.REPORTING: frozenset({Ability.VIEW_REPORTS}),
}
SUPERUSER_ONLY = frozenset(
    {Ability.OVERRIDE_PUBLICATION, Ability.VIEW_AUDIT_LOG, Ability.EXPORT_ARCHIVE}
)


def roles_of(user) -> frozenset[Role]:
    """The roles of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kohtaamo_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._kohtaamo_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    return bool(getattr(user, "is_superuser", False)) or role in roles_of(user)


def can(user, ability: Ability) -> bool:
    """May this user do this? The single answer used everywhere."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if ability in SUPERUSER_ONLY:
        return False
    return any(ability in ROLE_ABILITIES[role] for role in roles_of(user))


def is_staff_member(user) -> bool:
    """Anyone with a role (or admin): may see the staff navigation."""
    return bool(getattr(user, "is_superuser", False)) or bool(roles_of(user))


def ensure_role_groups() -> dict[Role, Group]:
    return {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}


_acting: contextvars.ContextVar = contextvars.ContextVar("kohtaamo_audit_actor", default=None)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Role changes inside this block are recorded (accounts.signals) as made by `user`."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_user():
    """The person `acting_as` names for the role changes made now, or None."""
    return _acting.get()


def grant_role(user, role: Role) -> None:
    groups = ensure_role_groups()
    user.groups.add(groups[role])
    user.__dict__.pop("_kohtaamo_roles", None)


def revoke_role(user, role: Role) -> None:
    groups = ensure_role_groups()
    user.groups.remove(groups[role])
    user.__dict__.pop("_kohtaamo_roles", None)
