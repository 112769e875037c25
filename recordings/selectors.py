"""Reads of recordings shared by the dashboard, pages, API and tasks (prefetch done here)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import CaptionOrder, CaptionTrack, PublicationState, Recording, TrackKind

# Track columns a list needs: never the caption text itself.
_TRACK_LIST_FIELDS = ("vtt", "findings", "findings_summary")


def recordings_for_dashboard() -> QuerySet[Recording]:
    """Every recording with its event, tracks (without the text) and orders: 3 queries."""
    return (
        Recording.objects.select_related("event", "event__theme")
        .prefetch_related(
            Prefetch("tracks", queryset=CaptionTrack.objects.defer(*_TRACK_LIST_FIELDS)),
            Prefetch("orders", queryset=CaptionOrder.objects.order_by("-ordered_on", "-pk")),
        )
        .order_by("-recorded_on", "-pk")
    )


def recordings_for_api() -> QuerySet[Recording]:
    """Like the dashboard, with each track's counts and findings grouped by rule: never its
    text nor its full findings list (a 63,000-cue track can have thousands; the API pages
    them through ``track_with_findings``)."""
    return (
        Recording.objects.select_related("event", "event__theme")
        .prefetch_related(
            Prefetch("tracks", queryset=CaptionTrack.objects.defer("vtt", "findings")),
            Prefetch("orders", queryset=CaptionOrder.objects.order_by("-ordered_on", "-pk")),
        )
        .order_by("-recorded_on", "-pk")
    )


def recording_detail(pk: int) -> Recording:
    return (
        Recording.objects.select_related("event", "event__theme", "published_by")
        .prefetch_related(
            Prefetch(
                "tracks",
                # The page shows the findings grouped by rule (findings_summary): never the
                # caption text or the full findings list, which can hold 60,000 items.
                queryset=CaptionTrack.objects.select_related("reviewed_by", "order").defer(
                    "vtt", "findings"
                ),
            ),
            Prefetch("orders", queryset=CaptionOrder.objects.order_by("-ordered_on", "-pk")),
        )
        .get(pk=pk)
    )


def track_with_findings(*, recording_pk: int, track_pk: int) -> CaptionTrack:
    """One human track of a recording with its full findings list (not the caption text)."""
    return (
        CaptionTrack.objects.select_related("recording")
        .defer("vtt", "findings_summary", "recording__platform_info")
        # recording__pk, not recording_id: only the former is guarded against ids out of range
        .get(pk=track_pk, recording__pk=recording_pk, kind=TrackKind.HUMAN)
    )


def published_recordings() -> QuerySet[Recording]:
    """What the public may see: published in Kohtaamo (the gate made sure they comply)."""
    return (
        Recording.objects.filter(publication_state=PublicationState.PUBLISHED)
        .select_related("event", "event__theme")
        .prefetch_related(
            Prefetch(
                "tracks",
                queryset=CaptionTrack.objects.filter(kind=TrackKind.HUMAN).defer(
                    "findings", "findings_summary"
                ),
            )
        )
        .order_by("-recorded_on", "-pk")
    )


def published_recordings_of_event(event) -> list[Recording]:
    return list(published_recordings().filter(event=event))


def recordings_to_refresh() -> QuerySet[Recording]:
    """Daily refresh: everything except recordings a person must fix first (private, removed)."""
    return Recording.objects.exclude(last_error_kind="needs_person").order_by("pk")
