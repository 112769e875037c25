"""Planning: create, edit, publish and cancel events; their materials; a term of series
sessions; themes, presenters and series. Every change is audited, and a change people must
hear of is queued in the same transaction (events.registration.tasks), as is a change the
event's Teams meeting must follow (events.meetings.tasks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_audit
from kohtaamo.uploads import check_upload

from ..errors import EventsError
from ..meetings.tasks import queue_teams_sync
from ..models import (
    ONLINE_FORMATS,
    Event,
    EventChange,
    EventMaterial,
    EventStatus,
    Presenter,
    Series,
)
from ..registration.services import (
    erase_answers_of_event,
    lock_event,
    notify_event_cancelled,
    notify_event_changed,
    set_capacity,
)
from .changes import actor, json_value, raise_sequence, record_published_change
from .scheduling import SessionOverride

# Every field an organiser edits, in the order the event form shows them (EventForm uses
# this list); the many-to-many ones are set after the row is saved.
EVENT_FIELDS = (
    "kind",
    "series",
    "theme",
    "title",
    "description",
    "presenters",
    "starts_at",
    "ends_at",
    "format",
    "meeting_url",
    "teams_meeting_wanted",
    "place",
    "capacity",
    "registration_mode",
    "registration_opens_at",
    "registration_closes_at",
    "asks_accessibility_needs",
    "asks_interpretation",
    "asks_diet",
    "custom_question",
    "audience",
    "audience_networks",
    "status",
    "language",
)
EVENT_M2M_FIELDS = ("presenters", "audience_networks")
# A change to one of these is sent to the event's Teams meeting (events.meetings): its time,
# its subject (the title, or the theme's), whether it is online and whether it is wanted.
TEAMS_FIELDS = frozenset(
    {"starts_at", "ends_at", "title", "theme", "format", "teams_meeting_wanted"}
)


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
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    plain = {k: v for k, v in fields.items() if k not in EVENT_M2M_FIELDS}
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
        queue_teams_sync(event)
    return event


def update_event(*, event: Event, by, **fields) -> Event:
    """Change an event. For a published event the change is kept in EventChange
    ({field: [old, new]}) and registered people are told of time/place/link changes.
    A change of time, place or meeting link raises `sequence` (calendar feeds and
    invitations use it). Capacity goes through set_capacity (waitlist promotion).
    Raises EventValidationError / CapacityBelowConfirmedError; nothing is half-saved."""
    plain, m2m = _split_fields(fields)
    with transaction.atomic():
        locked = lock_event(event)
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
                changes[name] = [json_value(old), json_value(value)]
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
            set_capacity(event=locked, capacity=new_capacity, by=by, record_change=False)
        raise_sequence(locked, changes)
        locked.save()
        for name, values in m2m.items():
            if name in changes:
                getattr(locked, name).set(values)
        record_published_change(
            event=locked,
            by=by,
            changes=changes,
            was_published=was_published,
            notify=notify_event_changed,
        )
        record_audit(actor=by, action="event.updated", obj=locked, fields=sorted(changes))
        if TEAMS_FIELDS & set(changes):
            queue_teams_sync(locked)
    _copy_state(locked, event)
    return event


def _copy_state(source: Event, target: Event) -> None:
    for f in Event._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target._state.fields_cache.clear()
    getattr(target, "_prefetched_objects_cache", {}).clear()


def publish_event(*, event: Event, by) -> Event:
    """Draft → published (a cancelled event stays cancelled)."""
    with transaction.atomic():
        locked = lock_event(event)
        if locked.status == EventStatus.CANCELLED:
            raise PlanningError(_("A cancelled event cannot be published again."))
        if locked.status == EventStatus.PUBLISHED:
            return locked
        _validate_event(locked)
        locked.status = EventStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        record_audit(actor=by, action="event.published", obj=locked)
        queue_teams_sync(locked)
    _copy_state(locked, event)
    return event


def cancel_event(*, event: Event, by, reason: str) -> Event:
    """Cancel one event: status cancelled, sequence raised, everyone registered told.
    Other sessions of the series are not touched."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = lock_event(event)
        if locked.status == EventStatus.CANCELLED:
            raise PlanningError(_("This event is already cancelled."))
        if locked.status == EventStatus.DRAFT:
            # A cancelled event is public (lists, archive, feeds): a draft never was.
            raise PlanningError(
                _("A draft was never published, so there is nothing to cancel: keep it as a draft.")
            )
        old_status = locked.status
        locked.status = EventStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancellation_reason = reason  # shown on the public page of the event
        locked.sequence += 1
        locked.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancellation_reason",
                "sequence",
                "updated_at",
            ]
        )
        erase_answers_of_event(event=locked)
        EventChange.objects.create(
            event=locked,
            changed_by=actor(by),
            changes={"status": [old_status, EventStatus.CANCELLED], "reason": ["", reason]},
        )
        notify_event_cancelled(event=locked)
        record_audit(actor=by, action="event.cancelled", obj=locked, reason=reason)
        queue_teams_sync(locked)
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


def series_session_dates(series: Series, first: dt.date, last: dt.date) -> set[dt.date]:
    """Helsinki dates between first and last on which the series already has a session."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=timezone.get_default_timezone())
    end = dt.datetime.combine(
        last + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )
    starts = Event.objects.filter(series=series, starts_at__gte=start, starts_at__lt=end)
    moments = starts.values_list("starts_at", flat=True)
    return {moment.astimezone(timezone.get_default_timezone()).date() for moment in moments}


def create_series_sessions(
    *,
    series: Series,
    dates: Iterable[dt.date],
    by,
    status: str = EventStatus.DRAFT,
    overrides: Mapping[dt.date, SessionOverride] | None = None,
) -> list[Event]:
    """Create one session of the series on each date (at the series' time, in Helsinki,
    with its meeting link), or as `overrides` says for a date: its own start time or link
    (a session with its own link gets no Teams meeting made for it). A date on which the
    series already has a session is skipped, so confirming twice creates no duplicates.
    Returns the sessions created."""
    overrides = overrides or {}
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
            event = _session_for(series, day, status, by, overrides.get(day))
            _validate_event(event)
            event.save()
            queue_teams_sync(event)
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


def series_start_time(series: Series) -> dt.time:
    start_time = series.start_time
    if isinstance(start_time, str):
        start_time = dt.time.fromisoformat(start_time)
    return start_time


def _session_for(
    series: Series, day: dt.date, status: str, by, override: SessionOverride | None = None
) -> Event:
    override = override or SessionOverride()
    start_time = override.start_time or series_start_time(series)
    own_link = override.link_differs(series.meeting_url)
    starts_at = dt.datetime.combine(day, start_time, tzinfo=timezone.get_default_timezone())
    return Event(
        kind=series.kind,
        series=series,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=series.duration_minutes or 60),
        format=series.format,
        meeting_url=override.meeting_url if own_link else series.meeting_url,
        teams_meeting_wanted=(
            series.teams_meetings_by_default and series.format in ONLINE_FORMATS and not own_link
        ),
        place=series.place,
        capacity=series.capacity,
        registration_mode=series.registration_mode,
        status=status,
        created_by=actor(by),
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


# --- Presenters


def save_presenter(*, instance: Presenter, by) -> Presenter:
    """Save a presenter from the organiser pages (audited). A change of the consent to a
    public page is stamped with when and by whom it was recorded, and audited apart."""
    stored = Presenter.objects.filter(pk=instance.pk) if instance.pk else Presenter.objects.none()
    before = bool(stored.values_list("public_page_consent", flat=True).first())
    consent_changed = before != instance.public_page_consent
    with transaction.atomic():
        if consent_changed:
            instance.consent_recorded_at = timezone.now()
            instance.consent_recorded_by = actor(by)
        save_planning_record(instance=instance, by=by)
        if consent_changed:
            verb = "given" if instance.public_page_consent else "withdrawn"
            record_audit(actor=by, action=f"presenter.consent_{verb}", obj=instance)
    return instance


def _presenter_label(presenter: Presenter) -> str:
    if presenter.organisation:
        return f"{presenter.name} ({presenter.organisation})"
    return presenter.name


# Details of the kept presenter filled in from the merged one where the kept one has none.
MERGE_FILLED_FIELDS = ("title", "organisation", "bio", "user")


def merge_presenters(*, keep: Presenter, duplicate: Presenter, by) -> Presenter:
    """Merge a duplicate presenter into `keep`: everything that points at the duplicate
    (its events, and any other relation to Presenter) moves to `keep`, the kept one's
    empty details are filled in from the duplicate, and the duplicate is deleted, in one
    transaction. The kept presenter's consent to a public page stays as it was recorded.
    A published event whose presenters changed keeps the change in its history."""
    if keep.pk == duplicate.pk:
        raise PlanningError(_("Choose two different presenters."))
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Presenter.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])
        }
        if len(locked) != 2:
            raise PlanningError(_("The presenter no longer exists."))
        keep, duplicate = locked[keep.pk], locked[duplicate.pk]
        kept_label, merged_label = _presenter_label(keep), _presenter_label(duplicate)
        event_ids = list(duplicate.events.values_list("pk", flat=True))
        before = _presenter_labels(event_ids)
        moved = _move_relations(keep=keep, duplicate=duplicate)
        filled = [name for name in MERGE_FILLED_FIELDS if _fill(keep, duplicate, name)]
        if filled:
            keep.save(update_fields=filled)
        merged_pk = duplicate.pk
        duplicate.delete()
        after = _presenter_labels(event_ids)
        for event in Event.objects.filter(pk__in=event_ids, status=EventStatus.PUBLISHED):
            EventChange.objects.create(
                event=event,
                changed_by=actor(by),
                changes={"presenters": [before.get(event.pk, []), after.get(event.pk, [])]},
            )
        record_audit(
            actor=by,
            action="presenter.merged",
            obj=keep,
            label=kept_label,
            merged_id=merged_pk,
            merged=merged_label,
            events=sorted(event_ids),
            moved=moved,
            filled=filled or None,
        )
    return keep


def _presenter_labels(event_ids: list[int]) -> dict[int, list[str]]:
    through = Event.presenters.through.objects.filter(event_id__in=event_ids)
    labels: dict[int, list[str]] = {}
    for link in through.select_related("presenter"):
        labels.setdefault(link.event_id, []).append(_presenter_label(link.presenter))
    return {pk: sorted(names) for pk, names in labels.items()}


def _move_relations(*, keep: Presenter, duplicate: Presenter) -> dict[str, int]:
    """Point every relation to Presenter (found from the model, so a new one is not
    forgotten) at `keep`. Many-to-many links through their managers, so the signals that
    keep calendar feeds fresh see the change."""
    moved: dict[str, int] = {}
    for relation in Presenter._meta.related_objects:
        name = relation.related_model._meta.label
        if relation.many_to_many:
            accessor = relation.get_accessor_name()
            rows = list(getattr(duplicate, accessor).all())
            getattr(keep, accessor).add(*rows)
            getattr(duplicate, accessor).clear()
            moved[name] = len(rows)
        else:  # a foreign key (or one-to-one) of another model
            pointing = relation.related_model._base_manager.filter(
                **{relation.field.name: duplicate}
            )
            moved[name] = pointing.update(**{relation.field.name: keep})
    return moved


def _fill(keep: Presenter, duplicate: Presenter, name: str) -> bool:
    field = Presenter._meta.get_field(name)
    if getattr(keep, field.attname) or not getattr(duplicate, field.attname):
        return False
    setattr(keep, field.attname, getattr(duplicate, field.attname))
    return True
