"""Domain operations of events: registration, waitlist, attendance (and, below, planning).

Every write is a plain function with keyword-only arguments. Capacity rules run with the
event row locked (`SELECT … FOR UPDATE` on PostgreSQL), so that no two requests can
confirm more people than there are seats. E-mails are queued after commit (events.tasks).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.services import record_audit
from kohtaamo.errors import DomainError
from kohtaamo.uploads import check_upload

from . import selectors, teams
from . import tasks as notice_tasks
from .models import (
    AttendanceImport,
    AttendanceSource,
    Audience,
    Event,
    EventChange,
    EventMaterial,
    EventStatus,
    Feedback,
    Presenter,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Series,
    new_token,
)

# --- Registration -------------------------------------------------------------------


class EventsError(DomainError):
    """A domain error of events, with a message for the person."""


class RegistrationClosed(EventsError):
    """Registration is not possible; `reason` says why (past, cancelled, not_open, ...)."""

    MESSAGES = {
        "past": _("This event is already over."),
        "cancelled": _("This event has been cancelled."),
        "not_published": _("This event is not open for registration."),
        "not_open": _("Registration has not opened yet."),
        "closed": _("Registration has closed."),
        "drop_in": _("No registration is needed: just join the session."),
        "full": _("The event is full and has no waitlist."),
        "audience": _(
            "This event is for members of certain networks only, and you are not an active "
            "member of any of them."
        ),
    }

    def __init__(self, reason: str, message=None) -> None:
        self.reason = reason
        super().__init__(message if message is not None else self.MESSAGES[reason])


class CapacityBelowConfirmed(EventsError):
    default_message = _("The capacity cannot be lower than the number of confirmed participants.")


class RegistrationStateError(EventsError):
    default_message = _("This registration cannot be changed that way.")


class InvalidRegistrationLink(EventsError):
    default_message = _("This registration link is not valid.")


class AttendanceError(EventsError):
    default_message = _("Attendance cannot be recorded for this event.")


ACTIVE_STATUSES = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)


def _queue(task, *args) -> None:
    """Write a notification (a task of events.tasks) to the outbox in this transaction."""
    notice_tasks.queue(task, *args)


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _is_audience_member(event: Event, person) -> bool:
    """Uses the `audience_member` annotation (selectors.with_availability) when present."""
    from networks.models import Membership, MembershipStatus

    if person is None or not getattr(person, "is_authenticated", False):
        return False
    annotated = getattr(event, "audience_member", None)
    if annotated is not None:
        return annotated
    return Membership.objects.filter(
        user=person,
        status=MembershipStatus.ACTIVE,
        network__in=event.audience_networks.all(),
    ).exists()


ALREADY_REGISTERED = _("You are already registered for this event.")


@dataclass(frozen=True)
class RegistrationAvailability:
    """May this person register for the event now, and what would happen.

    The page, the API and `register` itself read this one answer.
    """

    may_register: bool
    reason: str = ""  # why not: a RegistrationClosed reason or "registered"; "" if may
    seats_left: int | None = None  # None: no limit
    waitlist_open: bool = False  # a new registration goes to the waitlist
    status: str = ""  # the person's registration status ("" for none or cancelled)

    @property
    def already_registered(self) -> bool:
        return bool(self.status)

    @property
    def message(self):
        """Why not, in the person's language (lazy); None when they may register."""
        if self.reason == "registered":
            return ALREADY_REGISTERED
        return RegistrationClosed.MESSAGES.get(self.reason)


_UNREAD = object()


def _active_status(event: Event, person, registration) -> str:
    """The person's registration status for the event, "" for none or cancelled.

    `registration`: the row when the caller has read it (None: none); otherwise the
    `my_status` annotation (selectors.with_availability) or one query."""
    if registration is _UNREAD:
        if hasattr(event, "my_status"):
            status = event.my_status or ""
        elif person is not None and getattr(person, "is_authenticated", False):
            status = (
                event.registrations.filter(user=person).values_list("status", flat=True).first()
                or ""
            )
        else:
            status = ""
    else:
        status = registration.status if registration is not None else ""
    return "" if status == RegistrationStatus.CANCELLED else status


def registration_availability(
    *, event: Event, person=None, staff: bool = False, registration=_UNREAD
) -> RegistrationAvailability:
    """The one answer to "may this person register now?" (staff skip windows and audience).

    Reads the `confirmed_total`, `my_status` and `audience_member` annotations of
    `selectors.with_availability` when present, so a list asks no query per event;
    `register` calls it again with the event row locked, where it counts afresh.
    """
    seats = selectors.seats_left(event)
    status = _active_status(event, person, registration)

    def refused(reason: str) -> RegistrationAvailability:
        return RegistrationAvailability(
            may_register=False, reason=reason, seats_left=seats, status=status
        )

    now = timezone.now()
    if event.status == EventStatus.CANCELLED:
        return refused("cancelled")
    if event.status != EventStatus.PUBLISHED:
        return refused("not_published")
    if event.ends_at <= now:
        return refused("past")
    if event.registration_mode == RegistrationMode.DROP_IN:
        return refused("drop_in")
    if status:
        return refused("registered")
    if not staff:
        if event.registration_opens_at and now < event.registration_opens_at:
            return refused("not_open")
        if now >= (event.registration_closes_at or event.starts_at):
            return refused("closed")
        if event.audience == Audience.NETWORKS and not _is_audience_member(event, person):
            return refused("audience")
    full = seats == 0
    if full and event.registration_mode != RegistrationMode.WAITLIST:
        return refused("full")
    return RegistrationAvailability(
        may_register=True, seats_left=seats, waitlist_open=full, status=status
    )


def _place(registration: Registration, availability: RegistrationAvailability) -> None:
    """Confirm or waitlist as `availability` (computed with the event row locked) says."""
    if not availability.may_register:
        raise RegistrationClosed(availability.reason)
    if availability.waitlist_open:
        registration.status = RegistrationStatus.WAITLISTED
        registration.confirmed_at = None
    else:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = timezone.now()


def _announce_placement(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        _queue(
            notice_tasks.send_registration_confirmed,
            registration.pk,
            _stamp(registration.confirmed_at),
        )
    elif registration.status == RegistrationStatus.WAITLISTED:
        _queue(notice_tasks.send_waitlisted, registration.pk, _stamp(registration.created_at))


def _stamp(moment) -> str:
    return moment.isoformat() if moment else ""


def _find_existing(event: Event, person, email: str) -> Registration | None:
    condition = Q(user=person) if person is not None else Q(email=email)
    if person is not None and person.email:
        condition |= Q(email=person.email.lower())
    return event.registrations.filter(condition).order_by("pk").first()


def _person_details(person) -> dict:
    return {
        "name": person.display_name or person.email,
        "email": person.email.lower(),
        "organisation_name": person.organisation_label or "",
        "organisation_id": person.organisation_id,
    }


def register(
    *,
    event: Event,
    person=None,
    guest_name: str = "",
    guest_email: str = "",
    guest_organisation: str = "",
    by=None,
) -> Registration:
    """Register a person (confirmed or waitlisted at once) or a guest (pending until the
    e-mailed link is opened). A second attempt returns the existing registration; a
    cancelled one is reactivated. `by` is set when staff register someone else."""
    guest_email = guest_email.strip().lower()
    if person is None and not guest_email:
        raise EventsError(_("An e-mail address is needed to register."))
    staff = by is not None and by != person
    try:
        with transaction.atomic():
            return _register_locked(
                event=event,
                person=person,
                guest_name=guest_name.strip(),
                guest_email=guest_email,
                guest_organisation=guest_organisation.strip(),
                by=by,
                staff=staff,
            )
    except IntegrityError:
        # The unique constraints caught a duplicate that slipped past the lock.
        existing = _find_existing(event, person, guest_email)
        if existing is None:
            raise
        return existing


def _register_locked(
    *, event, person, guest_name, guest_email, guest_organisation, by, staff
) -> Registration:
    event = _lock_event(event)
    existing = _find_existing(event, person, guest_email)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        if staff and existing.status == RegistrationStatus.PENDING:
            _place(existing, registration_availability(event=event, staff=True, registration=None))
            existing.save(update_fields=["status", "confirmed_at"])
            _announce_placement(existing)
        elif existing.status == RegistrationStatus.PENDING:
            # Send the link again, at most once an hour.
            key = "again:" + timezone.now().strftime("%Y%m%d%H")
            _queue(notice_tasks.send_guest_confirmation_link, existing.pk, key)
        return existing
    availability = registration_availability(
        event=event, person=person, staff=staff, registration=existing
    )
    if not availability.may_register:
        raise RegistrationClosed(availability.reason)
    registration = existing or Registration(event=event)
    if person is not None:
        details = _person_details(person)
        registration.user = person
        registration.name = details["name"]
        registration.email = details["email"]
        registration.organisation_name = details["organisation_name"]
        registration.organisation_id = details["organisation_id"]
    else:
        registration.name = guest_name or registration.name
        registration.email = guest_email
        registration.organisation_name = guest_organisation or registration.organisation_name
    registration.language = translation.get_language() or ""
    registration.created_at = timezone.now()
    registration.cancelled_at = None
    registration.reminder_sent_at = None
    if person is None and not staff:
        registration.status = RegistrationStatus.PENDING
        registration.confirmed_at = None
    else:
        _place(registration, availability)
    with transaction.atomic():
        registration.save()
    if registration.status == RegistrationStatus.PENDING:
        _queue(
            notice_tasks.send_guest_confirmation_link,
            registration.pk,
            _stamp(registration.created_at),
        )
    else:
        _announce_placement(registration)
    if staff:
        record_audit(
            actor=by,
            action="registration.created_by_staff",
            obj=registration,
            event_id=event.pk,
            status=registration.status,
        )
    return registration


def register_someone(
    *,
    event: Event,
    by,
    person=None,
    name: str = "",
    email: str = "",
    organisation: str = "",
) -> Registration:
    """An organiser registers a person or a guest: confirmed at once (waitlisted if full);
    registration windows and audience limits do not apply."""
    if person is None:
        from django.contrib.auth import get_user_model

        person = get_user_model().objects.filter(email__iexact=email.strip()).first()
    return register(
        event=event,
        person=person,
        guest_name=name,
        guest_email=email,
        guest_organisation=organisation,
        by=by,
    )


def registration_by_token(token: str) -> Registration:
    registration = (
        Registration.objects.select_related("event__theme", "user")
        .filter(token=token, anonymised_at__isnull=True)
        .first()
    )
    if registration is None or not token:
        raise InvalidRegistrationLink()
    return registration


def confirm_guest_registration(*, token: str) -> Registration:
    """The guest opened the e-mailed link and pressed confirm: capacity rules apply now."""
    with transaction.atomic():
        registration = registration_by_token(token)
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.PENDING:
            if registration.status == RegistrationStatus.CANCELLED:
                raise RegistrationStateError(_("This registration has been cancelled."))
            return registration
        _place(registration, registration_availability(event=event, registration=None))
        registration.save(update_fields=["status", "confirmed_at"])
        _announce_placement(registration)
        return registration


def cancel_registration(*, registration: Registration, by=None) -> Registration:
    """Cancel a registration (the person, a guest by link, or staff) and promote the
    first on the waitlist into a freed seat."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        if event.ends_at <= timezone.now():
            raise RegistrationClosed("past")
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        was_pending = registration.status == RegistrationStatus.PENDING
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if not was_pending:
            _queue(
                notice_tasks.send_registration_cancelled,
                registration.pk,
                _stamp(registration.cancelled_at),
                was_confirmed,
            )
        if by is not None and registration.user_id != getattr(by, "pk", None):
            record_audit(
                actor=by,
                action="registration.cancelled_by_staff",
                obj=registration,
                event_id=event.pk,
            )
        if was_confirmed:
            _promote_waiting(event)
        registration.event = event
        return registration


def _promote_waiting(event: Event) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served (event row locked)."""
    if event.status != EventStatus.PUBLISHED or event.ends_at <= timezone.now():
        return []
    waiting = event.registrations.select_for_update().filter(status=RegistrationStatus.WAITLISTED)
    if event.capacity is not None:
        free = selectors.seats_left(event)
        if free <= 0:
            return []
        waiting = waiting.order_by("created_at", "pk")[:free]
    else:
        waiting = waiting.order_by("created_at", "pk")
    promoted = list(waiting)
    now = timezone.now()
    for registration in promoted:
        _confirm_from_waitlist(registration, now)
    return promoted


def _confirm_from_waitlist(registration: Registration, now) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.save(update_fields=["status", "confirmed_at"])
    _queue(notice_tasks.send_promoted, registration.pk, _stamp(now))


def set_capacity(*, event: Event, capacity: int | None, by) -> list[Registration]:
    """Change the number of seats; promote from the waitlist into new seats.

    Refuses a capacity below the number already confirmed. Returns the promoted."""
    if capacity is not None and capacity < 0:
        raise CapacityBelowConfirmed(_("The capacity cannot be negative."))
    with transaction.atomic():
        locked = _lock_event(event)
        confirmed = confirmed_count(locked)
        if capacity is not None and capacity < confirmed:
            raise CapacityBelowConfirmed(
                _(
                    "The capacity cannot be %(capacity)s: %(confirmed)s people are already "
                    "confirmed."
                )
                % {"capacity": capacity, "confirmed": confirmed}
            )
        old = locked.capacity
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
        promoted = _promote_waiting(locked)
        record_audit(
            actor=by,
            action="event.capacity_changed",
            obj=locked,
            old=old,
            new=capacity,
            promoted=len(promoted),
        )
        event.capacity = capacity
        return promoted


def promote_from_waitlist(*, registration: Registration, by) -> Registration:
    """An organiser moves one person off the waitlist (only into a free seat)."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.WAITLISTED:
            raise RegistrationStateError(_("This person is not on the waitlist."))
        if selectors.seats_left(event) == 0:
            raise RegistrationStateError(
                _("The event is full. Raise the capacity or wait for a cancellation first.")
            )
        _confirm_from_waitlist(registration, timezone.now())
        record_audit(
            actor=by, action="registration.promoted_by_staff", obj=registration, event_id=event.pk
        )
        return registration


def mark_attendance(*, registrations: Iterable[Registration], attended: bool, by) -> int:
    """Check-in: mark registrations as attended or not (bulk). Returns how many changed."""
    ids = [r.pk for r in registrations]
    if not ids:
        return 0
    with transaction.atomic():
        rows = Registration.objects.filter(
            pk__in=ids, status=RegistrationStatus.CONFIRMED
        ).select_related("event")
        event_ids = sorted({r.event_id for r in rows})
        changed = rows.update(attended=attended, attendance_source="check_in")
        for event_id in event_ids:
            record_audit(
                actor=by,
                action="attendance.checked_in",
                obj=Event.objects.get(pk=event_id),
                attended=attended,
                count=changed,
            )
        return changed


def record_headcount(*, event: Event, headcount: int | None, by) -> Event:
    """Drop-in sessions: how many took part (None clears it)."""
    if event.registration_mode != RegistrationMode.DROP_IN:
        raise AttendanceError(
            _("A headcount is for drop-in sessions; use the check-in list for this event.")
        )
    if headcount is not None and headcount < 0:
        raise AttendanceError(_("The headcount cannot be negative."))
    with transaction.atomic():
        locked = _lock_event(event)
        old = locked.headcount
        locked.headcount = headcount
        locked.save(update_fields=["headcount", "updated_at"])
        record_audit(actor=by, action="attendance.headcount", obj=locked, old=old, new=headcount)
    event.headcount = headcount
    return event


# --- Privacy: erasure and retention of registrations -----------------------------------
# Called by accounts (delete_account, apply_retention); events owns the shape of its rows.

ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"


def _pseudonym() -> str:
    """A random stand-in address (RFC 2606 `.invalid`: never delivered, never a person's)."""
    return f"removed-{secrets.token_hex(8)}@{ANONYMISED_EMAIL_DOMAIN}"


def _anonymise_registrations(registration_ids: list[int], *, now: _dt.datetime) -> int:
    """Remove the person from registrations; keep event, organisation, status and attendance.

    The e-mail becomes a random stand-in shared by the rows of one person in this run, so
    the reports' "unique participants" (one key per person) count the same afterwards,
    while nothing links the rows to the person any more. The guest link token is replaced
    so an old link no longer opens (or cancels) the row.
    """
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


def erase_person(*, person) -> int:
    """Events' part of deleting an account (accounts.services.delete_account calls it).

    Places at events still to come are cancelled through `cancel_registration`, like any
    other cancellation: the first on the waitlist gets the seat and is told, the feeds
    hear of it. (The person is not written to: their row is anonymised before the
    notice task reads it.) Then every registration of the person is anonymised, their
    identity hashes in Teams import summaries replaced and presenter profiles unlinked.
    Idempotent: a second call finds nothing of the person. Returns the rows anonymised.
    """
    with transaction.atomic():
        now = timezone.now()
        upcoming = (
            Registration.objects.filter(user=person, event__ends_at__gt=now)
            .exclude(status=RegistrationStatus.CANCELLED)
            .order_by("event_id", "pk")
        )
        for registration in upcoming:
            # An event that ended meanwhile keeps its row as history (anonymised below).
            with contextlib.suppress(RegistrationClosed):
                cancel_registration(registration=registration)
        mine = list(Registration.objects.filter(user=person).values_list("pk", "event_id"))
        registration_ids = {pk for pk, _event in mine}
        _rekey_attendance_people(
            AttendanceImport.objects.filter(event_id__in={event for _pk, event in mine}),
            chosen=lambda entry: entry.get("registration") in registration_ids,
        )
        done = _anonymise_registrations(sorted(registration_ids), now=now)
        Presenter.objects.filter(user=person).update(user=None)
    return done


def anonymise_old_registrations(
    *, cutoff: _dt.datetime, now: _dt.datetime, dry_run: bool = False
) -> int:
    """Retention: anonymise registrations of events that ended before `cutoff` and guest
    registrations made before it, and the Teams data of those events. Idempotent.

    Returns how many registrations are due (dry_run) or were anonymised."""
    due = Registration.objects.filter(anonymised_at__isnull=True).filter(
        Q(event__ends_at__lt=cutoff) | Q(user__isnull=True, created_at__lt=cutoff)
    )
    due_ids = list(due.values_list("pk", flat=True))
    if dry_run:
        return len(due_ids)
    with transaction.atomic():
        done = _anonymise_registrations(due_ids, now=now)
        _anonymise_old_attendance_imports(cutoff=cutoff)
    return done


def _anonymise_old_attendance_imports(*, cutoff: _dt.datetime) -> int:
    """Teams per-person data of old events: random keys instead of identity hashes."""
    due = [
        row.pk
        for row in AttendanceImport.objects.filter(event__ends_at__lt=cutoff).only("summary")
        if not (row.summary or {}).get("anonymised")
    ]
    imports = AttendanceImport.objects.filter(pk__in=due)
    _rekey_attendance_people(imports, chosen=lambda entry: True)
    for row in imports:
        row.summary = {**(row.summary or {}), "anonymised": True}
        row.save(update_fields=["summary"])
    return len(due)


# --- Notifications about events (called by planning) ---------------------------------

CHANGE_FIELDS_TO_ANNOUNCE = ("starts_at", "ends_at", "place", "meeting_url", "format")


def notify_event_changed(*, event: Event, changes: dict) -> bool:
    """Tell registered people that time or place changed (after commit, by task).

    changes: {field: [old, new]}. Only time, place, format and meeting link are announced;
    returns whether anything was queued. Call after raising event.sequence."""
    fields = [name for name in CHANGE_FIELDS_TO_ANNOUNCE if name in changes]
    if not fields or event.status != EventStatus.PUBLISHED:
        return False
    _queue(notice_tasks.send_event_changed, event.pk, fields, str(event.sequence))
    return True


def notify_event_cancelled(*, event: Event) -> None:
    """Tell everyone registered that the event is cancelled (after commit, by task)."""
    _queue(notice_tasks.send_event_cancelled, event.pk, _stamp(event.cancelled_at))


# --- Planning, attendance and feedback -------------------------------------------------
# Owned by the planning work (engineer "evplan"): events, series sessions, materials,
# Teams attendance import and feedback. Exported: create_event, update_event,
# cancel_event, publish_event, add_material, remove_material, create_series_sessions,
# assign_themes, import_attendance, submit_feedback.

HELSINKI = ZoneInfo("Europe/Helsinki")
EVENT_FIELDS = (
    "kind",
    "series",
    "theme",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "format",
    "meeting_url",
    "place",
    "capacity",
    "registration_mode",
    "registration_opens_at",
    "registration_closes_at",
    "audience",
    "status",
    "language",
)
EVENT_M2M_FIELDS = ("presenters", "audience_networks")
# A change to one of these raises Event.sequence (iCalendar SEQUENCE) so calendars follow.
SEQUENCE_FIELDS = ("starts_at", "ends_at", "place", "meeting_url")


class PlanningError(EventsError):
    default_message = _("The event could not be saved.")


class EventValidationError(PlanningError):
    """Field errors of an event ({field: [message, …]}); nothing was saved."""

    def __init__(self, errors: dict) -> None:
        self.errors = errors
        messages = [str(m) for msgs in errors.values() for m in msgs]
        super().__init__(" ".join(messages))


class MaterialError(EventsError):
    default_message = _("The material could not be added.")


class AttendanceImportError(EventsError):
    """The file cannot be imported; the message names the line when it can."""

    def __init__(self, message=None, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


class AttendanceAlreadyImported(AttendanceImportError):
    default_message = _(
        "This file has already been imported for this event; the numbers were not changed."
    )


class AttendanceNeedsConfirmation(AttendanceImportError):
    """The organiser can still import the file by confirming on the preview."""


class AttendanceReportMismatch(AttendanceNeedsConfirmation):
    """The report looks like another meeting's (date or title); `mismatches` says how."""

    def __init__(self, mismatches: list[ReportMismatch]) -> None:
        self.mismatches = mismatches
        super().__init__(" ".join([*(m.message for m in mismatches), str(MISMATCH_ADVICE)]))


class AttendanceMergeNotConfirmed(AttendanceNeedsConfirmation):
    default_message = _(
        "This event already has an imported Teams report. Check in the preview whom this file "
        "adds, then confirm the merge."
    )


class FeedbackError(EventsError):
    default_message = _("The feedback could not be saved.")


class FeedbackAlreadyGiven(FeedbackError):
    default_message = _("Feedback has already been given with this link. Thank you!")


def _json_value(value):
    """A value for the change history: dates as ISO text, rows as their names."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, _dt.datetime):
        return value.astimezone(HELSINKI).isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return str(value)


def _m2m_value(event: Event, name: str) -> list:
    if event.pk is None:
        return []
    return sorted(str(obj) for obj in getattr(event, name).all())


def _validate_event(event: Event) -> None:
    try:
        event.full_clean(exclude=["created_by"], validate_unique=False)
    except ValidationError as exc:
        raise EventValidationError(exc.message_dict) from exc


def _split_fields(fields: dict) -> tuple[dict, dict]:
    unknown = set(fields) - set(EVENT_FIELDS) - set(EVENT_M2M_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    plain = {k: v for k, v in fields.items() if k in EVENT_FIELDS}
    m2m = {k: list(v or []) for k, v in fields.items() if k in EVENT_M2M_FIELDS}
    return plain, m2m


def create_event(*, by, **fields) -> Event:
    """Create an event of any kind. The title may stay empty: the theme's title is shown."""
    plain, m2m = _split_fields(fields)
    if plain.get("status") == EventStatus.CANCELLED:
        raise PlanningError(_("A new event cannot be cancelled."))
    event = Event(**plain, created_by=by if getattr(by, "is_authenticated", False) else None)
    _validate_event(event)
    with transaction.atomic():
        event.save()
        for name, values in m2m.items():
            getattr(event, name).set(values)
        record_audit(actor=by, action="event.created", obj=event, status=event.status)
    return event


def update_event(*, event: Event, by, **fields) -> Event:
    """Change an event. For a published event the change is kept in EventChange
    ({field: [old, new]}) and registered people are told of time/place/link changes.
    A change of time, place or meeting link raises `sequence` (calendar feeds and
    invitations use it). Capacity goes through set_capacity (waitlist promotion).
    Raises EventValidationError / CapacityBelowConfirmed; nothing is half-saved."""
    plain, m2m = _split_fields(fields)
    with transaction.atomic():
        locked = _lock_event(event)
        if plain.get("status") == EventStatus.CANCELLED and not locked.is_cancelled:
            raise PlanningError(_("Use “Cancel the event” to cancel it, with a reason."))
        if locked.is_cancelled and plain.get("status", EventStatus.CANCELLED) != locked.status:
            raise PlanningError(_("A cancelled event cannot be published again."))
        was_published = locked.status == EventStatus.PUBLISHED
        changes: dict = {}
        new_capacity = plain.pop("capacity", locked.capacity)
        if new_capacity != locked.capacity:
            changes["capacity"] = [locked.capacity, new_capacity]
        for name, value in plain.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = [_json_value(old), _json_value(value)]
                setattr(locked, name, value)
        for name, values in m2m.items():
            old = _m2m_value(locked, name)
            new = sorted(str(obj) for obj in values)
            if old != new:
                changes[name] = [old, new]
        if not changes:
            return locked
        locked.capacity = new_capacity
        _validate_event(locked)
        if "capacity" in changes:
            set_capacity(event=locked, capacity=new_capacity, by=by)
        if any(name in changes for name in SEQUENCE_FIELDS):
            locked.sequence += 1
        locked.save()
        for name, values in m2m.items():
            if name in changes:
                getattr(locked, name).set(values)
        if was_published:
            EventChange.objects.create(event=locked, changed_by=_actor(by), changes=changes)
            notify_event_changed(event=locked, changes=changes)
        record_audit(actor=by, action="event.updated", obj=locked, fields=sorted(changes))
    _copy_state(locked, event)
    return event


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _copy_state(source: Event, target: Event) -> None:
    for f in Event._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target._state.fields_cache.clear()
    getattr(target, "_prefetched_objects_cache", {}).clear()


def publish_event(*, event: Event, by) -> Event:
    """Draft → published (a cancelled event stays cancelled)."""
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.status == EventStatus.CANCELLED:
            raise PlanningError(_("A cancelled event cannot be published again."))
        if locked.status == EventStatus.PUBLISHED:
            return locked
        _validate_event(locked)
        locked.status = EventStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        record_audit(actor=by, action="event.published", obj=locked)
    _copy_state(locked, event)
    return event


def cancel_event(*, event: Event, by, reason: str) -> Event:
    """Cancel one event: status cancelled, sequence raised, everyone registered told.
    Other sessions of the series are not touched."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.status == EventStatus.CANCELLED:
            raise PlanningError(_("This event is already cancelled."))
        was_published = locked.status == EventStatus.PUBLISHED
        old_status = locked.status
        locked.status = EventStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        if was_published:
            EventChange.objects.create(
                event=locked,
                changed_by=_actor(by),
                changes={"status": [old_status, EventStatus.CANCELLED], "reason": ["", reason]},
            )
            notify_event_cancelled(event=locked)
        record_audit(actor=by, action="event.cancelled", obj=locked, reason=reason)
    _copy_state(locked, event)
    return event


def add_material(*, event: Event, by, title: str, file=None, url: str = "") -> EventMaterial:
    """Slides as a PDF file (checked by its content, not its name) or a link."""
    title = (title or "").strip()
    if not title:
        raise MaterialError(_("Give the material a title."))
    if not file and not url:
        raise MaterialError(_("Choose a PDF file or give a link."))
    if file:
        try:
            check_upload(file, kind="slides")  # size and content; leaves the file at 0
        except ValidationError as exc:
            raise MaterialError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        position = event.materials.count()
        material = EventMaterial(event=event, title=title, url=url or "", position=position)
        if file:
            # Stored as .pdf whatever the uploaded name, so it is never served as HTML.
            stem = (file.name or "slides").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "slides"
            material.file.save(f"{stem}.pdf", file, save=False)
        material.save()
        record_audit(actor=by, action="event.material_added", obj=event, material=title)
    return material


def remove_material(*, material: EventMaterial, by) -> None:
    with transaction.atomic():
        event, title = material.event, material.title
        if material.file:
            material.file.delete(save=False)
        material.delete()
        record_audit(actor=by, action="event.material_removed", obj=event, material=title)


# --- Series sessions


def series_session_dates(series: Series, first: _dt.date, last: _dt.date) -> set[_dt.date]:
    """Helsinki dates between first and last on which the series already has a session."""
    start = _dt.datetime.combine(first, _dt.time.min, tzinfo=HELSINKI)
    end = _dt.datetime.combine(last + _dt.timedelta(days=1), _dt.time.min, tzinfo=HELSINKI)
    starts = Event.objects.filter(series=series, starts_at__gte=start, starts_at__lt=end)
    moments = starts.values_list("starts_at", flat=True)
    return {moment.astimezone(HELSINKI).date() for moment in moments}


def create_series_sessions(
    *, series: Series, dates: Iterable[_dt.date], by, status: str = EventStatus.DRAFT
) -> list[Event]:
    """Create one session of the series on each date (at the series' time, in Helsinki).
    A date on which the series already has a session is skipped, so confirming twice
    creates no duplicates. Returns the sessions created."""
    dates = sorted(set(dates))
    if not dates:
        return []
    if status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise PlanningError(_("New sessions are drafts or published."))
    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=series.pk)
        existing = series_session_dates(series, dates[0], dates[-1])
        created = []
        for day in dates:
            if day in existing:
                continue
            event = _session_for(series, day, status, by)
            _validate_event(event)
            event.save()
            created.append(event)
        record_audit(
            actor=by,
            action="series.sessions_created",
            obj=series,
            count=len(created),
            first=str(dates[0]),
            last=str(dates[-1]),
        )
    return created


def _session_for(series: Series, day: _dt.date, status: str, by) -> Event:
    start_time = series.start_time
    if isinstance(start_time, str):
        start_time = _dt.time.fromisoformat(start_time)
    starts_at = _dt.datetime.combine(day, start_time, tzinfo=HELSINKI)
    return Event(
        kind=series.kind,
        series=series,
        starts_at=starts_at,
        ends_at=starts_at + _dt.timedelta(minutes=series.duration_minutes or 60),
        format=series.format,
        meeting_url=series.meeting_url,
        place=series.place,
        capacity=series.capacity,
        registration_mode=series.registration_mode,
        status=status,
        created_by=_actor(by),
    )


@dataclass
class SessionAssignment:
    """What the organiser chose for one session on the "assign themes" screen."""

    event: Event
    theme: object | None = None
    presenters: list = field(default_factory=list)


def assign_themes(*, assignments: Iterable[SessionAssignment], by) -> int:
    """Set the theme and presenters of several sessions at once (each one through
    update_event, so published sessions keep their history). Returns how many changed."""
    changed = 0
    with transaction.atomic():
        for item in assignments:
            before = (item.event.theme_id, sorted(p.pk for p in item.event.presenters.all()))
            after = (getattr(item.theme, "pk", None), sorted(p.pk for p in item.presenters))
            if before == after:
                continue
            update_event(event=item.event, by=by, theme=item.theme, presenters=item.presenters)
            changed += 1
    return changed


# --- Teams attendance import


@dataclass
class AttendeeResult:
    name: str
    email: str
    minutes: int
    joins: int
    status: str  # "matched", "unmatched", "too_short", "note_taker", "host"
    registration_id: int | None = None
    is_guest: bool = False
    role: str = ""
    is_host: bool = False  # organiser, co-organiser or presenter (counted only on request)
    identity: str = field(default="", repr=False)  # the hash kept between files


MISMATCH_ADVICE = _(
    "Check that you chose the report of this event. If it does belong to this event, "
    "confirm it and give a reason; the confirmation is recorded."
)


def _when(value: _dt.datetime) -> str:
    """A date and time in the language being shown (fi: 23.11.2026 klo 14.00)."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


@dataclass(frozen=True)
class ReportMismatch:
    """One way a Teams report does not fit the event; the message is built when shown,
    in the language then active."""

    kind: str  # "start", "end", "title"
    report: _dt.datetime | str
    event: _dt.datetime | str

    @property
    def message(self) -> str:
        if self.kind == "title":
            text = _("The report's meeting is called “%(report)s”, but the event is “%(event)s”.")
            return text % {"report": self.report, "event": self.event}
        if self.kind == "start":
            text = _(
                "The report's meeting started on %(report)s, but the event starts on %(event)s."
            )
        else:
            text = _("The report's meeting ended on %(report)s, but the event ends on %(event)s.")
        return text % {"report": _when(self.report), "event": _when(self.event)}

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class MergePreview:
    """What a further report for the same event changes (people remembered as hashes)."""

    previous_files: int
    added: list[AttendeeResult]
    counted_before: int
    counted_after: int
    matched_before: int
    matched_after: int
    anonymous_before: int
    anonymous_after: int


@dataclass
class AttendanceImportResult:
    """What an import found (and, unless dry_run, saved)."""

    event_id: int
    file_name: str
    file_sha256: str
    report_format: str
    min_minutes: int
    counted: int = 0
    matched: int = 0
    unmatched: int = 0
    too_short: int = 0
    note_takers: int = 0
    hosts: int = 0  # organisers and presenters left out of the counts
    count_hosts: bool = False
    anonymous_attendees: int = 0
    dry_run: bool = False
    saved: bool = False
    people: list[AttendeeResult] = field(default_factory=list)
    report_title: str = ""
    report_start: _dt.datetime | None = None
    report_end: _dt.datetime | None = None
    mismatches: list[ReportMismatch] = field(default_factory=list)
    merge: MergePreview | None = None
    other_meeting_reason: str = ""

    @property
    def participants(self) -> list[AttendeeResult]:
        return [p for p in self.people if not p.is_host]

    @property
    def host_people(self) -> list[AttendeeResult]:
        return [p for p in self.people if p.is_host]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.mismatches) and not self.other_meeting_reason

    def as_dict(self) -> dict:
        return {
            "event": self.event_id,
            "file": self.file_name,
            "sha256": self.file_sha256,
            "format": self.report_format,
            "min_minutes": self.min_minutes,
            "counted": self.counted,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "too_short": self.too_short,
            "note_takers": self.note_takers,
            "hosts": self.hosts,
            "count_hosts": self.count_hosts,
            "anonymous_attendees": self.anonymous_attendees,
            "report_title": self.report_title,
            "report_start": self.report_start.isoformat() if self.report_start else None,
            "report_end": self.report_end.isoformat() if self.report_end else None,
            "mismatches": [str(m) for m in self.mismatches],
            "merged_with_files": self.merge.previous_files if self.merge else 0,
            "dry_run": self.dry_run,
            "saved": self.saved,
        }


def _identity_hash(key: str) -> str:
    """Imports keep who-was-there only as hashes (no names or e-mails in the summary)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def import_attendance(
    *,
    event: Event,
    file_bytes: bytes,
    file_name: str,
    by,
    dry_run: bool = False,
    count_hosts: bool = False,
    merge: bool = False,
    belongs_to_event: bool = False,
    reason: str = "",
) -> AttendanceImportResult:
    """Import a Teams attendance report for an event.

    People with at least ATTENDANCE_MIN_MINUTES count. A counted person whose e-mail
    matches a (not cancelled) registration marks it attended (source teams, minutes);
    the others are counted in event.anonymous_attendees, no user is created. Note-taker
    bots never count; organisers and presenters (the Role column) only with count_hosts.
    The same file twice is refused (sha256).

    The report must be of this event: its meeting start and end within
    ATTENDANCE_REPORT_TOLERANCE_MINUTES of the event's, and its title (if the file has
    one) containing the event's title, case and spacing ignored. Otherwise the import is
    refused (AttendanceReportMismatch) unless the organiser confirms belongs_to_event with
    a reason, which is audited. A further file for an event that has one is merged per
    person (longest time over all files, so nobody is counted twice) only with merge=True;
    the dry run shows what it adds (result.merge). See docs/architecture.md."""
    try:
        check_upload(file_bytes, kind="teams-report", name=file_name)
    except ValidationError as exc:
        raise AttendanceImportError(" ".join(exc.messages)) from exc
    sha = hashlib.sha256(file_bytes).hexdigest()
    try:
        report = teams.parse_report(file_bytes)
    except teams.TeamsReportError as exc:
        raise AttendanceImportError(exc.message, line=exc.line) from exc
    min_minutes = getattr(settings, "ATTENDANCE_MIN_MINUTES", 5)
    reason = " ".join((reason or "").split())
    result = AttendanceImportResult(
        event_id=event.pk,
        file_name=file_name,
        file_sha256=sha,
        report_format=report.format,
        min_minutes=min_minutes,
        dry_run=dry_run,
        count_hosts=count_hosts,
        report_title=report.meeting_title,
        report_start=report.meeting_start,
        report_end=report.meeting_end,
    )
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.attendance_imports.filter(file_sha256=sha).exists():
            raise AttendanceAlreadyImported()
        result.mismatches = _report_mismatches(locked, report)
        people = _classify(locked, report, min_minutes, result, count_hosts=count_hosts)
        previous = list(locked.attendance_imports.values_list("summary", flat=True))
        result.anonymous_attendees = _anonymous_total(previous, people)
        if previous:
            result.merge = _merge_preview(previous, people, result)
        if result.mismatches and belongs_to_event:
            if not reason:
                raise AttendanceNeedsConfirmation(
                    _("Say why this report belongs to this event, so that it can be checked.")
                )
            if len(reason) > OTHER_MEETING_REASON_MAX:
                raise AttendanceNeedsConfirmation(
                    _("The reason is too long: at most %(count)s characters.")
                    % {"count": OTHER_MEETING_REASON_MAX}
                )
            result.other_meeting_reason = reason
        if dry_run:
            transaction.set_rollback(True)
            return result
        if result.needs_confirmation:
            raise AttendanceReportMismatch(result.mismatches)
        if result.merge and not merge:
            raise AttendanceMergeNotConfirmed()
        _save_import(locked, result, people, by)
    event.anonymous_attendees = locked.anonymous_attendees
    result.saved = True
    return result


OTHER_MEETING_REASON_MAX = 500


def _normal_title(text: str) -> str:
    """A title compared with case and spacing ignored."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _report_mismatches(event: Event, report) -> list[ReportMismatch]:
    """How the report's meeting differs from the event, beyond the tolerance."""
    tolerance = _dt.timedelta(minutes=settings.ATTENDANCE_REPORT_TOLERANCE_MINUTES)
    found = []
    if report.meeting_start and abs(report.meeting_start - event.starts_at) > tolerance:
        found.append(ReportMismatch("start", report.meeting_start, event.starts_at))
    elif report.meeting_end and abs(report.meeting_end - event.ends_at) > tolerance:
        found.append(ReportMismatch("end", report.meeting_end, event.ends_at))
    if report.meeting_title:
        meeting = _normal_title(report.meeting_title)
        titles = {event.display_title, event.title, event.theme.title if event.theme_id else ""}
        if not any(_normal_title(t) and _normal_title(t) in meeting for t in titles):
            found.append(ReportMismatch("title", report.meeting_title, event.display_title))
    return found


def _classify(event: Event, report, min_minutes: int, result, *, count_hosts: bool) -> dict:
    registrations = {
        r.email.lower(): r
        for r in event.registrations.exclude(status=RegistrationStatus.CANCELLED).exclude(email="")
    }
    people = {}
    for person in report.attendees:
        registration = registrations.get(person.email) if person.email else None
        if person.is_bot:
            status = "note_taker"
            result.note_takers += 1
        elif person.is_host and not count_hosts:
            status = "host"
            result.hosts += 1
        elif person.seconds < min_minutes * 60:
            status = "too_short"
            result.too_short += 1
        else:
            result.counted += 1
            status = "matched" if registration else "unmatched"
            if registration:
                result.matched += 1
            else:
                result.unmatched += 1
        identity = _identity_hash(person.key)
        result.people.append(
            AttendeeResult(
                name=person.name,
                email=person.email,
                minutes=person.minutes,
                joins=person.joins,
                status=status,
                registration_id=registration.pk if registration else None,
                is_guest=person.is_guest,
                role=person.role,
                is_host=person.is_host and not person.is_bot,
                identity=identity,
            )
        )
        if status != "note_taker":
            people[identity] = {
                "seconds": person.seconds,
                "counted": status in ("matched", "unmatched"),
                "registration": registration.pk if registration else None,
            }
    return people


def _merged_people(summaries: list[dict]) -> dict[str, dict]:
    """Per person over several files: the longest time, and a registration if any file
    matched one."""
    merged: dict[str, dict] = {}
    for summary in summaries:
        for key, person in (summary or {}).get("people", {}).items():
            best = merged.get(key)
            if best is None or person["seconds"] > best["seconds"]:
                merged[key] = dict(person, registration=person.get("registration"))
            if person.get("registration"):
                merged[key]["registration"] = person["registration"]
    return merged


def _anonymous_total(previous: list[dict], people: dict) -> int:
    """Distinct counted people without a registration over all files of the event."""
    merged = _merged_people([*previous, {"people": people}])
    return sum(1 for p in merged.values() if p["counted"] and not p.get("registration"))


def _merge_preview(previous: list[dict], people: dict, result) -> MergePreview:
    before = _merged_people(previous)
    after = _merged_people([*previous, {"people": people}])

    def totals(merged):
        counted = [p for p in merged.values() if p["counted"]]
        matched = sum(1 for p in counted if p.get("registration"))
        return len(counted), matched, len(counted) - matched

    counted_before, matched_before, anonymous_before = totals(before)
    counted_after, matched_after, anonymous_after = totals(after)
    added = [
        p
        for p in result.people
        if after.get(p.identity, {}).get("counted")
        and not before.get(p.identity, {}).get("counted")
    ]
    return MergePreview(
        previous_files=len(previous),
        added=added,
        counted_before=counted_before,
        counted_after=counted_after,
        matched_before=matched_before,
        matched_after=matched_after,
        anonymous_before=anonymous_before,
        anonymous_after=anonymous_after,
    )


def _save_import(event: Event, result: AttendanceImportResult, people: dict, by) -> None:
    try:
        with transaction.atomic():
            AttendanceImport.objects.create(
                event=event,
                file_sha256=result.file_sha256,
                file_name=result.file_name[:255],
                imported_by=_actor(by),
                report_format=result.report_format,
                counted=result.counted,
                matched=result.matched,
                unmatched=result.unmatched,
                too_short=result.too_short,
                summary={"people": people, "min_minutes": result.min_minutes},
            )
    except IntegrityError as exc:
        raise AttendanceAlreadyImported() from exc
    by_registration = {
        p.registration_id: p
        for p in result.people
        if p.registration_id and p.status in ("matched", "too_short")  # not hosts, not bots
    }
    regs = Registration.objects.select_for_update().filter(pk__in=list(by_registration))
    for registration in regs:
        person = by_registration[registration.pk]
        registration.minutes_attended = max(registration.minutes_attended or 0, person.minutes)
        if person.status == "matched":
            registration.attended = True
            registration.attendance_source = AttendanceSource.TEAMS
        elif registration.attended is None:  # too short; a check-in mark is kept
            registration.attended = False
            registration.attendance_source = AttendanceSource.TEAMS
        registration.save(update_fields=["attended", "attendance_source", "minutes_attended"])
    event.anonymous_attendees = result.anonymous_attendees
    event.save(update_fields=["anonymous_attendees", "updated_at"])
    record_audit(
        actor=by,
        action="attendance.teams_imported",
        obj=event,
        file=result.file_name,
        counted=result.counted,
        matched=result.matched,
        unmatched=result.unmatched,
        too_short=result.too_short,
        hosts_left_out=result.hosts,
        merged_with_files=result.merge.previous_files if result.merge else None,
    )
    if result.mismatches:  # the organiser confirmed a report that looks like another meeting
        record_audit(
            actor=by,
            action="attendance.teams_report_confirmed",
            obj=event,
            file=result.file_name,
            reason=result.other_meeting_reason,
            differences=[m.kind for m in result.mismatches],
            report_start=result.report_start.isoformat() if result.report_start else None,
            report_end=result.report_end.isoformat() if result.report_end else None,
            report_title=result.report_title or None,
            event_start=timezone.localtime(event.starts_at).isoformat(),
            event_end=timezone.localtime(event.ends_at).isoformat(),
        )


# --- Feedback


def submit_feedback(
    *,
    event: Event,
    usefulness: int,
    recommend: int,
    comment: str = "",
    registration: Registration | None = None,
    session_key: str = "",
) -> Feedback:
    """One answer per registration (personal link) or per browser session (public link).
    Open from the start of the event; not for cancelled events."""
    if event.status != EventStatus.PUBLISHED:
        raise FeedbackError(_("Feedback is not collected for this event."))
    if event.starts_at > timezone.now():
        raise FeedbackError(_("Feedback opens when the event starts."))
    if not (1 <= int(usefulness) <= 5) or not (0 <= int(recommend) <= 10):
        raise FeedbackError(_("Choose usefulness from 1 to 5 and recommendation from 0 to 10."))
    if registration is not None:
        cancelled = registration.status == RegistrationStatus.CANCELLED
        if registration.event_id != event.pk or cancelled:
            raise FeedbackError(_("This feedback link is not valid for this event."))
        already = Feedback.objects.filter(registration=registration).exists()
    elif session_key:
        already = Feedback.objects.filter(event=event, session_key=session_key).exists()
    else:
        raise FeedbackError()
    if already:
        raise FeedbackAlreadyGiven()
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                event=event,
                registration=registration,
                session_key="" if registration is not None else session_key,
                usefulness=int(usefulness),
                recommend=int(recommend),
                comment=(comment or "").strip(),
            )
    except IntegrityError as exc:
        raise FeedbackAlreadyGiven() from exc


def save_planning_record(*, instance, by, m2m: dict | None = None):
    """Save a theme, presenter or series from the organiser pages (audited)."""
    created = instance.pk is None
    with transaction.atomic():
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        verb = "created" if created else "updated"
        record_audit(actor=by, action=f"{instance._meta.model_name}.{verb}", obj=instance)
    return instance
