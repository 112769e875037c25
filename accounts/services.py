"""Account operations: roles, the audit log, account deletion and data retention."""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .models import AuditEntry, new_token
from .roles import Role, grant_role
from .signals import acting_as


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
    with acting_as(by):
        grant_role(user, role)  # audited by accounts.signals
    return user


# --- Privacy: account deletion and retention -----------------------------------------


def _months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same wall-clock moment `months` calendar months earlier (day clipped to month end)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_cutoff(*, now: dt.datetime | None = None) -> dt.datetime:
    """Personal data of events that ended before this moment is anonymised."""
    return _months_before(now or timezone.now(), settings.RETENTION_MONTHS)


ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"


def _pseudonym() -> str:
    """A random stand-in address (RFC 2606 `.invalid`: never delivered, never a person's)."""
    return f"removed-{secrets.token_hex(8)}@{ANONYMISED_EMAIL_DOMAIN}"


def _anonymise_registrations(registration_ids: list[int], *, now: dt.datetime) -> int:
    """Remove the person from registrations; keep event, organisation, status and attendance.

    The e-mail becomes a random stand-in shared by the rows of one person in this run, so
    the reports' "unique participants" (one key per person) count the same afterwards,
    while nothing links the rows to the person any more. The guest link token is replaced
    so an old link no longer opens (or cancels) the row.
    """
    from events.models import Feedback, Registration

    fields = ["user", "name", "email", "language", "token", "anonymised_at"]
    stand_ins: dict[str, str] = {}
    done = 0
    for start in range(0, len(registration_ids), 500):
        chunk = registration_ids[start : start + 500]
        rows = list(Registration.objects.filter(pk__in=chunk, anonymised_at__isnull=True))
        for row in rows:
            person_key = f"u:{row.user_id}" if row.user_id else f"e:{row.email.lower()}"
            known = bool(row.user_id or row.email)
            row.email = stand_ins.setdefault(person_key, _pseudonym()) if known else ""
            row.user = None
            row.name = ""
            row.language = ""
            row.token = new_token()
            row.anonymised_at = now
        Registration.objects.bulk_update(rows, fields)
        # Scores and comments stay (they count in the totals); the browser session link goes.
        Feedback.objects.filter(registration_id__in=chunk).exclude(session_key="").update(
            session_key=""
        )
        done += len(rows)
    return done


def _rekey_attendance_people(imports, *, chosen) -> int:
    """Replace the per-person keys in Teams import summaries with random ones.

    Imports keep who-was-there as hashes of the person's identity, so that a second file
    of the same event counts a person once. A hash of an e-mail can be matched again by
    hashing the address, so it is personal data: random keys (the same one for the same
    person within an event) keep every count and the merging of later files exact.
    """
    stand_ins: dict[tuple[int, str], str] = {}
    changed = 0
    for row in imports.order_by("pk"):
        people = (row.summary or {}).get("people") or {}
        rekeyed = {}
        for key, person in people.items():
            if chosen(person):
                key = stand_ins.setdefault((row.event_id, key), "r" + secrets.token_hex(15))
            rekeyed[key] = person
        if rekeyed != people:
            row.summary = {**row.summary, "people": rekeyed}
            row.save(update_fields=["summary"])
            changed += 1
    return changed


def _cancel_upcoming_registrations(*, user, now: dt.datetime) -> None:
    """A deleted person's places at events still to come are freed, not kept by nobody."""
    from events.models import Registration, RegistrationStatus

    Registration.objects.filter(user=user, event__ends_at__gte=now).exclude(
        status=RegistrationStatus.CANCELLED
    ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)


def _anonymise_memberships(*, user, now: dt.datetime) -> None:
    from networks.models import Membership, MembershipStatus

    memberships = Membership.objects.filter(user=user)
    memberships.filter(status=MembershipStatus.ACTIVE).update(
        status=MembershipStatus.LEFT, left_on=timezone.localdate(now)
    )
    memberships.filter(status__in=[MembershipStatus.PENDING, MembershipStatus.INVITED]).update(
        status=MembershipStatus.LEFT
    )
    rows = list(Membership.objects.filter(user=user))
    for row in rows:
        row.user = None
        row.invited_email = ""
        row.invited_name = ""
        row.invitation_token = ""
        row.decision_message = ""
        row.show_email = row.show_phone = row.show_title = False
        row.unsubscribe_token = new_token()
        row.anonymised_at = now
    Membership.objects.bulk_update(
        rows,
        [
            "user",
            "invited_email",
            "invited_name",
            "invitation_token",
            "decision_message",
            "show_email",
            "show_phone",
            "show_title",
            "unsubscribe_token",
            "anonymised_at",
        ],
    )


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete a person's account; anonymise what counts in totals instead of deleting it.

    Registrations, attendance, feedback scores and memberships stay as anonymous rows
    (organisation, status, attendance, dates kept), so every report of the past gives
    the same numbers afterwards. Places at events still to come are cancelled.
    """
    from events.models import AttendanceImport, Presenter, Registration

    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    _cancel_upcoming_registrations(user=user, now=now)
    mine = list(Registration.objects.filter(user=user).values_list("pk", "event_id"))
    registration_ids = {pk for pk, _event in mine}
    _rekey_attendance_people(
        AttendanceImport.objects.filter(event_id__in={event for _pk, event in mine}),
        chosen=lambda person: person.get("registration") in registration_ids,
    )
    _anonymise_registrations(sorted(registration_ids), now=now)
    _anonymise_memberships(user=user, now=now)
    Presenter.objects.filter(user=user).update(user=None)
    record_audit(actor=None, action="account.deleted", obj=user, label=f"#{user.pk}")
    user.delete()


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.datetime
    registrations: int
    dry_run: bool


def _registrations_due(*, cutoff: dt.datetime):
    from events.models import Registration

    return Registration.objects.filter(anonymised_at__isnull=True).filter(
        Q(event__ends_at__lt=cutoff) | Q(user__isnull=True, created_at__lt=cutoff)
    )


def _anonymise_old_attendance_imports(*, cutoff: dt.datetime) -> int:
    """Teams per-person data of old events: random keys instead of identity hashes."""
    from events.models import AttendanceImport

    due = [
        row.pk
        for row in AttendanceImport.objects.filter(event__ends_at__lt=cutoff).only("summary")
        if not (row.summary or {}).get("anonymised")
    ]
    imports = AttendanceImport.objects.filter(pk__in=due)
    _rekey_attendance_people(imports, chosen=lambda person: True)
    for row in imports:
        row.summary = {**(row.summary or {}), "anonymised": True}
        row.save(update_fields=["summary"])
    return len(due)


def apply_retention(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionResult:
    """Anonymise guests' and past events' personal data older than RETENTION_MONTHS.

    Idempotent: rows already anonymised are left alone, so a second run changes nothing.
    """
    now = now or timezone.now()
    cutoff = retention_cutoff(now=now)
    due_ids = list(_registrations_due(cutoff=cutoff).values_list("pk", flat=True))
    if dry_run:
        return RetentionResult(cutoff=cutoff, registrations=len(due_ids), dry_run=True)
    with transaction.atomic():
        done = _anonymise_registrations(due_ids, now=now)
        _anonymise_old_attendance_imports(cutoff=cutoff)
        if done:
            record_audit(
                actor=None,
                action="retention.applied",
                label=f"{cutoff:%Y-%m-%d}",
                registrations=done,
            )
    return RetentionResult(cutoff=cutoff, registrations=done, dry_run=False)


@transaction.atomic
def rotate_calendar_token(*, user) -> str:
    """Give the person a new private calendar address; the old one stops working at once."""
    user.calendar_token = new_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
