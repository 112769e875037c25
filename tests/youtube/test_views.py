"""The connect, callback and disconnect pages against a local stub of Google's token,
revocation and YouTube endpoints (pytest-httpserver on 127.0.0.1)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection as db
from django.urls import reverse
from pytest_httpserver import HTTPServer

from accounts.models import AuditEntry
from youtube.config import SCOPE
from youtube.models import ChannelConnection

from .conftest import load

pytestmark = pytest.mark.django_db
PLAIN_TOKEN = load("token_exchanged.json")["refresh_token"]


@pytest.fixture
def google(httpserver: HTTPServer, youtube_settings, monkeypatch):
    """Token, revocation and API endpoints on the stub. The stub speaks plain HTTP on
    127.0.0.1, which oauthlib refuses for a token endpoint unless told it is a test."""
    origin = f"http://127.0.0.1:{httpserver.port}"
    youtube_settings.YOUTUBE_TOKEN_URI = f"{origin}/token"
    youtube_settings.YOUTUBE_API_ENDPOINT = f"{origin}/"
    youtube_settings.YOUTUBE_AUTH_URI = f"{origin}/o/oauth2/auth"
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    httpserver.expect_request("/token", method="POST").respond_with_json(
        load("token_exchanged.json")
    )
    httpserver.expect_request(
        "/youtube/v3/channels",
        method="GET",
        query_string={"part": "snippet", "mine": "true", "alt": "json"},
    ).respond_with_json(load("channels_list_mine.json"))
    httpserver.expect_request("/revoke", method="POST").respond_with_data("")
    return httpserver


def _connect(client) -> dict:
    response = client.post(reverse("youtube:connect"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    return parse_qs(location.query)


def test_connect_callback_disconnect(en_client, admin_user, google):
    en_client.force_login(admin_user)
    page = en_client.get(reverse("youtube:status"))
    assert page.status_code == 200
    assert b"No channel is connected." in page.content
    assert b"10000 of 10000 units left today" in page.content

    query = _connect(en_client)
    assert query["scope"] == [SCOPE]
    assert query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/youtube/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    state = query["state"][0]

    response = en_client.get(reverse("youtube:callback"), {"state": state, "code": "4/0-code"})
    assert response.status_code == 302
    token_request = next(r for r, _ in google.log if r.path == "/token")
    form = parse_qs(token_request.get_data(as_text=True))
    assert form["code"] == ["4/0-code"] and form["grant_type"] == ["authorization_code"]
    assert "code_verifier" in form

    connection = ChannelConnection.current()
    assert connection.is_active
    assert connection.channel_id == "UC_county_channel_0000001"
    assert connection.channel_title == "Hyvinvointialue – Työkykyohjelma"
    assert connection.connected_by == admin_user
    assert connection.refresh_token == PLAIN_TOKEN
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM youtube_channelconnection")
        assert PLAIN_TOKEN not in json.dumps([str(value) for value in cursor.fetchone()])
    assert AuditEntry.objects.filter(action="youtube.channel_connected").exists()

    page = en_client.get(reverse("youtube:status"))
    assert "Hyvinvointialue – Työkykyohjelma" in page.content.decode()
    assert b"9999 of 10000 units left today" in page.content  # channels.list

    response = en_client.post(reverse("youtube:disconnect"))
    assert response.status_code == 302
    revoke = next(r for r, _ in google.log if r.path == "/revoke")
    assert parse_qs(revoke.get_data(as_text=True))["token"] == [PLAIN_TOKEN]
    connection.refresh_from_db()
    assert not connection.is_active and connection.encrypted_refresh_token == ""
    assert connection.revoked_at is not None


def test_callback_with_a_wrong_state_stores_nothing(en_client, admin_user, google):
    en_client.force_login(admin_user)
    _connect(en_client)
    response = en_client.get(
        reverse("youtube:callback"), {"state": "forged", "code": "4/0-code"}, follow=True
    )
    assert b"The connection could not be completed" in response.content
    assert ChannelConnection.current() is None
    assert not [r for r, _ in google.log if r.path == "/token"]


def test_consent_refused(en_client, admin_user, google):
    en_client.force_login(admin_user)
    state = _connect(en_client)["state"][0]
    response = en_client.get(
        reverse("youtube:callback"), {"state": state, "error": "access_denied"}, follow=True
    )
    assert b"the consent was not given" in response.content
    assert ChannelConnection.current() is None


@pytest.mark.parametrize("name", ["status", "callback"])
def test_others_may_not(client, communications, youtube_settings, name):
    url = reverse(f"youtube:{name}")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(communications)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["connect", "disconnect"])
def test_others_may_not_post(client, communications, youtube_settings, name):
    client.force_login(communications)
    assert client.post(reverse(f"youtube:{name}")).status_code == 403


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "status"), ("post", "connect"), ("get", "callback"), ("post", "disconnect")],
)
def test_not_configured_answers_404(client, admin_user, settings, method, name):
    settings.YOUTUBE_CLIENT_ID = ""
    client.force_login(admin_user)
    assert getattr(client, method)(reverse(f"youtube:{name}")).status_code == 404
