"""Account operations: roles, the audit log, account deletion and data retention."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accessibility.services import clear_old_feedback_contacts
from events.registration.services import anonymise_old_registrations, erase_answers_after_events
from events.registration.services import erase_person as erase_from_events
from networks.services import erase_person as erase_from_networks

from .audit import record_access, record_audit
from .models import AccessChannel, AuditEntry, new_token
from .privacy import personal_data_json
from .roles import Role, acting_as, grant_role


class UnknownPersonError(Exception):
    pass


@transaction.atomic
def grant_role_by_email(*, email: str, role: Role, by=None):
    try:
        user = get_user_model().objects.get(email__iexact=email.strip())
    except get_user_model().DoesNotExist as exc:
        raise UnknownPersonError(email) from exc
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


def _erasers():
    """Each app erases its own part of a person, in this order, inside one transaction.

    Accounts knows only this list: the shape of each app's rows is that app's business.
    (recordings keeps no personal data beyond staff ids, which the database sets NULL.)
    """
    return [erase_from_events, erase_from_networks]


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete a person's account; anonymise what counts in totals instead of deleting it.

    Registrations, attendance, feedback scores and memberships stay as anonymous rows
    (organisation, status, attendance, dates kept), so every report of the past gives
    the same numbers afterwards. Places at events still to come are cancelled like any
    other cancellation (the waitlist moves up). Deleting twice is harmless.
    """
    user = get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if user is None:
        return
    for erase in _erasers():
        erase(person=user)
    record_audit(actor=None, action="account.deleted", obj=user, label=f"#{user.pk}")
    user.delete()


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.datetime
    registrations: int
    dry_run: bool
    access_entries: int = 0  # access log lines removed (or, dry run, due)
    feedback_contacts: int = 0  # accessibility feedback senders' contacts cleared (or due)
    answers: int = 0  # registrations whose answers to registration questions were erased


def _access_entries_due(*, now: dt.datetime):
    """Access log lines (a channel set) older than ACCESS_LOG_RETENTION_DAYS."""
    cutoff = now - dt.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    return AuditEntry.objects.exclude(channel="").filter(at__lt=cutoff)


def apply_retention(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionResult:
    """Anonymise guests' and past events' personal data older than RETENTION_MONTHS, clear
    the contact details of accessibility feedback received before the same cut-off, erase
    the answers to registration questions of events that ended ANSWERS_RETENTION_DAYS ago,
    and remove access log lines older than ACCESS_LOG_RETENTION_DAYS.

    Idempotent: rows already anonymised are left alone, so a second run changes nothing.
    """
    now = now or timezone.now()
    cutoff = retention_cutoff(now=now)
    feedback_cutoff = timezone.localdate(cutoff)
    answers_cutoff = now - dt.timedelta(days=settings.ANSWERS_RETENTION_DAYS)
    if dry_run:
        return RetentionResult(
            cutoff=cutoff,
            registrations=anonymise_old_registrations(cutoff=cutoff, now=now, dry_run=True),
            dry_run=True,
            access_entries=_access_entries_due(now=now).count(),
            feedback_contacts=clear_old_feedback_contacts(before=feedback_cutoff, dry_run=True),
            answers=erase_answers_after_events(ended_before=answers_cutoff, dry_run=True),
        )
    with transaction.atomic():
        done = anonymise_old_registrations(cutoff=cutoff, now=now)
        pruned, _by_model = _access_entries_due(now=now).delete()
        contacts = clear_old_feedback_contacts(before=feedback_cutoff)
        answers = erase_answers_after_events(ended_before=answers_cutoff)
        if done or pruned or contacts or answers:
            record_audit(
                actor=None,
                action="retention.applied",
                label=f"{cutoff:%Y-%m-%d}",
                registrations=done,
                access_entries=pruned,
                feedback_contacts=contacts,
                answers=answers,
            )
    return RetentionResult(
        cutoff=cutoff,
        registrations=done,
        dry_run=False,
        access_entries=pruned,
        feedback_contacts=contacts,
        answers=answers,
    )


def export_personal_data(*, user, channel: AccessChannel) -> str:
    """Everything the service holds about `user`, as the JSON of the download (the page's
    and the API's), with the export written to the access log (`channel`: how it left)."""
    body = personal_data_json(user=user)
    record_access(
        actor=user, action="personal_data.exported", target=user, count=1, channel=channel
    )
    return body


@transaction.atomic
def rotate_calendar_token(*, user) -> str:
    """Give the person a new private calendar address; the old one stops working at once."""
    user.calendar_token = new_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


# --- API tokens ----------------------------------------------------------------------------


@transaction.atomic
def create_api_token(*, user) -> str:
    """A new API token for the person, replacing any earlier one (which stops working at once).
    The key is returned to be shown once; the profile page never shows it again."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record_audit(actor=user, action="api_token.created", obj=user)
    return token.key


@transaction.atomic
def revoke_api_token(*, user) -> bool:
    """Delete the person's API token; programs that use it get 401 from now on."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        record_audit(actor=user, action="api_token.revoked", obj=user)
    return bool(deleted)
