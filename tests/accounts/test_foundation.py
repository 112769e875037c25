"""Foundation: settings, roles, languages, sign-in by code, health, migrations."""

import io
import re

import environ
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.urls import reverse

from accounts.roles import Ability, Role, can, grant_role
from tests.factories import UserFactory


def test_settings_read_database_and_hosts_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://kohtaamo:secret@db.example:5433/kohtaamo")
    monkeypatch.setenv("ALLOWED_HOSTS", "kohtaamo.example.fi,www.kohtaamo.example.fi")
    env = environ.Env()
    database = env.db("DATABASE_URL")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example",
        5433,
        "kohtaamo",
    )
    assert env.list("ALLOWED_HOSTS") == ["kohtaamo.example.fi", "www.kohtaamo.example.fi"]


def test_settings_defaults_are_finnish_and_helsinki(settings):
    assert settings.LANGUAGE_CODE == "fi"
    assert settings.TIME_ZONE == "Europe/Helsinki"
    assert settings.USE_TZ is True
    assert [code for code, _name in settings.LANGUAGES] == ["fi", "sv", "en"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (Role.ORGANISER, Ability.MANAGE_EVENTS, Ability.PUBLISH_RECORDINGS),
        (Role.COMMUNICATIONS, Ability.PUBLISH_RECORDINGS, Ability.MANAGE_EVENTS),
        (Role.REPORTING, Ability.VIEW_REPORTS, Ability.MANAGE_EVENTS),
    ],
)
def test_each_role_grants_its_abilities_only(role, allowed, denied):
    person = UserFactory()
    assert not can(person, allowed)
    grant_role(person, role)
    person.refresh_from_db()
    assert can(person, allowed)
    assert not can(person, denied)
    assert not can(person, Ability.OVERRIDE_PUBLICATION)


@pytest.mark.django_db
def test_superuser_may_do_everything_and_anonymous_nothing(admin_user):
    assert all(can(admin_user, ability) for ability in Ability)
    assert not any(can(AnonymousUser(), ability) for ability in Ability)


@pytest.mark.django_db
def test_grant_role_command_gives_the_role_and_rejects_unknown_email():
    person = UserFactory(email="liisa@example.fi")
    call_command("grant_role", "Liisa@example.fi", "reporting", stdout=io.StringIO())
    person.refresh_from_db()
    assert can(person, Ability.VIEW_REPORTS)
    with pytest.raises(CommandError, match=r"nobody@example.fi"):
        call_command("grant_role", "nobody@example.fi", "reporting")


@pytest.mark.django_db
def test_home_page_is_finnish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert "Siirry sisältöön" in html  # the skip link, in Finnish


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "skip_link"), [("sv", "Hoppa till innehållet"), ("en", "Skip to content")]
)
def test_language_switch_is_remembered(client, language, skip_link):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert f'<html lang="{language}">' in html
    assert skip_link in html


@pytest.mark.django_db
def test_login_by_emailed_code(client):
    person = UserFactory(email="koodi@example.fi")
    response = client.post(reverse("account_request_login_code"), {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9][A-Z0-9-]{4,10})\s*$", mail.outbox[0].body, re.MULTILINE).group(
        1
    )
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_profile_is_editable_by_its_owner(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Liisa Virtanen",
            "title": "Työhönvalmentaja",
            "organisation_name": "Kuopion kaupunki",
            "phone": "",
            "language": "sv",
            "reminders_enabled": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("Liisa Virtanen", "sv")
    assert client.cookies["django_language"].value == "sv"


@pytest.mark.django_db
def test_profile_requires_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_health_check_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


@pytest.mark.django_db
def test_health_check_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_api_schema_and_docs_are_served_without_a_cdn(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_microsoft_login_is_absent_without_credentials(settings):
    assert "microsoft" not in settings.SOCIALACCOUNT_PROVIDERS
