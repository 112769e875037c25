"""Registration: register, confirm a guest, cancel, the waitlist and its promotion, capacity.

The waitlist rule is here: a place frees up -> the first on the waitlist is promoted, in the
same transaction, with the event row locked (lock_event) so that two requests never give
the same last seat. Mails are queued as outbox rows in that transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_audit
from networks.models import Membership, MembershipStatus

from ..errors import EventsError
from ..models import (
    ANSWER_FIELDS,
    AttendanceImport,
    Audience,
    Event,
    EventStatus,
    Feedback,
    InterpretationNeed,
    Presenter,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    new_token,
)
from ..planning.changes import record_published_change
from . import selectors, tasks


class RegistrationClosedError(EventsError):
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


class CapacityBelowConfirmedError(EventsError):
    default_message = _("The capacity cannot be lower than the number of confirmed participants.")


class RegistrationStateError(EventsError):
    default_message = _("This registration cannot be changed that way.")


class InvalidRegistrationLinkError(EventsError):
    default_message = _("This registration link is not valid.")


ACTIVE_STATUSES = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)


def _queue(task, *args) -> None:
    """Write a notification (a task of events.registration.tasks) to the outbox, in this
    transaction."""
    tasks.queue(task, *args)


def lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _is_audience_member(event: Event, person) -> bool:
    """Uses the `audience_member` annotation (selectors.with_availability) when present."""
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
    reason: str = ""  # why not: a RegistrationClosedError reason or "registered"; "" if may
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
        return RegistrationClosedError.MESSAGES.get(self.reason)


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
    `register` calls it again with the event row locked, after counting afresh.
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
        raise RegistrationClosedError(availability.reason)
    if availability.waitlist_open:
        registration.status = RegistrationStatus.WAITLISTED
        registration.confirmed_at = None
    else:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = timezone.now()


def _announce_placement(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        _queue(
            tasks.send_registration_confirmed,
            registration.pk,
            _stamp(registration.confirmed_at),
        )
    elif registration.status == RegistrationStatus.WAITLISTED:
        _queue(tasks.send_waitlisted, registration.pk, _stamp(registration.created_at))


def _stamp(moment) -> str:
    return moment.isoformat() if moment else ""


def _find_existing(event: Event, person, email: str) -> Registration | None:
    return event.registrations.filter(_existing_condition(person, email)).order_by("pk").first()


@dataclass(frozen=True)
class RegistrationAnswers:
    """A person's answers to the event's registration questions (all optional)."""

    accessibility_needs: str = ""
    interpretation: str = ""  # an InterpretationNeed value, or "" for none
    diet: str = ""
    question_answer: str = ""


ANSWER_LIMITS = {"accessibility_needs": 1000, "diet": 300, "question_answer": 1000}


class InvalidAnswerError(EventsError):
    default_message = _("An answer to a registration question is not valid.")


def asked_answers(*, event: Event, answers: RegistrationAnswers | None) -> dict[str, str]:
    """The answers to store: trimmed, only for the questions the event asks (others are
    dropped), every field present (an unasked or empty one as "")."""
    values = dict.fromkeys(ANSWER_FIELDS, "")
    if answers is None:
        return values
    for name in event.asked_questions:
        value = (getattr(answers, name) or "").strip()
        limit = ANSWER_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise InvalidAnswerError(
                _("An answer can be at most %(limit)s characters long.") % {"limit": limit}
            )
        if name == "interpretation" and value and value not in InterpretationNeed.values:
            raise InvalidAnswerError
        values[name] = value
    return values


def _erase_answers(registration: Registration) -> None:
    for name in ANSWER_FIELDS:
        setattr(registration, name, "")


def _with_answers(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    return registrations.exclude(**dict.fromkeys(ANSWER_FIELDS, ""))


def erase_answers_of_event(*, event: Event) -> int:
    """A cancelled event needs no answers to its questions: erase every registration's."""
    return _with_answers(event.registrations.all()).update(**dict.fromkeys(ANSWER_FIELDS, ""))


def erase_answers_after_events(*, ended_before: dt.datetime, dry_run: bool = False) -> int:
    """Retention: the answers (possibly health data) served only to arrange the event, so
    they are erased once it ended before `ended_before`; the registrations stay. Idempotent.
    Returns how many registrations had answers (due, on a dry run)."""
    due = _with_answers(Registration.objects.filter(event__ends_at__lt=ended_before))
    if dry_run:
        return due.count()
    return due.update(**dict.fromkeys(ANSWER_FIELDS, ""))


def _person_details(person) -> dict:
    return {
        "name": person.display_name or person.email,
        "email": person.email.lower(),
        "organisation_name": person.organisation_label or "",
        "organisation_id": person.organisation_id,
    }


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool  # False: the person already had an active registration (returned as is)


def register_person(
    *, event: Event, person, answers: RegistrationAnswers | None = None
) -> RegistrationOutcome:
    """`register` for the signed-in person, also saying whether the place is new."""
    return _register(event=event, person=person, answers=answers)


def register(
    *,
    event: Event,
    person=None,
    guest_name: str = "",
    guest_email: str = "",
    guest_organisation: str = "",
    by=None,
    answers: RegistrationAnswers | None = None,
) -> Registration:
    """Register a person (confirmed or waitlisted at once) or a guest (pending until the
    e-mailed link is opened). A second attempt returns the existing registration; a
    cancelled one is reactivated. `by` is set when staff register someone else.
    `answers`: to the event's registration questions; answers to questions the event
    does not ask are not stored."""
    return _register(
        event=event,
        person=person,
        guest_name=guest_name,
        guest_email=guest_email,
        guest_organisation=guest_organisation,
        by=by,
        answers=answers,
    ).registration


def _register(
    *,
    event: Event,
    person=None,
    guest_name: str = "",
    guest_email: str = "",
    guest_organisation: str = "",
    by=None,
    answers: RegistrationAnswers | None = None,
) -> RegistrationOutcome:
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
                answers=answers,
            )
    except IntegrityError:
        # The unique constraints caught a duplicate that slipped past the lock.
        existing = _find_existing(event, person, guest_email)
        if existing is None:
            raise
        return RegistrationOutcome(existing, created=False)


def _existing_condition(person, email: str) -> Q:
    condition = Q(user=person) if person is not None else Q(email=email)
    if person is not None and person.email:
        condition |= Q(email=person.email.lower())
    return condition


def _lock_and_count(event: Event, person, email: str) -> tuple[Event, Registration | None]:
    """Lock the event row, then count its confirmed seats and find the person's row in one
    query (a second one only when they have a row). The count is a statement after the
    lock, so it sees every registration committed before the lock was granted."""
    event = lock_event(event)
    found = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        mine=Min("pk", filter=_existing_condition(person, email)),
    )
    event.confirmed_total = found["confirmed"]  # read by selectors.seats_left
    existing = event.registrations.get(pk=found["mine"]) if found["mine"] else None
    return event, existing


def _register_locked(
    *, event, person, guest_name, guest_email, guest_organisation, by, staff, answers
) -> RegistrationOutcome:
    event, existing = _lock_and_count(event, person, guest_email)
    # The questions asked are read from the locked row (the caller's copy may be only its pk).
    answers = asked_answers(event=event, answers=answers)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        if staff and existing.status == RegistrationStatus.PENDING:
            _place(existing, registration_availability(event=event, staff=True, registration=None))
            existing.save(update_fields=["status", "confirmed_at"])
            _announce_placement(existing)
        elif existing.status == RegistrationStatus.PENDING:
            # Send the link again, at most once an hour.
            key = "again:" + timezone.now().strftime("%Y%m%d%H")
            _queue(tasks.send_guest_confirmation_link, existing.pk, key)
        return RegistrationOutcome(existing, created=False)
    availability = registration_availability(
        event=event, person=person, staff=staff, registration=existing
    )
    if not availability.may_register:
        raise RegistrationClosedError(availability.reason)
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
    for name, value in answers.items():
        setattr(registration, name, value)
    registration.created_at = timezone.now()
    registration.cancelled_at = None
    registration.reminder_sent_at = None
    if person is None and not staff:
        registration.status = RegistrationStatus.PENDING
        registration.confirmed_at = None
    else:
        _place(registration, availability)
    # An IntegrityError (a duplicate past the lock) rolls back the whole block in `_register`.
    registration.save()
    if registration.status == RegistrationStatus.PENDING:
        _queue(
            tasks.send_guest_confirmation_link,
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
    return RegistrationOutcome(registration, created=True)


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
        raise InvalidRegistrationLinkError
    return registration


def confirm_guest_registration(*, token: str) -> Registration:
    """The guest opened the e-mailed link and pressed confirm: capacity rules apply now."""
    with transaction.atomic():
        registration = registration_by_token(token)
        event = lock_event(registration.event)
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
        event = lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        if event.ends_at <= timezone.now():
            raise RegistrationClosedError("past")
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        was_pending = registration.status == RegistrationStatus.PENDING
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        # A cancelled place needs no answers: they are erased with the cancellation.
        _erase_answers(registration)
        registration.save(update_fields=["status", "cancelled_at", *ANSWER_FIELDS])
        if not was_pending:
            _queue(
                tasks.send_registration_cancelled,
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
    _queue(tasks.send_promoted, registration.pk, _stamp(now))


def set_capacity(
    *, event: Event, capacity: int | None, by, record_change: bool = True
) -> list[Registration]:
    """Change the number of seats; promote from the waitlist into new seats. A changed
    capacity of a published event is kept in its change history (events.planning.changes),
    unless the caller keeps it with its other changes (update_event: record_change=False).

    Refuses a capacity below the number already confirmed. Returns the promoted."""
    if capacity is not None and capacity < 0:
        raise CapacityBelowConfirmedError(_("The capacity cannot be negative."))
    with transaction.atomic():
        locked = lock_event(event)
        confirmed = confirmed_count(locked)
        if capacity is not None and capacity < confirmed:
            raise CapacityBelowConfirmedError(
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
        if record_change and old != capacity:
            record_published_change(
                event=locked,
                by=by,
                changes={"capacity": [old, capacity]},
                was_published=locked.status == EventStatus.PUBLISHED,
                notify=notify_event_changed,
            )
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
        event = lock_event(registration.event)
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


# --- Privacy: erasure and retention of registrations -----------------------------------
# Called by accounts (delete_account, apply_retention); events owns the shape of its rows.

ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"


def _pseudonym() -> str:
    """A random stand-in address (RFC 2606 `.invalid`: never delivered, never a person's)."""
    return f"removed-{secrets.token_hex(8)}@{ANONYMISED_EMAIL_DOMAIN}"


def _anonymise_registrations(registration_ids: list[int], *, now: dt.datetime) -> int:
    """Remove the person (and their answers to registration questions) from registrations;
    keep event, organisation, status and attendance.

    The e-mail becomes a random stand-in shared by the rows of one person in this run, so
    the reports' "unique participants" (one key per person) count the same afterwards,
    while nothing links the rows to the person any more. The guest link token is replaced
    so an old link no longer opens (or cancels) the row.
    """
    fields = ["user", "name", "email", "language", "token", "anonymised_at", *ANSWER_FIELDS]
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
            _erase_answers(row)
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
            new_key = (
                stand_ins.setdefault((row.event_id, key), "r" + secrets.token_hex(15))
                if chosen(person)
                else key
            )
            rekeyed[new_key] = person
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
            with contextlib.suppress(RegistrationClosedError):
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
    *, cutoff: dt.datetime, now: dt.datetime, dry_run: bool = False
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


def _anonymise_old_attendance_imports(*, cutoff: dt.datetime) -> int:
    """Teams per-person data of old events: random keys instead of identity hashes."""
    due = [
        row.pk
        for row in AttendanceImport.objects.filter(event__ends_at__lt=cutoff).only("summary")
        if not (row.summary or {}).get("anonymised")
    ]
    imports = AttendanceImport.objects.filter(pk__in=due)
    _rekey_attendance_people(imports, chosen=lambda _entry: True)
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
    _queue(tasks.send_event_changed, event.pk, fields, str(event.sequence))
    return True


def notify_event_cancelled(*, event: Event) -> None:
    """Tell everyone registered that the event is cancelled (after commit, by task)."""
    _queue(tasks.send_event_cancelled, event.pk, _stamp(event.cancelled_at))
