"""The YouTube connection's settings (YOUTUBE_* in kohtaamo/settings.py), read when used so
that a test's ``settings`` override applies."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.conf import settings

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"


@dataclass(frozen=True)
class YouTubeSettings:
    client_id: str
    api_endpoint: str
    token_uri: str
    auth_uri: str
    daily_quota: int
    client_secret: str = field(default="", repr=False)
    token_key: str = field(default="", repr=False)

    @property
    def revoke_uri(self) -> str:
        """Google's revocation endpoint sits beside its token endpoint
        (https://oauth2.googleapis.com/revoke); a stub's does too."""
        return urljoin(self.token_uri, "revoke")


def youtube_settings() -> YouTubeSettings:
    return YouTubeSettings(
        client_id=getattr(settings, "YOUTUBE_CLIENT_ID", ""),
        client_secret=getattr(settings, "YOUTUBE_CLIENT_SECRET", ""),
        api_endpoint=getattr(settings, "YOUTUBE_API_ENDPOINT", "https://youtube.googleapis.com/"),
        token_uri=getattr(settings, "YOUTUBE_TOKEN_URI", "https://oauth2.googleapis.com/token"),
        auth_uri=getattr(settings, "YOUTUBE_AUTH_URI", "https://accounts.google.com/o/oauth2/auth"),
        daily_quota=int(getattr(settings, "YOUTUBE_DAILY_QUOTA", 10000)),
        token_key=getattr(settings, "YOUTUBE_TOKEN_KEY", ""),
    )


def youtube_configured() -> bool:
    """True when the OAuth client id is set; without it the YouTube pages answer 404 and
    nothing calls Google."""
    return bool(youtube_settings().client_id)
