"""The YouTube Data API v3 through Google's own client (google-api-python-client).

- ``youtube_service`` builds the client from the discovery document shipped with the library
  (``static_discovery=True``: no discovery request), pointed at YOUTUBE_API_ENDPOINT, with
  OAuth credentials made from the stored refresh token (refreshed at YOUTUBE_TOKEN_URI). Tests
  hand it an ``http`` (googleapiclient.http.HttpMockSequence) that replays recorded answers
  through the real request path, token refresh included.
- Every call spends its quota units (quota.py) *before* it is made; a call the day's quota
  cannot pay for is not made.
- Every failure is a ``YouTubeError`` (errors.py); tokens never appear in one, nor in logs.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httplib2
from django.utils import timezone
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload, build_http

from . import crypto, quota
from .config import SCOPE, youtube_configured, youtube_settings
from .errors import (
    FORBIDDEN,
    NOT_CONNECTED,
    NOT_FOUND,
    QUOTA_EXCEEDED,
    REVOKED,
    UNAVAILABLE,
    QuotaExhaustedError,
    YouTubeError,
)
from .models import ChannelConnection

__all__ = [
    "CaptionTrack",
    "VideoInfo",
    "YouTubeError",
    "caption_tracks",
    "delete_caption",
    "insert_caption",
    "mine_channel",
    "parse_duration",
    "read_video",
    "read_videos",
    "set_privacy",
    "update_caption",
    "video_status",
    "youtube_service",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # videos.list takes at most 50 ids
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class VideoInfo:
    id: str
    privacy_status: str  # public, unlisted, private
    duration_seconds: int | None
    view_count: int | None


@dataclass(frozen=True)
class VideoStatus:
    """A video's whole ``status`` part as videos.list returned it (for videos.update)."""

    id: str
    status: dict


@dataclass(frozen=True)
class CaptionTrack:
    id: str
    language: str
    kind: str  # standard, asr (automatic speech recognition), forced
    is_draft: bool


def parse_duration(value: str) -> int | None:
    """ISO 8601 duration as YouTube gives it (PT1H2M3S, P1DT2H, P0D) in whole seconds; None
    when it cannot be read."""
    match = _DURATION.match(value or "")
    if not match or value in {"P", "PT"}:
        return None
    parts = {name: float(number or 0) for name, number in match.groupdict().items()}
    return round(
        parts["weeks"] * 604800
        + parts["days"] * 86400
        + parts["hours"] * 3600
        + parts["minutes"] * 60
        + parts["seconds"]
    )


# --- the service ------------------------------------------------------------------


def stored_credentials() -> Credentials:
    """Credentials from the connected channel's refresh token (no access token yet: the
    first request refreshes it at YOUTUBE_TOKEN_URI)."""
    if not youtube_configured():
        raise YouTubeError(NOT_CONNECTED, detail="YOUTUBE_CLIENT_ID is not set")
    connection = ChannelConnection.current()
    if connection is None or not connection.encrypted_refresh_token:
        raise YouTubeError(NOT_CONNECTED)
    if connection.revoked_at is not None:
        raise YouTubeError(REVOKED, detail=connection.last_error)
    try:
        refresh_token = connection.refresh_token
    except crypto.InvalidToken as exc:
        raise YouTubeError(
            REVOKED, detail="the stored token cannot be decrypted: YOUTUBE_TOKEN_KEY changed"
        ) from exc
    config = youtube_settings()
    return Credentials(
        token=None,
        refresh_token=refresh_token,
        token_uri=config.token_uri,
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=connection.scopes or [SCOPE],
    )


class _EndpointHttp(AuthorizedHttp):
    """AuthorizedHttp that keeps every request on YOUTUBE_API_ENDPOINT's scheme.

    googleapiclient moves an upload URL (captions.insert/update) to the overridden
    endpoint's host but keeps the discovery document's https; a stub server on plain http
    (tests, trials) would never receive the upload. Google itself is https: unchanged."""

    def __init__(self, credentials: Credentials, *, http: Any, endpoint: str) -> None:
        super().__init__(credentials, http=http)
        parts = urlsplit(endpoint)
        self._plain_prefix = f"https://{parts.netloc}/" if parts.scheme == "http" else ""

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        if self._plain_prefix and uri.startswith(self._plain_prefix):
            uri = "http://" + uri.removeprefix("https://")
        return super().request(uri, *args, **kwargs)


def youtube_service(*, http: Any = None, credentials: Credentials | None = None) -> Any:
    """A ``youtube`` v3 client on YOUTUBE_API_ENDPOINT. ``credentials`` default to the stored
    channel's; ``http`` (an httplib2.Http or a test's HttpMockSequence) carries both the token
    refresh and the API calls."""
    if credentials is None:
        credentials = stored_credentials()
    endpoint = youtube_settings().api_endpoint
    authorized = _EndpointHttp(
        credentials, http=http if http is not None else build_http(), endpoint=endpoint
    )
    return build(
        "youtube",
        "v3",
        http=authorized,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint},
    )


# --- errors -----------------------------------------------------------------------------


def _google_reason(error: HttpError) -> tuple[str, str]:
    """(reason, message) of Google's error body: {"error": {"errors": [{"reason": ...}]}}."""
    try:
        body = json.loads(error.content.decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", ""
    reasons = [
        item.get("reason", "") for item in body.get("errors") or [] if isinstance(item, dict)
    ]
    return (reasons[0] if reasons else str(body.get("status", ""))), str(body.get("message", ""))


def _mark_revoked(detail: str) -> None:
    ChannelConnection.objects.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), last_error=detail[:500]
    )


def _translate(exc: Exception, operation: str) -> YouTubeError:
    if isinstance(exc, RefreshError):
        text = str(exc.args[0]) if exc.args else ""
        if "invalid_grant" in text:
            # Revoked by the channel owner, expired (unused for six months, a testing-mode
            # consent screen's seven days), or the account's password changed.
            _mark_revoked("invalid_grant")
            logger.warning("YouTube refresh token refused (invalid_grant); reconnect the channel")
            return YouTubeError(REVOKED, code="invalid_grant", detail=text[:300])
        if getattr(exc, "retryable", False):
            return YouTubeError(UNAVAILABLE, detail=text[:300])
        return YouTubeError(FORBIDDEN, code="token", detail=text[:300])
    if isinstance(exc, HttpError):
        status = exc.resp.status
        reason, message = _google_reason(exc)
        common = {"status": status, "code": reason, "detail": f"{operation}: {message}"[:300]}
        if status == 403 and reason in QUOTA_REASONS:
            quota.mark_exhausted()
            return YouTubeError(QUOTA_EXCEEDED, **common)
        if status == 401:
            _mark_revoked(reason or "401")
            return YouTubeError(REVOKED, **common)
        if status == 404:
            return YouTubeError(NOT_FOUND, **common)
        if status == 429 or status >= 500:
            return YouTubeError(UNAVAILABLE, **common)
        return YouTubeError(FORBIDDEN, **common)
    return YouTubeError(UNAVAILABLE, detail=f"{operation}: {type(exc).__name__}")


def _execute(request: Any, operation: str) -> dict:
    """Spend the operation's units, then make the call."""
    try:
        quota.spend(operation)
    except QuotaExhaustedError as exc:
        raise YouTubeError(
            QUOTA_EXCEEDED, detail=f"{operation} needs {exc.cost}, {exc.remaining} left"
        ) from exc
    try:
        return request.execute()
    except (RefreshError, TransportError, HttpError, httplib2.HttpLib2Error, OSError) as exc:
        raise _translate(exc, operation) from exc


# --- reads ------------------------------------------------------------------------------


def _video_info(item: dict) -> VideoInfo:
    statistics = item.get("statistics") or {}
    views = statistics.get("viewCount")
    return VideoInfo(
        id=item["id"],
        privacy_status=(item.get("status") or {}).get("privacyStatus", ""),
        duration_seconds=parse_duration((item.get("contentDetails") or {}).get("duration", "")),
        view_count=int(views) if views is not None else None,
    )


def read_videos(video_ids: Iterable[str], *, service: Any = None) -> dict[str, VideoInfo | None]:
    """Privacy status, duration and view count of each video (public, unlisted or private:
    the channel's own), ≤ 50 ids per videos.list call at 1 unit each. A video YouTube does
    not return (deleted, or never there) maps to None."""
    ids = list(dict.fromkeys(video_id for video_id in video_ids if video_id))
    if not ids:
        return {}
    service = service or youtube_service()
    found: dict[str, VideoInfo | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        request = service.videos().list(part="status,contentDetails,statistics", id=",".join(chunk))
        answer = _execute(request, "videos.list")
        for item in answer.get("items") or []:
            if item.get("id") in found:
                found[item["id"]] = _video_info(item)
    return found


def read_video(video_id: str, *, service: Any = None) -> VideoInfo:
    """One video; YouTubeError(not_found) when YouTube no longer has it."""
    info = read_videos([video_id], service=service).get(video_id)
    if info is None:
        raise YouTubeError(NOT_FOUND, status=200, detail=f"videos.list: no item for {video_id}")
    return info


def caption_tracks(video_id: str, *, service: Any = None) -> list[CaptionTrack]:
    """The video's caption tracks (captions.list, 50 units)."""
    service = service or youtube_service()
    answer = _execute(service.captions().list(part="snippet", videoId=video_id), "captions.list")
    tracks = []
    for item in answer.get("items") or []:
        snippet = item.get("snippet") or {}
        tracks.append(
            CaptionTrack(
                id=item["id"],
                language=snippet.get("language", ""),
                kind=(snippet.get("trackKind") or "").lower(),
                is_draft=bool(snippet.get("isDraft", False)),
            )
        )
    return tracks


def mine_channel(*, service: Any = None) -> tuple[str, str]:
    """(id, title) of the channel the credentials belong to (channels.list mine=true)."""
    service = service or youtube_service()
    answer = _execute(service.channels().list(part="snippet", mine=True), "channels.list")
    items = answer.get("items") or []
    if not items:
        raise YouTubeError(FORBIDDEN, code="noChannel", detail="the account has no channel")
    return items[0]["id"], (items[0].get("snippet") or {}).get("title", "")


# --- writes (only youtube.tasks calls these: tests/youtube/test_gate.py checks it) ---------

VTT_MIMETYPE = "text/vtt"  # captions.insert/update accept */* (and text/xml, octet-stream)


def _vtt_media(vtt_text: str) -> MediaInMemoryUpload:
    return MediaInMemoryUpload(vtt_text.encode("utf-8"), mimetype=VTT_MIMETYPE, resumable=False)


def insert_caption(
    video_id: str, language: str, name: str, vtt_text: str, *, service: Any = None
) -> str:
    """Add a caption track (WebVTT) to the video; its YouTube caption id (400 units)."""
    service = service or youtube_service()
    body = {"snippet": {"videoId": video_id, "language": language, "name": name}}
    request = service.captions().insert(part="snippet", body=body, media_body=_vtt_media(vtt_text))
    return _execute(request, "captions.insert")["id"]


def update_caption(caption_id: str, vtt_text: str, *, service: Any = None) -> str:
    """Replace the text of an uploaded caption track (450 units)."""
    service = service or youtube_service()
    request = service.captions().update(
        part="snippet", body={"id": caption_id}, media_body=_vtt_media(vtt_text)
    )
    return _execute(request, "captions.update").get("id", caption_id)


def delete_caption(caption_id: str, *, service: Any = None) -> None:
    """Remove a caption track from YouTube (50 units)."""
    service = service or youtube_service()
    _execute(service.captions().delete(id=caption_id), "captions.delete")


def video_status(video_id: str, *, service: Any = None) -> VideoStatus:
    """The video's status part as it is now (videos.list part=status, 1 unit)."""
    service = service or youtube_service()
    answer = _execute(service.videos().list(part="status", id=video_id), "videos.list")
    for item in answer.get("items") or []:
        if item.get("id") == video_id:
            return VideoStatus(id=video_id, status=dict(item.get("status") or {}))
    raise YouTubeError(NOT_FOUND, status=200, detail=f"videos.list: no item for {video_id}")


# Read-only fields of the status part: YouTube ignores or refuses them in an update.
_READ_ONLY_STATUS = frozenset({"uploadStatus", "failureReason", "rejectionReason"})


def set_privacy(video_id: str, privacy: str, *, current: VideoStatus, service: Any = None) -> dict:
    """Set the video's privacyStatus (videos.update part=status, 50 units).

    videos.update REPLACES the whole status part: a field left out is reset to its default
    (embeddable, license, publicStatsViewable, selfDeclaredMadeForKids, publishAt ...). So the
    body is the status just read by ``video_status`` with only privacyStatus changed.
    """
    if privacy not in {"public", "unlisted", "private"}:
        raise ValueError(f"unknown privacy status {privacy!r}")
    status = {k: v for k, v in current.status.items() if k not in _READ_ONLY_STATUS}
    status["privacyStatus"] = privacy
    if privacy != "private":
        status.pop("publishAt", None)  # a scheduled publication is only for private videos
    service = service or youtube_service()
    request = service.videos().update(part="status", body={"id": video_id, "status": status})
    return _execute(request, "videos.update")
