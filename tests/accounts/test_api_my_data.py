"""/api/v1/me/data/ and /api/v1/me/delete/: the pages' export and deletion, by API token."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, User
from accounts.services import create_api_token
from events.models import Feedback, Registration
from networks.models import Membership
from tests.factories import MembershipFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _program(person, language="en") -> Client:
    """A program of the person's own, with their API token (no session)."""
    client = Client(HTTP_AUTHORIZATION=f"Token {create_api_token(user=person)}")
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def person():
    person = UserFactory(display_name="Maija Meikäläinen", phone="040 123 4567")
    registration = RegistrationFactory(user=person, attended=True)
    Feedback.objects.create(
        event=registration.event, registration=registration, usefulness=5, recommend=10
    )
    MembershipFactory(user=person, show_email=True)
    RegistrationFactory()  # someone else's
    return person


def test_my_data_by_api_is_the_pages_download(client, person):
    program = _program(person)
    client.force_login(person)

    response = program.get("/api/v1/me/data/")
    page = client.get(reverse("accounts:my_data_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "private, no-store"
    data, download = response.json(), json.loads(page.content)
    # The same content; only the audit entries differ, by the access line of the first export.
    assert [e["action"] for e in download.pop("audit_entries")][-1] == "personal_data.exported"
    data.pop("audit_entries")
    assert data == download
    assert data["profile"]["name"] == "Maija Meikäläinen"
    assert len(data["registrations"]) == 1
    assert len(data["memberships"]) == 1
    exported = AuditEntry.objects.filter(action="personal_data.exported", actor=person)
    assert sorted(exported.values_list("channel", flat=True)) == ["api", "json"]


def test_my_data_needs_a_signed_in_person():
    response = Client().get("/api/v1/me/data/")
    assert response.status_code in (401, 403)
    assert "Meikäläinen" not in response.content.decode()


def test_deleting_by_api_needs_the_e_mail_typed_again(person):
    program = _program(person, language="fi")

    wrong = program.post("/api/v1/me/delete/", {"email": "someone@else.fi"}, "application/json")
    missing = program.post("/api/v1/me/delete/", {}, "application/json")
    not_an_object = program.post("/api/v1/me/delete/", ["x"], "application/json")

    assert (wrong.status_code, missing.status_code, not_an_object.status_code) == (400, 400, 400)
    assert wrong.json()["errors"] == {"email": ["Tämä ei ole käyttäjätilisi sähköpostiosoite."]}
    assert "Tämä ei ole käyttäjätilisi sähköpostiosoite." in wrong.json()["detail"]
    assert missing.json()["errors"] == {"email": ["Tämä kenttä vaaditaan."]}
    # Nothing was deleted, and the token still works.
    assert User.objects.filter(pk=person.pk).exists()
    assert Registration.objects.filter(user=person).count() == 1
    assert program.get("/api/v1/me/data/").status_code == 200


def test_deleting_by_api_is_the_pages_deletion(person):
    program = _program(person)
    membership = Membership.objects.get(user=person)

    response = program.post(
        "/api/v1/me/delete/", {"email": person.email.upper()}, "application/json"
    )

    assert response.status_code == 204
    assert not User.objects.filter(pk=person.pk).exists()
    # The same service: past rows stay, anonymised, so every total is unchanged.
    assert Registration.objects.filter(attended=True, user=None).count() == 1
    membership.refresh_from_db()
    assert membership.user is None
    assert program.get("/api/v1/me/data/").status_code in (401, 403)  # the token went too


def test_deleting_by_api_in_a_session_signs_out(client, person):
    client.force_login(person)

    response = client.post("/api/v1/me/delete/", {"email": person.email}, "application/json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=person.pk).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out
