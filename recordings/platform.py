"""Reading a video platform with yt-dlp: metadata and caption tracks, never the video.

Two functions touch the network: ``extract_info`` and ``fetch_track``. Everything else works
on the info dict, so tests feed saved info JSON files through the same code path by replacing
``_extract_raw`` / ``_download_text`` (the one seam).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import yt_dlp
from django.utils.translation import gettext_lazy as _
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError

logger = logging.getLogger(__name__)
YDL_OPTIONS = {"skip_download": True, "quiet": True, "no_warnings": True, "socket_timeout": 15}
LIVE_STATUSES = frozenset({"was_live", "post_live", "is_live"})
AVAILABILITY = {
    "public": "public",
    "unlisted": "unlisted",
    "private": "private",
    "needs_auth": "private",
    "subscriber_only": "private",
    "premium_only": "private",
}


class PlatformError(Exception):
    """Reading the platform failed. ``needs_person``: retrying will not help."""

    def __init__(self, message: str, *, needs_person: bool) -> None:
        super().__init__(message)
        self.message = message
        self.needs_person = needs_person


@dataclass
class PlatformFacts:
    video_id: str = ""
    platform: str = ""
    title: str = ""
    duration_seconds: int | None = None
    availability: str = ""
    uploaded_on: dt.date | None = None
    view_count: int | None = None
    is_live_recording: bool | None = None
    human_tracks: dict[str, str] = field(default_factory=dict)  # language → url of a vtt
    automatic_languages: list[str] = field(default_factory=list)


def _extract_raw(url: str) -> dict:
    with yt_dlp.YoutubeDL(YDL_OPTIONS) as ydl:
        return ydl.extract_info(url, download=False)


def _download_text(url: str) -> bytes:
    with yt_dlp.YoutubeDL(YDL_OPTIONS) as ydl:
        return ydl.urlopen(url).read()


def extract_info(url: str) -> dict:
    """The platform's metadata for a URL as plain JSON data; raises PlatformError."""
    try:
        info = _extract_raw(url)
    except DownloadError as exc:
        raise classify_error(exc) from exc
    except (TransportError, OSError) as exc:
        raise PlatformError(str(exc), needs_person=False) from exc
    except Exception as exc:  # an extractor bug must not crash a page or the daily task
        logger.exception("yt-dlp failed on %s", url)
        raise PlatformError(str(exc) or exc.__class__.__name__, needs_person=False) from exc
    if not info:
        raise PlatformError(str(_("The platform returned nothing.")), needs_person=True)
    if info.get("_type") == "playlist":
        raise PlatformError(
            str(_("The address is a playlist or a channel, not one video.")), needs_person=True
        )
    return yt_dlp.YoutubeDL.sanitize_info(info)


def classify_error(exc: DownloadError) -> PlatformError:
    """Private, removed, login → a person must act; network or server trouble → retry."""
    cause = exc.exc_info[1] if exc.exc_info else None
    message = re.sub(r"^ERROR:\s*", "", str(exc.msg if hasattr(exc, "msg") else exc))
    if isinstance(cause, HTTPError):
        return PlatformError(message, needs_person=cause.status < 500 and cause.status != 429)
    if isinstance(cause, TransportError):
        return PlatformError(message, needs_person=False)
    if isinstance(cause, ExtractorError):
        inner = getattr(cause, "orig_msg", None) or message
        if isinstance(cause.cause, (TransportError, OSError)):
            return PlatformError(inner, needs_person=False)
        if isinstance(cause.cause, HTTPError) and cause.cause.status >= 500:
            return PlatformError(inner, needs_person=False)
        return PlatformError(inner, needs_person=True)
    if "Unsupported URL" in message:
        return PlatformError(str(_("The address is not a video.")), needs_person=True)
    return PlatformError(message, needs_person=True)


def facts_from_info(info: dict) -> PlatformFacts:
    """Our fields from a yt-dlp info dict (pure; used by the sync and by the tests)."""
    live_status = info.get("live_status")
    return PlatformFacts(
        video_id=str(info.get("id") or ""),
        platform=str(info.get("extractor_key") or info.get("extractor") or "")[:50],
        title=str(info.get("title") or "")[:300],
        duration_seconds=int(info["duration"]) if info.get("duration") else None,
        availability=AVAILABILITY.get(info.get("availability") or "", ""),
        uploaded_on=_upload_date(info),
        view_count=info.get("view_count"),
        is_live_recording=None if live_status is None else live_status in LIVE_STATUSES,
        human_tracks=human_tracks(info),
        automatic_languages=automatic_languages(info),
    )


def _upload_date(info: dict) -> dt.date | None:
    value = info.get("upload_date")
    if value and re.fullmatch(r"\d{8}", str(value)):
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    if info.get("timestamp"):
        return dt.datetime.fromtimestamp(info["timestamp"], tz=dt.UTC).date()
    return None


def _is_original_language(lang: str) -> bool:
    # "live_chat" is a chat replay, "-orig" the machine track of the spoken language.
    return lang != "live_chat" and not lang.endswith("-orig")


def human_tracks(info: dict) -> dict[str, str]:
    """Language → URL of the best downloadable file of each human-made track."""
    tracks: dict[str, str] = {}
    for lang, formats in (info.get("subtitles") or {}).items():
        if not _is_original_language(lang) or not formats:
            continue
        by_ext = {f.get("ext"): f.get("url") for f in formats if f.get("url")}
        url = by_ext.get("vtt") or by_ext.get("srt") or next(iter(by_ext.values()), "")
        if url:
            tracks[lang] = url
    return tracks


def automatic_languages(info: dict) -> list[str]:
    """Spoken languages of the machine tracks only: not the ~100 machine translations.

    YouTube marks the speech-recognised track as ``<lang>-orig`` when it also offers
    translations; without translations there is a single automatic language.
    """
    auto = info.get("automatic_captions") or {}
    originals = sorted(lang.removesuffix("-orig") for lang in auto if lang.endswith("-orig"))
    if originals:
        return originals
    if len(auto) == 1:
        return list(auto)
    spoken = info.get("language")
    return [spoken] if spoken and spoken in auto else []


def fetch_track(url: str) -> bytes:
    """Download one caption file (a few kilobytes of text); raises PlatformError."""
    try:
        return _download_text(url)
    except DownloadError as exc:
        raise classify_error(exc) from exc
    except (TransportError, OSError) as exc:
        raise PlatformError(str(exc), needs_person=False) from exc


YOUTUBE_ID = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:.*&)?v=|embed/|live/|shorts/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})"
)


def youtube_id(url: str) -> str:
    match = YOUTUBE_ID.search(url)
    return match.group(1) if match else ""
