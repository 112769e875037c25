"""Connecting the channel (OAuth consent with offline access) and disconnecting it.

The consent goes through google_auth_oauthlib's ``Flow`` with the client configuration from
settings; the authorisation code is exchanged at YOUTUBE_TOKEN_URI; the refresh token is
stored encrypted (models.ChannelConnection). Disconnecting revokes the token at Google and
clears it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from accounts.audit import record_audit

from .client import mine_channel, youtube_service
from .config import SCOPE, youtube_settings
from .errors import FORBIDDEN, NOT_CONNECTED, UNAVAILABLE, YouTubeError
from .models import SINGLETON_ID, ChannelConnection

logger = logging.getLogger(__name__)

REVOKE_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Consent:
    url: str
    state: str
    code_verifier: str


def _flow(redirect_uri: str, *, state: str | None = None, code_verifier: str | None = None):
    config = youtube_settings()
    if not config.client_id:
        raise YouTubeError(NOT_CONNECTED, detail="YOUTUBE_CLIENT_ID is not set")
    client_config = {
        "web": {
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "auth_uri": config.auth_uri,
            "token_uri": config.token_uri,
            "redirect_uris": [redirect_uri],
        }
    }
    return Flow.from_client_config(
        client_config,
        scopes=[SCOPE],
        redirect_uri=redirect_uri,
        state=state,
        code_verifier=code_verifier,
    )


def start_consent(*, redirect_uri: str) -> Consent:
    """The address of Google's consent page, with the state and the PKCE verifier the
    callback needs (kept in the session)."""
    flow = _flow(redirect_uri)
    url, state = flow.authorization_url(access_type="offline", prompt="consent")
    return Consent(url=url, state=state, code_verifier=flow.code_verifier or "")


def complete_consent(
    *, code: str, state: str, code_verifier: str, redirect_uri: str, user, http: Any = None
) -> ChannelConnection:
    """Exchange the code, find the channel, store the encrypted refresh token."""
    flow = _flow(redirect_uri, state=state, code_verifier=code_verifier or None)
    try:
        flow.fetch_token(code=code)
    except OAuth2Error as exc:
        raise YouTubeError(FORBIDDEN, code=exc.error or "oauth", detail=exc.error) from exc
    except requests.RequestException as exc:
        raise YouTubeError(UNAVAILABLE, detail=f"token endpoint: {type(exc).__name__}") from exc
    credentials = flow.credentials
    if not credentials.refresh_token:
        raise YouTubeError(
            FORBIDDEN, code="no_refresh_token", detail="Google sent no refresh token"
        )
    channel_id, title = mine_channel(service=youtube_service(credentials=credentials, http=http))
    with transaction.atomic():
        connection = ChannelConnection.current() or ChannelConnection(pk=SINGLETON_ID)
        connection.set_refresh_token(credentials.refresh_token)
        connection.channel_id = channel_id
        connection.channel_title = title
        connection.scopes = list(credentials.granted_scopes or credentials.scopes or [SCOPE])
        connection.connected_by = user
        connection.connected_at = timezone.now()
        connection.revoked_at = None
        connection.last_error = ""
        connection.save()
        record_audit(
            actor=user, action="youtube.channel_connected", obj=connection, channel=channel_id
        )
    return connection


def disconnect(*, user) -> ChannelConnection | None:
    """Revoke the refresh token at Google (best effort: a token Google already dropped is
    fine) and clear it here."""
    connection = ChannelConnection.current()
    if connection is None:
        return None
    token = ""
    try:
        token = connection.refresh_token
    except Exception:  # noqa: BLE001 - a token that cannot be decrypted is cleared all the same
        logger.warning("YouTube refresh token could not be decrypted; clearing it")
    revoked_at_google = False
    if token:
        try:
            response = requests.post(
                youtube_settings().revoke_uri,
                data={"token": token},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=REVOKE_TIMEOUT_SECONDS,
            )
            # 200: revoked; 400 invalid_token: Google had already dropped it
            revoked_at_google = response.status_code in {200, 400}
        except requests.RequestException as exc:
            logger.warning("YouTube token revocation failed: %s", type(exc).__name__)
    with transaction.atomic():
        connection.set_refresh_token("")
        connection.revoked_at = timezone.now()
        connection.last_error = "" if revoked_at_google or not token else "revocation failed"
        connection.save()
        record_audit(
            actor=user,
            action="youtube.channel_disconnected",
            obj=connection,
            revoked_at_google=revoked_at_google,
        )
    return connection
