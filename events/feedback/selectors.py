"""Feedback figures: the net promoter score (NPS) and the averages and comments of events."""

from __future__ import annotations

from django.db.models import (
    Avg,
    Count,
    Q,
    QuerySet,
)

from ..models import Feedback

# --- Planning, attendance and feedback (evplan) ----------------------------------------


def net_promoter_score(*, promoters: int, detractors: int, answers: int) -> int | None:
    """NPS in %: promoters (9–10) minus detractors (0–6) over all answers; None if none."""
    if not answers:
        return None
    return round(100 * (promoters - detractors) / answers)


def feedback_summary(events_qs) -> dict:
    """Feedback over some events in one query: answers, average usefulness (1–5), NPS.

    Reports reuse this, so the NPS is computed in one place."""
    row = Feedback.objects.filter(event__in=events_qs).aggregate(
        answers=Count("pk"),
        usefulness=Avg("usefulness"),
        promoters=Count("pk", filter=Q(recommend__gte=9)),
        passives=Count("pk", filter=Q(recommend__in=[7, 8])),
        detractors=Count("pk", filter=Q(recommend__lte=6)),
    )
    row["nps"] = net_promoter_score(
        promoters=row["promoters"], detractors=row["detractors"], answers=row["answers"]
    )
    if row["usefulness"] is not None:
        row["usefulness"] = round(float(row["usefulness"]), 2)
    return row


def event_comments(event) -> QuerySet:
    return Feedback.objects.filter(event=event).exclude(comment="").order_by("-submitted_at")
