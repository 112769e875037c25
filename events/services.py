"""Domain operations of events: registration, waitlist, attendance (and, below, planning).

Every write is a plain function with keyword-only arguments. Capacity rules run with the
event row locked (`SELECT … FOR UPDATE` on PostgreSQL), so that no two requests can
confirm more people than there are seats. E-mails are queued after commit (events.tasks).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.services import record_audit

from .models import (
    Audience,
    Event,
    EventStatus,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)

# --- Registration -------------------------------------------------------------------


class EventsError(Exception):
    """A domain error with a message for the person (translated when shown)."""

    default_message = _("This cannot be done.")

    def __init__(self, message=None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


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


def _queue(task_name: str, *args) -> None:
    """Queue a notification task once the surrounding transaction commits."""
    from . import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(partial(task.delay, *args))


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _is_audience_member(event: Event, person) -> bool:
    from networks.models import Membership, MembershipStatus

    if person is None:
        return False
    return Membership.objects.filter(
        user=person,
        status=MembershipStatus.ACTIVE,
        network__in=event.audience_networks.all(),
    ).exists()


def check_can_register(*, event: Event, person=None, staff: bool = False) -> None:
    """Raise RegistrationClosed when this person may not register now (staff skip windows)."""
    now = timezone.now()
    if event.status == EventStatus.CANCELLED:
        raise RegistrationClosed("cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationClosed("not_published")
    if event.ends_at <= now:
        raise RegistrationClosed("past")
    if event.registration_mode == RegistrationMode.DROP_IN:
        raise RegistrationClosed("drop_in")
    if staff:
        return
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationClosed("not_open")
    closes_at = event.registration_closes_at or event.starts_at
    if now >= closes_at:
        raise RegistrationClosed("closed")
    if event.audience == Audience.NETWORKS and not _is_audience_member(event, person):
        raise RegistrationClosed("audience")


def _has_seat(event: Event) -> bool:
    return event.capacity is None or confirmed_count(event) < event.capacity


def _place(event: Event, registration: Registration) -> None:
    """Confirm or waitlist (the event row is locked by the caller); raise when full."""
    now = timezone.now()
    if _has_seat(event):
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    elif event.registration_mode == RegistrationMode.WAITLIST:
        registration.status = RegistrationStatus.WAITLISTED
        registration.confirmed_at = None
    else:
        raise RegistrationClosed("full")


def _announce_placement(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        _queue("send_registration_confirmed", registration.pk, _stamp(registration.confirmed_at))
    elif registration.status == RegistrationStatus.WAITLISTED:
        _queue("send_waitlisted", registration.pk, _stamp(registration.created_at))


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
            _place(event, existing)
            existing.save(update_fields=["status", "confirmed_at"])
            _announce_placement(existing)
        elif existing.status == RegistrationStatus.PENDING:
            # Send the link again, at most once an hour.
            key = "again:" + timezone.now().strftime("%Y%m%d%H")
            _queue("send_guest_confirmation_link", existing.pk, key)
        return existing
    check_can_register(event=event, person=person, staff=staff)
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
        _place(event, registration)
    with transaction.atomic():
        registration.save()
    if registration.status == RegistrationStatus.PENDING:
        _queue("send_guest_confirmation_link", registration.pk, _stamp(registration.created_at))
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
        check_can_register(event=event, person=None)
        _place(event, registration)
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
                "send_registration_cancelled",
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
    waiting = event.registrations.select_for_update().filter(
        status=RegistrationStatus.WAITLISTED
    )
    if event.capacity is not None:
        free = event.capacity - confirmed_count(event)
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
    _queue("send_promoted", registration.pk, _stamp(now))


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
        if not _has_seat(event):
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


# --- Notifications about events (called by planning) ---------------------------------

CHANGE_FIELDS_TO_ANNOUNCE = ("starts_at", "ends_at", "place", "meeting_url", "format")


def notify_event_changed(*, event: Event, changes: dict) -> bool:
    """Tell registered people that time or place changed (after commit, by task).

    changes: {field: [old, new]}. Only time, place, format and meeting link are announced;
    returns whether anything was queued. Call after raising event.sequence."""
    fields = [name for name in CHANGE_FIELDS_TO_ANNOUNCE if name in changes]
    if not fields or event.status != EventStatus.PUBLISHED:
        return False
    _queue("send_event_changed", event.pk, fields, str(event.sequence))
    return True


def notify_event_cancelled(*, event: Event) -> None:
    """Tell everyone registered that the event is cancelled (after commit, by task)."""
    _queue("send_event_cancelled", event.pk)
