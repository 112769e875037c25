"""The public transcript of a recording: its approved human captions as paragraphs.

Parsing a long track (60,000 cues) takes a while, so the paragraphs are cached per track and
version: the key holds the track's id and its ``updated_at``, so a new version of the track is
parsed afresh and the old entry simply expires. The cache is Redis in production and fails
open (kohtaamo/cache.py): with Redis down every request parses, as before, and nothing fails.
"""

from __future__ import annotations

from django.core.cache import cache

from accessibility.checks import transcript_paragraphs

from .models import TrackKind, TrackStatus

CACHE_SECONDS = 7 * 24 * 3600


def transcript_track(recording):
    """The approved human track shown as text: Finnish first, else the first by language."""
    tracks = [
        t
        for t in recording.tracks.all()
        if t.kind == TrackKind.HUMAN and t.status == TrackStatus.APPROVED and t.vtt
    ]
    tracks.sort(key=lambda t: (t.language != "fi", t.language))
    return tracks[0] if tracks else None


def cache_key(track) -> str:
    version = track.updated_at.isoformat() if track.updated_at else "none"
    return f"transcript:v1:{track.pk}:{version}"


def transcript_of(recording) -> dict:
    """{"language", "paragraphs"} of the recording's transcript, parsed once per version."""
    track = transcript_track(recording)
    if track is None:
        return {"language": "", "paragraphs": []}
    key = cache_key(track)
    paragraphs = cache.get(key)
    if paragraphs is None:
        paragraphs = transcript_paragraphs(track.vtt)
        cache.set(key, paragraphs, timeout=CACHE_SECONDS)
    return {"language": track.language, "paragraphs": paragraphs}
