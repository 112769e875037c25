"""The communications dashboard: one row per recording with status, deadline, tracks and cost.

Built from one selector (3 queries whatever the number of recordings) and the compliance
function; filters and totals are computed over the same rows, so they can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from accessibility.compliance import Compliance, DeadlineState, Status, compliance_of
from youtube.selectors import ChannelSummary, channel_summary

from .models import Availability, PublicationState, Recording, TrackKind

FILTERS = {
    "overdue": _("Overdue"),
    "needs_ordering": _("Needs ordering"),
    "waiting_for_vendor": _("Waiting for vendor"),
    "ready": _("Ready to publish"),
    "published": _("Published"),
    "public_without_captions": _("Public on YouTube without compliant captions"),
}


@dataclass
class Row:
    recording: Recording
    compliance: Compliance
    human_languages: list[str]
    automatic_languages: list[str]
    cost: Decimal
    open_orders: int

    @property
    def views(self) -> int:
        return self.recording.view_count or 0

    @property
    def cost_per_view(self) -> Decimal | None:
        if not self.cost or not self.views:
            return None
        return (self.cost / self.views).quantize(Decimal("0.01"))

    @property
    def published(self) -> bool:
        return self.recording.publication_state == PublicationState.PUBLISHED

    @property
    def public_without_captions(self) -> bool:
        """Anyone can watch it on the platform, yet its captions do not comply."""
        return (
            self.recording.availability == Availability.PUBLIC and not self.compliance.is_compliant
        )

    def matches(self, name: str) -> bool:
        c = self.compliance
        if name == "overdue":
            return c.deadline_state == DeadlineState.OVERDUE
        if name == "needs_ordering":
            missing = {Status.NO_CAPTIONS, Status.ONLY_AUTOMATIC}
            return not self.open_orders and any(s in missing for s in c.languages.values())
        if name == "waiting_for_vendor":
            return self.open_orders > 0
        if name == "ready":
            return c.is_compliant and not self.published
        if name == "published":
            return self.published
        if name == "public_without_captions":
            return self.public_without_captions
        return True


@dataclass
class Totals:
    recordings: int
    minutes_captioned: int
    minutes_ordered: Decimal
    euros: Decimal
    views: int
    public_without_captions: int = 0
    # The channel connection (None without YOUTUBE_CLIENT_ID): quota left, pending work.
    youtube: ChannelSummary | None = None

    @property
    def euros_per_view(self) -> Decimal | None:
        if not self.views:
            return None
        return (self.euros / self.views).quantize(Decimal("0.01"))


def build_row(recording: Recording, *, policy, today: dt.date) -> Row:
    tracks = list(recording.tracks.all())
    orders = list(recording.orders.all())
    return Row(
        recording=recording,
        compliance=compliance_of(recording, policy=policy, today=today),
        human_languages=sorted({t.language for t in tracks if t.kind == TrackKind.HUMAN}),
        automatic_languages=sorted({t.language for t in tracks if t.kind == TrackKind.AUTOMATIC}),
        cost=sum((o.total for o in orders), Decimal("0.00")),
        open_orders=sum(1 for o in orders if o.delivered_on is None),
    )


def build_dashboard(recordings, *, policy, today: dt.date, filter_name: str = ""):
    rows = [build_row(r, policy=policy, today=today) for r in recordings]
    if filter_name in FILTERS:
        rows = [row for row in rows if row.matches(filter_name)]
    totals = Totals(
        recordings=len(rows),
        minutes_captioned=sum(
            (row.recording.duration_seconds or 0) for row in rows if row.compliance.is_compliant
        )
        // 60,
        minutes_ordered=sum(
            (o.minutes for row in rows for o in row.recording.orders.all()), Decimal(0)
        ),
        euros=sum((row.cost for row in rows), Decimal("0.00")),
        views=sum(row.views for row in rows),
        public_without_captions=sum(1 for row in rows if row.public_without_captions),
        youtube=channel_summary(),
    )
    return rows, totals
