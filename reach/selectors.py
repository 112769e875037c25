"""Reads for reach: the pages the redirects serve, and the reach report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from accounts.roles import Ability, can
from events.models import Event, EventMaterial, Theme
from events.reports.periods import previous_period, range_period
from events.selectors import visible_events
from recordings.models import Recording
from recordings.selectors import published_recordings

from .models import CountKind, DailyCount, TargetType


def _events_for(user):
    return Event.objects.all() if can(user, Ability.MANAGE_EVENTS) else visible_events(user=user)


def visible_event(*, user, pk: int) -> Event:
    """An event whose page this person may open (raises Event.DoesNotExist)."""
    return _events_for(user).get(pk=pk)


def visible_material(*, user, pk: int) -> EventMaterial:
    """A material of an event this person may see (raises EventMaterial.DoesNotExist)."""
    return EventMaterial.objects.get(pk=pk, event__in=_events_for(user).values("pk"))


def visible_recording(*, user, pk: int) -> Recording:
    """A recording this person may play: published (the recordings' one rule for the public)
    and, if it belongs to an event, of an event this person may see (raises
    Recording.DoesNotExist)."""
    return (
        published_recordings()
        .prefetch_related(None)  # the caption tracks are not needed to forward
        .filter(Q(event__isnull=True) | Q(event__in=_events_for(user).values("pk")))
        .get(pk=pk)
    )


@dataclass
class ReachRow:
    label: str
    target_type: str
    target_id: int
    visits: int = 0
    unique_visitors: int = 0
    meeting_link: int = 0
    slides: int = 0
    recording_plays: int = 0
    previous_visits: int = 0

    @property
    def meeting_share(self) -> float | None:
        """Meeting-link clicks per visit, in per cent (None: no visits)."""
        return round(100 * self.meeting_link / self.visits, 1) if self.visits else None

    @property
    def slides_share(self) -> float | None:
        return round(100 * self.slides / self.visits, 1) if self.visits else None

    @property
    def plays_share(self) -> float | None:
        """Recording plays per visit, in per cent (None: no visits)."""
        return round(100 * self.recording_plays / self.visits, 1) if self.visits else None

    @property
    def change(self) -> int:
        """Visits compared with the previous period (see `reach_report`)."""
        return self.visits - self.previous_visits


@dataclass
class ReachReport:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    rows: list[ReachRow] = field(default_factory=list)
    total: ReachRow | None = None
    label: str = ""


_FIELDS = {
    CountKind.PAGE_VIEW: "visits",
    CountKind.UNIQUE_VISITOR: "unique_visitors",
    CountKind.MEETING_LINK: "meeting_link",
    CountKind.SLIDES: "slides",
    CountKind.RECORDING_PLAY: "recording_plays",
}


def _labels(keys) -> dict[tuple[str, int], str]:
    event_ids = [pk for kind, pk in keys if kind == TargetType.EVENT]
    theme_ids = [pk for kind, pk in keys if kind == TargetType.THEME]
    labels = {(TargetType.UPCOMING, 0): _("Upcoming events")}
    for pk, title in Event.objects.filter(pk__in=event_ids).values_list("pk", "title"):
        labels[TargetType.EVENT, pk] = title
    for pk, title in Theme.objects.filter(pk__in=theme_ids).values_list("pk", "title"):
        labels[TargetType.THEME, pk] = _("Theme: %(title)s") % {"title": title}
    return labels


def reach_report(start: dt.date, end: dt.date, *, label: str = "") -> ReachReport:
    """Per page: visits, unique visitors, meeting-link clicks, material downloads and
    recording plays from `start` to `end` (both included), with the visits of the period
    just before (the reports' rule: the two months or the year before, else as many days).
    Pages without visits or clicks in either period are left out. Three queries."""
    previous = previous_period(range_period(start=start, end=end))
    previous_start = previous.start
    report = ReachReport(start, end, previous_start, previous.end, label=label)
    sums = (
        DailyCount.objects.filter(day__range=(previous_start, end))
        .values("target_type", "target_id", "kind")
        .annotate(
            current=Sum("count", filter=Q(day__gte=start)),
            previous=Sum("count", filter=Q(day__lt=start)),
        )
        .order_by()
    )
    rows: dict[tuple[str, int], ReachRow] = {}
    for item in sums:
        key = (item["target_type"], item["target_id"])
        row = rows.setdefault(key, ReachRow("", *key))
        name = _FIELDS.get(item["kind"])
        if name:
            setattr(row, name, item["current"] or 0)
        if item["kind"] == CountKind.PAGE_VIEW:
            row.previous_visits = item["previous"] or 0
    labels = _labels(rows)
    for key, row in rows.items():
        row.label = labels.get(key, _("Removed page"))
    report.rows = sorted(rows.values(), key=lambda row: (-row.visits, row.label))
    report.total = ReachRow(_("All pages"), "", 0)
    for row in report.rows:
        for name in (*_FIELDS.values(), "previous_visits"):
            setattr(report.total, name, getattr(report.total, name) + getattr(row, name))
    return report
