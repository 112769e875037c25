"""The API's error answers as an API user meets them, and the schema that documents them.

Every operation of /api/schema/ is walked: the private ones (a security requirement) answer a
caller without credentials 401 with WWW-Authenticate, the public ones (no requirement) do
not; the documented codes are where they can happen, and the bodies are the documented one
error shape (kohtaamo/api_errors.py, kohtaamo/api_schema.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from jsonschema import Draft202012Validator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.roles import Role, grant_role
from kohtaamo.pagination import MAX_LIMIT
from tests.factories import (
    HELSINKI,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RecordingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
ERROR_CODES = ("400", "401", "403", "404", "429")
NOW = dt.datetime(2027, 3, 10, 10, 0, tzinfo=HELSINKI)


def _client(*, token: str | None = None) -> APIClient:
    client = APIClient()
    client.cookies["django_language"] = "en"
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _token_of(person) -> str:
    return Token.objects.create(user=person).key


@pytest.fixture
def schema() -> dict:
    response = _client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    """(method, path, operation) of every operation the schema lists."""
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def url_of(path: str, value: str = "1") -> str:
    return re.sub(r"\{\w+\}", value, path)


def call(client: APIClient, method: str, url: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, {}, format="json")


def assert_documented(schema: dict, method: str, path: str, response) -> None:
    """The answer's status is listed for the operation and its body validates against it."""
    answers = schema["paths"][path][method]["responses"]
    code = str(response.status_code)
    assert code in answers, f"{method.upper()} {path}: {code} is not documented"
    body_schema = answers[code]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**body_schema, "components": schema["components"]})
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == [], f"{method.upper()} {path} {code}: {errors}"


# --- 401 for a caller without credentials, on every private operation ------------------


def test_every_private_operation_answers_401_without_credentials(schema):
    anonymous = _client()
    private = [(m, p) for m, p, op in operations(schema) if op.get("security")]
    assert len(private) > 10  # the walk reaches the API, not an empty schema

    for method, path in private:
        response = call(anonymous, method, url_of(path))
        assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
        assert response["WWW-Authenticate"] == "Token", path
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert_documented(schema, method, path, response)


def test_public_operations_need_no_credentials(schema):
    EventFactory()
    anonymous = _client()
    public = [(m, p) for m, p, op in operations(schema) if not op.get("security")]
    assert {("get", "/api/v1/events/"), ("get", "/api/v1/themes/")} <= set(public)
    assert ("get", "/api/v1/published-recordings/{id}/") in public

    for method, path in public:
        response = call(anonymous, method, url_of(path))
        assert response.status_code in (200, 404), f"{method.upper()} {path}"
        if response.status_code == 404:
            assert_documented(schema, method, path, response)


def test_a_wrong_token_is_refused_with_401():
    response = _client(token="0" * 40).get("/api/v1/registrations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


# --- 403 for a signed-in person without the right ---------------------------------------

WITHOUT_THE_RIGHT = [
    ("get", "/api/v1/events/{id}/participants/"),
    ("get", "/api/v1/events/{id}/attendance/"),
    ("post", "/api/v1/events/{id}/attendance/"),
    ("get", "/api/v1/recordings/"),
    ("post", "/api/v1/recordings/{id}/publish/"),
    ("get", "/api/v1/reports/attendance/"),
]


@pytest.mark.parametrize("signed_in", ["token", "session"])
def test_a_signed_in_member_without_the_right_gets_403(schema, signed_in):
    member = UserFactory()
    event = EventFactory()
    recording = RecordingFactory(event=event)
    if signed_in == "token":
        client = _client(token=_token_of(member))
    else:
        client = _client()
        client.force_login(member)

    for method, path in WITHOUT_THE_RIGHT:
        pk = recording.pk if "/recordings/" in path else event.pk
        response = call(client, method, url_of(path, str(pk)))
        assert response.status_code == 403, f"{method.upper()} {path}: {response.status_code}"
        assert "detail" in response.json()
        assert_documented(schema, method, path, response)


def test_a_session_still_needs_its_csrf_token_and_a_token_does_not():
    member = UserFactory()
    event = EventFactory(capacity=5)
    session = APIClient(enforce_csrf_checks=True)
    session.cookies["django_language"] = "en"
    session.force_login(member)
    url = f"/api/v1/events/{event.pk}/register/"

    refused = session.post(url, {}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not event.registrations.exists()

    by_token = _client(token=_token_of(member)).post(url, {}, format="json")
    assert by_token.status_code == 201


# --- the schema lists each error answer where it can happen ------------------------------


def test_the_schema_documents_error_answers_where_they_can_happen(schema):
    throttled = {
        ("post", "/api/v1/events/{id}/register/"),
        ("post", "/api/v1/registrations/{id}/cancel/"),
    }
    for method, path, operation in operations(schema):
        answers = operation["responses"]
        private = bool(operation.get("security"))
        where = f"{method.upper()} {path}"
        assert ("401" in answers, "403" in answers) == (private, private), where
        assert ("404" in answers) == ("{" in path), where
        if (method, path) in throttled:
            assert "429" in answers, where
            assert "Retry-After" in answers["429"]["headers"], where
        if method == "get":
            assert "429" not in answers, where  # reads are not throttled
        if "requestBody" in operation:
            assert "400" in answers, where
        if private:
            assert "WWW-Authenticate" in answers["401"]["headers"], where
        for code in ERROR_CODES:
            if code in answers:
                body = answers[code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, f"{where} {code}"

    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert set(error["properties"]) == {"detail", "errors"}


def test_public_operations_declare_no_security_and_private_ones_no_anonymous_way(schema):
    for method, path, operation in operations(schema):
        security = operation.get("security")
        assert security is not None, f"{method.upper()} {path} says nothing"
        assert {} not in security, f"{method.upper()} {path}: 'or none' on a private one"
    listed = schema["paths"]
    for path in ("/api/v1/events/", "/api/v1/events/{id}/", "/api/v1/themes/{id}/"):
        assert listed[path]["get"]["security"] == []
    assert listed["/api/v1/published-recordings/"]["get"]["security"] == []
    assert listed["/api/v1/networks/"]["get"]["security"] == []
    assert {"tokenAuth": []} in listed["/api/v1/registrations/"]["get"]["security"]


# --- 400 bodies are the documented shape ------------------------------------------------


@pytest.fixture
def organiser_api(db):
    person = UserFactory(with_totp=True)
    grant_role(person, Role.ORGANISER)
    return _client(token=_token_of(person))


ATTENDANCE = "/api/v1/events/{id}/attendance/"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {},
            {"non_field_errors": ["Give either registrations and attended, or a headcount."]},
        ),
        ({"registrations": [1]}, {"attended": ["Say whether they attended (true or false)."]}),
        (
            {"registrations": ["x"], "attended": True},
            {"registrations.0": ["A valid integer is required."]},
        ),
    ],
)
def test_attendance_400_is_the_documented_error(schema, organiser_api, payload, errors):
    event = EventFactory()
    response = organiser_api.post(url_of(ATTENDANCE, str(event.pk)), payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == errors
    assert body["detail"]  # one text to show as it is
    for field, messages in errors.items():
        for message in messages:
            assert message in body["detail"]
            if field != "non_field_errors":
                assert f"{field}: {message}" in body["detail"]
    assert_documented(schema, "post", ATTENDANCE, response)


def test_a_domain_error_400_has_detail_as_documented(schema, organiser_api):
    event = EventFactory(capacity=5)  # registration, not drop-in: no headcount
    response = organiser_api.post(
        url_of(ATTENDANCE, str(event.pk)), {"headcount": 4}, format="json"
    )
    assert response.status_code == 400
    assert "drop-in" in response.json()["detail"]
    assert "errors" not in response.json()
    assert_documented(schema, "post", ATTENDANCE, response)


def test_other_400s_are_the_documented_error(schema):
    member = UserFactory()
    member_api = _client(token=_token_of(member))
    comms = UserFactory(with_totp=True)
    grant_role(comms, Role.COMMUNICATIONS)
    comms_api = _client(token=_token_of(comms))
    reporting = UserFactory(with_totp=True)
    grant_role(reporting, Role.REPORTING)
    network = NetworkFactory()
    MembershipFactory(network=network, user=member)
    cancelled = EventFactory(status="cancelled")
    recording = RecordingFactory()

    cases = [
        (_client(), "get", "/api/v1/events/", "/api/v1/events/?from=23.11.2026", None),
        (
            member_api,
            "get",
            "/api/v1/memberships/",
            "/api/v1/memberships/?status=nonsense",
            None,
        ),
        (
            member_api,
            "post",
            "/api/v1/events/{id}/register/",
            f"/api/v1/events/{cancelled.pk}/register/",
            {},
        ),
        (
            member_api,
            "post",
            "/api/v1/networks/{id}/join/",
            f"/api/v1/networks/{NetworkFactory().pk}/join/",
            {"role": "emperor"},
        ),
        (
            comms_api,
            "post",
            "/api/v1/recordings/{id}/publish/",
            f"/api/v1/recordings/{recording.pk}/publish/",
            {},
        ),
        (
            _client(token=_token_of(reporting)),
            "get",
            "/api/v1/reports/attendance/",
            "/api/v1/reports/attendance/?period=range&start=2027-02-01&end=2027-01-01",
            None,
        ),
    ]
    for client, method, path, url, payload in cases:
        send = getattr(client, method)
        response = send(url) if payload is None else send(url, payload, format="json")
        assert response.status_code == 400, f"{url}: {response.status_code}"
        assert response.json()["detail"], url
        assert_documented(schema, method, path, response)


def test_a_body_that_is_not_json_is_the_documented_400(schema, organiser_api):
    event = EventFactory()
    response = organiser_api.post(
        url_of(ATTENDANCE, str(event.pk)), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert_documented(schema, "post", ATTENDANCE, response)


# --- 404 and 429 ------------------------------------------------------------------------


def test_an_unknown_id_is_the_documented_404(schema, organiser_api):
    for client, path in (
        (_client(), "/api/v1/events/{id}/"),
        (organiser_api, "/api/v1/events/{id}/participants/"),
        (organiser_api, "/api/v1/registrations/{id}/"),
    ):
        response = client.get(url_of(path, "987654"))
        assert response.status_code == 404, path
        assert_documented(schema, "get", path, response)


def test_registering_too_often_is_the_documented_429(schema, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"registration": "2/min"})
    member_api = _client(token=_token_of(UserFactory()))
    path = "/api/v1/events/{id}/register/"

    with time_machine.travel(NOW, tick=False):
        events = EventFactory.create_batch(3, capacity=10)
        answers = [
            member_api.post(url_of(path, str(event.pk)), {}, format="json") for event in events
        ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert int(answers[2]["Retry-After"]) == 60
    assert_documented(schema, "post", path, answers[2])


def test_a_huge_page_size_is_served_as_the_largest_page():
    """`?limit=` beyond the database's integers answered 500; now at most MAX_LIMIT rows."""
    EventFactory.create_batch(3)
    client = APIClient()
    for path in ("/api/v1/events/", "/api/v1/networks/"):
        response = client.get(path, {"limit": "9" * 25, "offset": "9" * 25})
        assert response.status_code == 200, (path, response.status_code)
        assert response.json()["results"] == []
    page = client.get("/api/v1/events/", {"limit": "9" * 25}).json()
    assert len(page["results"]) == 3 <= MAX_LIMIT
