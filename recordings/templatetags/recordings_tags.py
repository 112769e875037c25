"""Template tags that show published recordings on event and archive pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template

from recordings import selectors, transcripts

register = template.Library()


@register.inclusion_tag("recordings/_event_recordings.html")
def event_recordings(event) -> dict:
    """Published recordings of one event (embed + transcript). Two queries."""
    return {"recordings": selectors.published_recordings_of_event(event), "show_event": False}


@register.inclusion_tag("recordings/_event_recordings.html")
def published_recordings_list(limit: int = 50) -> dict:
    return {"recordings": list(selectors.published_recordings()[:limit]), "show_event": True}


@register.filter
def embed_url(recording) -> str:
    """Privacy-enhanced YouTube embed with captions on, in Finnish by default."""
    if not recording.video_id or "youtube" not in (recording.platform or "youtube").lower():
        return ""
    query = urlencode({"cc_load_policy": 1, "cc_lang_pref": "fi"})
    return f"https://www.youtube-nocookie.com/embed/{recording.video_id}?{query}"


@register.simple_tag
def transcript_of(recording) -> dict:
    """The approved human captions as text (recordings.transcripts: parsed once per version)."""
    return transcripts.transcript_of(recording)


@register.filter
def duration(seconds) -> str:
    """3512 → "58:32", 3725 → "1:02:05"."""
    if seconds in (None, ""):
        return "–"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
