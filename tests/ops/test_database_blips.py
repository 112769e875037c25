"""Database blips: a request that loses its connection answers 503 with Retry-After and a
page in the user's language (JSON for the API), nothing half-saved; the next request gets a
fresh connection; /healthz is bounded in time."""

from __future__ import annotations

import io
import time
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

import events.registration.services
from accounts.sessions import SessionStore
from events.models import Registration
from tests.factories import EventFactory, UserFactory

LOST = "server closed the connection unexpectedly"


@pytest.fixture
def register_loses_the_connection(monkeypatch):
    """The registration writes its row, then the connection drops before the commit.

    Patched at the one operation behind both `register` (the pages) and `register_person`
    (the API), so every entry point meets the same failure."""
    original = events.registration.services._register

    def register(**kwargs):
        with transaction.atomic():
            original(**kwargs)
            raise OperationalError(LOST)

    monkeypatch.setattr(events.registration.services, "_register", register)


@pytest.mark.django_db
def test_a_page_that_loses_the_database_answers_503_in_finnish(
    register_loses_the_connection, caplog
):
    event = EventFactory(capacity=5)
    person = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(person)
    response = client.post(f"/events/{event.pk}/register/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert "Palvelu on hetken poissa käytöstä" in html
    assert "Yritä uudelleen muutaman sekunnin kuluttua" in html
    assert not Registration.objects.filter(event=event).exists()  # nothing half-saved
    assert any(r.name == "kohtaamo.database" for r in caplog.records)


@pytest.mark.django_db
def test_the_page_is_in_swedish_for_a_swedish_reader(register_loses_the_connection):
    event = EventFactory(capacity=5)
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "sv"
    client.force_login(UserFactory())
    response = client.post(f"/events/{event.pk}/register/")
    assert response.status_code == 503
    assert "Tjänsten är tillfälligt otillgänglig" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_503_json(register_loses_the_connection):
    event = EventFactory(capacity=5)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(UserFactory())
    response = api.post(f"/api/v1/events/{event.pk}/register/", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert "Yritä uudelleen muutaman sekunnin kuluttua" in response.json()["detail"]
    assert not Registration.objects.filter(event=event).exists()


def _request(path: str) -> tuple[str, bytes]:
    """Through Django's real WSGI handler (the test client skips the request signals that
    close unusable connections), as gunicorn calls it."""
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "testserver"
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, _h, *_a: status.append(s)))
    return status[0], body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_terminated_connection_is_replaced_by_the_next_request():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 3
    assert _request("/healthz")[0] == "200 OK"
    with connection.cursor() as cursor:  # the ping's 2 s limit stayed in its transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert _request("/")[0] == "200 OK"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)
    status, _body = _request("/")
    assert status == "200 OK"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid  # a new connection
    assert _request("/healthz")[0] == "200 OK"
    with connection.cursor() as cursor:  # the ping's 2 s limit stayed in its transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_a_connection_lost_in_middleware_before_the_view_answers_503(client, monkeypatch):
    """Loading the session (done by the middleware that reads request.user) loses the
    connection: handler500 turns it into the same 503, in Finnish, not the 500 page."""
    client.force_login(UserFactory())

    def load(self):
        raise OperationalError(LOST)

    monkeypatch.setattr(SessionStore, "load", load)
    lost = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fi")
    lost.cookies = client.cookies
    response = lost.get("/events/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "<h1>Palvelu on hetken poissa käytöstä</h1>" in response.content.decode()
