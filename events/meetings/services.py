"""Teams meetings of events, through Microsoft Graph (the microsoft365 app).

`sync_teams_meeting` is the one place that decides what an event's Teams meeting needs:
created (an online event that wants one and has none), moved or renamed (its time or subject
changed since it was last sent), cancelled (the event is cancelled, or no longer wants one,
or is no longer online). The planning services queue it (events.meetings.tasks) in the
transaction of the change. A Graph failure never reaches a page: it is stored on the event
(`teams_sync_state`, `teams_sync_error`), and a passing one (throttled, unavailable) is
raised again as TransientError so that the task is tried again.

`fetch_teams_attendance` reads a meeting's attendance reports and hands them to the same
import as a file (events.attendance.services.import_report), with the same checks; a person
reviews the preview and saves, unless the series saves by itself and nothing needs a
decision (`fetch_due_attendance`, run by beat).

Without Graph configuration (microsoft365.config.graph_configured) nothing here calls Graph.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_audit
from kohtaamo.celery import TransientError
from microsoft365.attendance import fetch_attendance, fingerprint, to_teams_report
from microsoft365.config import graph_configured
from microsoft365.errors import NOT_CONFIGURED, NOT_READY, THROTTLED, UNAVAILABLE, GraphError
from microsoft365.meetings import (
    cancel_meeting,
    create_meeting,
    find_online_meeting_id,
    update_meeting,
)

from ..attendance.services import (
    AttendanceAlreadyImportedError,
    AttendanceImportError,
    AttendanceImportResult,
    AttendanceMergeNotConfirmedError,
    AttendanceNeedsConfirmationError,
    import_report,
)
from ..models import Event, EventStatus, TeamsAttendanceState, TeamsSyncState
from ..planning.changes import json_value, raise_sequence, record_published_change
from ..registration.services import notify_event_changed

logger = logging.getLogger(__name__)

# Graph failures that pass by themselves: the task is tried again by the one retry policy.
RETRIED_KINDS = frozenset({THROTTLED, UNAVAILABLE})

CREATE, UPDATE, CANCEL, REMOVE = "create", "update", "cancel", "remove"


# --- Meetings ------------------------------------------------------------------------------


def wants_teams_meeting(event: Event) -> bool:
    """An online (or hybrid) event, not cancelled, whose organiser chose a Teams meeting."""
    return event.teams_meeting_wanted and event.is_online and not event.is_cancelled


def needs_teams_sync(event: Event) -> bool:
    """Whether a change of the event is to be sent to Teams (queued by the planning
    services): only with Graph configured, and only for an event that wants a meeting or
    has one."""
    return bool(event.teams_meeting_wanted or event.teams_calendar_event_id) and (
        graph_configured()
    )


def meeting_subject(event: Event) -> str:
    """The meeting's subject in the event's own language, whoever's request made the change
    (an event without a title is named by its kind, which is translated)."""
    with translation.override(event.language or settings.LANGUAGE_CODE):
        return str(event.display_title)


def _digest(event: Event) -> str:
    """What the meeting is given: subject, start and end."""
    text = "|".join(
        [meeting_subject(event), event.starts_at.isoformat(), event.ends_at.isoformat()]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _action(event: Event) -> str | None:
    if event.teams_calendar_event_id:
        if event.is_cancelled:
            return CANCEL if event.teams_sync_state != TeamsSyncState.CANCELLED else None
        if not wants_teams_meeting(event):
            return REMOVE
        return UPDATE if event.teams_synced_digest != _digest(event) else None
    return CREATE if wants_teams_meeting(event) else None


@dataclass(frozen=True)
class _Plan:
    """What one run sends to Graph: decided under the row lock, sent without it."""

    action: str
    calendar_event_id: str
    subject: str
    start: object
    end: object
    digest: str
    transaction_id: str


def _lock(event_id: int) -> Event | None:
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("theme")
        .filter(pk=event_id)
        .first()
    )


def sync_teams_meeting(*, event_id: int, client=None) -> str:
    """Bring the event's Teams meeting in step with the event; returns what was done
    ("created", "updated", "cancelled", "removed", "unchanged", "failed", or
    "not_configured"). Safe to run twice: a second run finds nothing to send.

    The decision is taken with the event row locked; the Graph call is made without the
    lock (a slow Graph must not hold up registrations for the event), and its outcome is
    stored under the lock again. A create carries a transaction id of the event, so a
    repeated create (a retry, a second run at the same time) gives Graph the chance to
    recognise it; a second meeting that is made anyway is cancelled at once.

    `client`: a Graph client for the microsoft365 functions (the demo's replay of recorded
    answers, microsoft365.replay); by default they make their own from the configuration."""
    if client is None and not graph_configured():
        return "not_configured"
    done: list[str] = []
    for _round in range(MAX_ROUNDS):
        outcome = _sync_once(event_id, _client(client))
        if outcome == "unchanged":
            break
        done.append(outcome)
        if outcome == "failed":
            break
    return ",".join(done) or "unchanged"


# A change made while Graph was answering (e.g. the event cancelled while its meeting was
# being made) is sent in the same run; its own queued run then finds nothing left to send.
MAX_ROUNDS = 3


def _client(client) -> dict:
    """The `client=` argument for the microsoft365 functions, only when one was given."""
    return {} if client is None else {"client": client}


def _sync_once(event_id: int, graph: dict) -> str:
    with transaction.atomic():
        event = _lock(event_id)
        if event is None:
            return "unchanged"
        action = _action(event)
        if action is None:
            if event.teams_sync_state == TeamsSyncState.PENDING:
                state = TeamsSyncState.OK if event.teams_calendar_event_id else TeamsSyncState.NONE
                _store_state(event, state=state)
            return "unchanged"
        plan = _Plan(
            action=action,
            calendar_event_id=event.teams_calendar_event_id,
            subject=meeting_subject(event),
            start=event.starts_at,
            end=event.ends_at,
            digest=_digest(event),
            transaction_id=f"kohtaamo-event-{event.pk}-{event.sequence}",
        )
    try:
        outcome = _send(plan, graph)
    except GraphError as error:
        with transaction.atomic():
            event = _lock(event_id)
            if event is not None:
                _store_state(event, state=TeamsSyncState.FAILED, error=str(error.message))
                record_audit(
                    actor=None,
                    action="event.teams_sync_failed",
                    obj=event,
                    step=plan.action,
                    kind=error.kind,
                    status=error.status,
                    code=error.code or None,
                )
        logger.warning("Teams %s of event %s failed: %r", plan.action, event_id, error)
        if error.kind in RETRIED_KINDS:
            raise TransientError(f"Microsoft Graph: {error.kind}") from error
        return "failed"
    with transaction.atomic():
        event = _lock(event_id)
        if event is None:  # deleted meanwhile: the meeting is of no use
            if plan.action == CREATE:
                _cancel_quietly(outcome.calendar_event_id, graph)
            return "unchanged"
        return _store_outcome(event, plan, outcome, graph)


def _send(plan: _Plan, graph: dict):
    if plan.action == CREATE:
        return create_meeting(
            subject=plan.subject,
            start=plan.start,
            end=plan.end,
            transaction_id=plan.transaction_id,
            **graph,
        )
    if plan.action == UPDATE:
        update_meeting(
            event_id=plan.calendar_event_id,
            subject=plan.subject,
            start=plan.start,
            end=plan.end,
            **graph,
        )
        return None
    cancel_meeting(event_id=plan.calendar_event_id, **graph)
    return None


def _cancel_quietly(calendar_event_id: str, graph: dict) -> None:
    try:
        cancel_meeting(event_id=calendar_event_id, **graph)
    except GraphError as error:
        logger.warning("Could not cancel a second Teams meeting: %r", error)


def _store_state(event: Event, *, state: str, error: str = "", extra: tuple = ()) -> None:
    """Save the sync outcome; updated_at stays (the feeds show none of it)."""
    event.teams_sync_state = state
    event.teams_sync_error = error
    event.teams_synced_at = timezone.now()
    fields = ["teams_sync_state", "teams_sync_error", "teams_synced_at", *extra]
    event.save(update_fields=fields)


def _set_meeting_url(event: Event, url: str) -> dict:
    """Put the join URL in the event's link, as update_event would: SEQUENCE raised, the
    change kept and the registered people of a published event told (the who-sees-the-link
    rules keep applying to meeting_url)."""
    if event.meeting_url == url:
        return {}
    changes = {"meeting_url": [json_value(event.meeting_url), json_value(url)]}
    event.meeting_url = url
    raise_sequence(event, changes)
    record_published_change(
        event=event,
        by=None,
        changes=changes,
        was_published=event.status == EventStatus.PUBLISHED,
        notify=notify_event_changed,
    )
    return changes


def _store_outcome(event: Event, plan: _Plan, outcome, graph: dict) -> str:
    if plan.action == CREATE:
        if event.teams_calendar_event_id and event.teams_calendar_event_id != (
            outcome.calendar_event_id
        ):
            _cancel_quietly(outcome.calendar_event_id, graph)  # another run made it first
            return "unchanged"
        event.teams_calendar_event_id = outcome.calendar_event_id
        event.teams_online_meeting_id = outcome.online_meeting_id
        event.teams_synced_digest = plan.digest
        changes = _set_meeting_url(event, outcome.join_url)
        _store_state(
            event,
            state=TeamsSyncState.OK,
            extra=(
                "teams_calendar_event_id",
                "teams_online_meeting_id",
                "teams_synced_digest",
                "meeting_url",
                "sequence",
                "updated_at",
            ),
        )
        record_audit(
            actor=None,
            action="event.teams_meeting_created",
            obj=event,
            fields=sorted(changes) or None,
        )
        return "created"
    if plan.action == UPDATE:
        event.teams_synced_digest = plan.digest
        _store_state(event, state=TeamsSyncState.OK, extra=("teams_synced_digest",))
        record_audit(actor=None, action="event.teams_meeting_updated", obj=event)
        return "updated"
    if plan.action == CANCEL:
        _store_state(event, state=TeamsSyncState.CANCELLED)
        record_audit(actor=None, action="event.teams_meeting_cancelled", obj=event)
        return "cancelled"
    # REMOVE: no longer wanted (or no longer online): the meeting and its link go.
    old_url = event.teams_calendar_event_id and event.meeting_url
    event.teams_calendar_event_id = event.teams_online_meeting_id = ""
    event.teams_synced_digest = ""
    extra = ["teams_calendar_event_id", "teams_online_meeting_id", "teams_synced_digest"]
    if old_url and "teams.microsoft" in old_url:
        _set_meeting_url(event, "")
        extra += ["meeting_url", "sequence", "updated_at"]
    _store_state(event, state=TeamsSyncState.NONE, extra=tuple(extra))
    record_audit(actor=None, action="event.teams_meeting_removed", obj=event)
    return "removed"


# --- Attendance ----------------------------------------------------------------------------


class TeamsAttendanceError(AttendanceImportError):
    """No report could be fetched from Teams; `kind` is the GraphError's (or "no_meeting")."""

    def __init__(self, message=None, *, kind: str = "") -> None:
        self.kind = kind
        super().__init__(message)


class TeamsReportChangedError(AttendanceNeedsConfirmationError):
    default_message = _(
        "Teams has more attendance data than the preview showed. Check the new preview, then "
        "save again."
    )


NO_MEETING = _("This event has no Teams meeting.")
RETENTION_NOTE = _("Teams keeps attendance reports for about a year: fetch within days.")


def source_name() -> str:
    """The "file name" of a report fetched from Teams, as the imports list shows it."""
    return gettext("Teams attendance (fetched from Microsoft 365)")


def _record_attendance(event_id: int, *, state: str, message: str = "") -> None:
    Event.objects.filter(pk=event_id).update(
        teams_attendance_state=state,
        teams_attendance_error=str(message),
        teams_attendance_checked_at=timezone.now(),
    )


def _fetch(event: Event, client=None):
    """(TeamsReport, fingerprint) of the event's meeting; TeamsAttendanceError when there is
    none to be had (the reason stored on the event)."""
    graph = _client(client)
    if client is None and not graph_configured():
        raise TeamsAttendanceError(GraphError(NOT_CONFIGURED).message, kind=NOT_CONFIGURED)
    if not (event.teams_online_meeting_id or event.teams_calendar_event_id):
        raise TeamsAttendanceError(NO_MEETING, kind="no_meeting")
    try:
        meeting_id = event.teams_online_meeting_id
        if not meeting_id:  # not found right after the create: look it up by its join URL
            meeting_id = find_online_meeting_id(join_url=event.meeting_url, **graph)
            Event.objects.filter(pk=event.pk).update(teams_online_meeting_id=meeting_id)
            event.teams_online_meeting_id = meeting_id
        fetched = fetch_attendance(online_meeting_id=meeting_id, **graph)
    except GraphError as error:
        state = (
            TeamsAttendanceState.NOT_READY
            if error.kind == NOT_READY
            else TeamsAttendanceState.FAILED
        )
        _record_attendance(event.pk, state=state, message=str(error.message))
        raise TeamsAttendanceError(error.message, kind=error.kind) from error
    return to_teams_report(fetched), fingerprint(fetched)


def fetch_teams_attendance(
    *,
    event_id: int,
    by=None,
    save: bool,
    count_hosts: bool = False,
    merge: bool = False,
    belongs_to_event: bool = False,
    reason: str = "",
    expected_fingerprint: str = "",
    client=None,
) -> AttendanceImportResult:
    """Fetch the event's Teams attendance and import it as a file is imported: a preview
    (save=False), or saved (save=True) with the organiser's confirmations. With
    `expected_fingerprint` (the preview's) a save is refused when Teams now has other data
    than the person reviewed (TeamsReportChangedError). Raises AttendanceImportError.
    `client`: as for sync_teams_meeting."""
    event = Event.objects.select_related("theme", "series").get(pk=event_id)
    report, print_ = _fetch(event, client)
    if save and expected_fingerprint and expected_fingerprint != print_:
        raise TeamsReportChangedError
    try:
        result = import_report(
            event=event,
            report=report,
            fingerprint=print_,
            source_name=source_name(),
            by=by,
            dry_run=not save,
            count_hosts=count_hosts,
            merge=merge,
            belongs_to_event=belongs_to_event,
            reason=reason,
        )
    except AttendanceAlreadyImportedError as exc:
        _record_attendance(event.pk, state=TeamsAttendanceState.SAVED)
        raise AttendanceAlreadyImportedError(
            _("This Teams report has already been imported for this event.")
        ) from exc
    state = TeamsAttendanceState.SAVED if result.saved else TeamsAttendanceState.READY
    _record_attendance(event.pk, state=state)
    return result


def fetch_due_attendance(*, event_id: int) -> str:
    """Beat's fetch for one event that has ended: a preview, saved at once when its series
    saves by itself and nothing needs a person's decision. A report not there yet is
    normal: recorded, and fetched again on the next run. Returns what happened."""
    event = Event.objects.select_related("theme", "series").get(pk=event_id)
    try:
        report, print_ = _fetch(event)
    except TeamsAttendanceError as error:
        return error.kind or "failed"
    options = {
        "event": event,
        "report": report,
        "fingerprint": print_,
        "source_name": source_name(),
        "by": None,
    }
    try:
        preview = import_report(**options, dry_run=True)
    except AttendanceAlreadyImportedError:
        _record_attendance(event.pk, state=TeamsAttendanceState.SAVED)
        return "already_imported"
    autosave = bool(event.series_id and event.series.teams_attendance_autosave)
    if autosave and not preview.needs_confirmation and preview.merge is None:
        try:
            import_report(**options, dry_run=False)
        except AttendanceNeedsConfirmationError as exc:
            _record_attendance(event.pk, state=TeamsAttendanceState.READY, message=str(exc.message))
            return "needs_review"
        _record_attendance(event.pk, state=TeamsAttendanceState.SAVED)
        return "saved"
    message = ""
    if preview.needs_confirmation:
        message = " ".join(m.message for m in preview.mismatches)
    elif preview.merge is not None:
        message = str(AttendanceMergeNotConfirmedError.default_message)
    _record_attendance(event.pk, state=TeamsAttendanceState.READY, message=message)
    return "needs_review" if autosave else "ready"
