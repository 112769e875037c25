"""People make and revoke their own API tokens on the profile page; the key is shown once."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
KEY = re.compile(r'id="api-token-key" type="text" readonly value="([0-9a-f]{40})"')


REFUSED = (401,)  # with its WWW-Authenticate: Token


def api_status(key: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/registrations/").status_code


def make_token(client) -> str:
    response = client.post(reverse("accounts:api_token_create"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return KEY.search(response.content.decode())[1]


def test_member_makes_a_token_that_works_and_is_shown_once(en_client):
    person = UserFactory()
    en_client.force_login(person)
    assert "Make an API token" in en_client.get(reverse("accounts:profile")).content.decode()

    key = make_token(en_client)
    assert api_status(key) == 200
    profile = html.unescape(en_client.get(reverse("accounts:profile")).content.decode())
    assert key not in profile  # never shown again
    assert "You have a token, made" in profile
    assert AuditEntry.objects.filter(action="api_token.created", actor=person).exists()


def test_a_new_token_replaces_the_old_one(en_client):
    en_client.force_login(UserFactory())
    old, new = make_token(en_client), make_token(en_client)
    assert old != new
    assert api_status(old) in REFUSED
    assert api_status(new) == 200


def test_revoking_asks_first_then_the_token_stops_working(en_client):
    person = UserFactory()
    en_client.force_login(person)
    key = make_token(en_client)
    url = reverse("accounts:api_token_revoke")

    confirm = en_client.get(url)
    assert confirm.status_code == 200 and "Revoke the token" in confirm.content.decode()
    assert api_status(key) == 200  # asking changed nothing

    response = en_client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#api-token")
    assert not Token.objects.filter(user=person).exists()
    assert api_status(key) in REFUSED
    assert AuditEntry.objects.filter(action="api_token.revoked", actor=person).exists()


def test_token_actions_need_a_csrf_token(client):
    csrf_client = type(client)(enforce_csrf_checks=True)
    person = UserFactory()
    csrf_client.force_login(person)
    assert csrf_client.post(reverse("accounts:api_token_create")).status_code == 403
    assert csrf_client.post(reverse("accounts:api_token_revoke")).status_code == 403
    assert not Token.objects.filter(user=person).exists()


def test_making_a_token_is_post_only(en_client):
    en_client.force_login(UserFactory())
    assert en_client.get(reverse("accounts:api_token_create")).status_code == 405


def test_staff_confirm_who_they_are_before_a_token_is_made(en_client, organiser):
    # A token reaches the API without the second factor, so staff (who must have one)
    # reauthenticate first (password or their second factor, allauth's flow).
    en_client.force_login(organiser)
    response = en_client.post(reverse("accounts:api_token_create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Token.objects.filter(user=organiser).exists()

    confirmed = en_client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert api_status(make_token(en_client)) == 200
