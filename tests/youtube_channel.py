"""A connected YouTube channel for tests: the settings and the stored connection.

Nothing here calls out: the endpoints point at 127.0.0.1:9 (discard) unless a test's stub
server replaces them."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.utils import timezone

from youtube.config import SCOPE
from youtube.models import ChannelConnection

REFRESH_TOKEN = "1//04-stored-refresh-token-for-the-tests"


def configure_youtube(settings) -> None:
    settings.YOUTUBE_CLIENT_ID = "1234-test.apps.googleusercontent.com"
    settings.YOUTUBE_CLIENT_SECRET = "test-client-secret"
    settings.YOUTUBE_API_ENDPOINT = "http://127.0.0.1:9/"
    settings.YOUTUBE_TOKEN_URI = "http://127.0.0.1:9/token"
    settings.YOUTUBE_AUTH_URI = "http://127.0.0.1:9/o/oauth2/auth"
    settings.YOUTUBE_DAILY_QUOTA = 10000
    settings.YOUTUBE_TOKEN_KEY = Fernet.generate_key().decode()


def connect_channel() -> ChannelConnection:
    """The county's channel, connected by an administrator (the token stored encrypted)."""
    connection = ChannelConnection(
        channel_id="UC_county_channel_0000001",
        channel_title="County",
        scopes=[SCOPE],
        connected_at=timezone.now(),
    )
    connection.set_refresh_token(REFRESH_TOKEN)
    connection.save()
    return connection
