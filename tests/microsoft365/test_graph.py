"""The Graph client through real MSAL and requests against the local stub: tokens, retries,
Retry-After, paging and the error kinds."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from urllib.parse import parse_qs

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from werkzeug import Response

from microsoft365 import graph as graph_module
from microsoft365.errors import MESSAGES, GraphError
from microsoft365.graph import GraphClient, acquire_token

from .graph_stub import CLIENT_ID, CLIENT_SECRET, ORGANISER, load

DOCUMENTED_TOKEN = load("token_response.jsonc")["access_token"]


def form(request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.get_data(as_text=True)).items()}


def test_a_token_is_acquired_with_the_client_credentials_and_reused(stub):
    first = acquire_token()
    second = acquire_token()

    assert first == second == DOCUMENTED_TOKEN
    [token_request] = stub.token_requests()  # the second came from MSAL's in-memory cache
    sent = form(token_request)
    assert sent["grant_type"] == "client_credentials"
    assert sent["client_id"] == CLIENT_ID
    assert sent["client_secret"] == CLIENT_SECRET
    assert sent["scope"] == "https://graph.microsoft.com/.default"


def test_graph_requests_carry_the_bearer_token_and_the_token_is_fetched_once(stub, graph):
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(load("user.jsonc"))

    assert graph.get(graph.user_path())["mail"] == "AdeleV@contoso.com"
    assert graph.get(graph.user_path())["id"] == "87d349ed-44d7-43e1-9a83-5f2406dee5bd"

    requests = stub.requests_to(stub.user())
    assert [r.headers["Authorization"] for r in requests] == [f"Bearer {DOCUMENTED_TOKEN}"] * 2
    assert len(stub.token_requests()) == 1


def test_an_expired_client_secret_is_an_auth_error(stub, graph, caplog):
    stub.server.expect_oneshot_request(stub.token_path, method="POST").respond_with_json(
        load("token_error_expired_secret.jsonc"), status=401
    )

    with pytest.raises(GraphError) as raised:
        graph.get(graph.user_path())

    assert raised.value.kind == "auth"
    assert raised.value.code == "AADSTS7000222"
    assert "expired" in raised.value.detail
    assert "secret or certificate" in str(raised.value)
    assert not stub.graph_requests()
    assert CLIENT_SECRET not in caplog.text
    assert DOCUMENTED_TOKEN not in caplog.text


def test_an_unknown_tenant_is_an_auth_error(stub, settings):
    settings.GRAPH_TENANT_ID = "no-such-tenant"
    stub.server.expect_request(
        "/no-such-tenant/v2.0/.well-known/openid-configuration", method="GET"
    ).respond_with_json(
        {
            "error": "invalid_tenant",
            "error_description": "AADSTS90002: Tenant 'no-such-tenant' not found.",
            "error_codes": [90002],
        },
        status=400,
    )

    with pytest.raises(GraphError) as raised:
        acquire_token()

    assert raised.value.kind == "auth"
    assert raised.value.code == "tenant"


def test_throttling_waits_as_long_as_retry_after_says_then_succeeds(stub, graph, sleeps):
    stub.server.expect_oneshot_request(stub.user(), method="GET").respond_with_json(
        load("error_throttled.jsonc"), status=429, headers={"Retry-After": "7"}
    )
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(load("user.jsonc"))

    user = graph.get(graph.user_path())

    assert user["displayName"] == "Adele Vance"
    assert sleeps == [7.0]
    assert len(stub.requests_to(stub.user())) == 2


def test_service_unavailable_with_retry_after_is_honoured(stub, graph, sleeps):
    stub.server.expect_oneshot_request(stub.user(), method="GET").respond_with_data(
        "", status=503, headers={"Retry-After": "3"}
    )
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(load("user.jsonc"))

    graph.get(graph.user_path())

    assert sleeps == [3.0]


def test_throttling_gives_up_after_the_attempts(stub, graph, sleeps):
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(
        load("error_throttled.jsonc"), status=429, headers={"Retry-After": "1"}
    )

    with pytest.raises(GraphError) as raised:
        graph.get(graph.user_path())

    assert raised.value.kind == "throttled"
    assert raised.value.code == "TooManyRequests"
    assert raised.value.transient
    assert sleeps == [1.0, 1.0, 1.0]
    assert len(stub.requests_to(stub.user())) == graph_module.MAX_ATTEMPTS


def test_a_retry_after_beyond_the_cap_is_left_to_the_caller(stub, graph, sleeps):
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(
        load("error_throttled.jsonc"), status=429, headers={"Retry-After": "600"}
    )

    with pytest.raises(GraphError) as raised:
        graph.get(graph.user_path())

    assert raised.value.kind == "throttled"
    assert sleeps == []  # not shortened, not slept through: the task retries later
    assert len(stub.requests_to(stub.user())) == 1


def test_server_errors_are_tried_again_with_short_waits_then_unavailable(stub, graph, sleeps):
    stub.server.expect_request(stub.user(), method="GET").respond_with_data("", status=502)

    with pytest.raises(GraphError) as raised:
        graph.get(graph.user_path())

    assert raised.value.kind == "unavailable"
    assert raised.value.status == 502
    assert sleeps == list(graph_module.BACKOFF_SECONDS)
    assert str(raised.value) == str(MESSAGES["unavailable"])


def test_a_server_error_then_success(stub, graph, sleeps):
    stub.server.expect_oneshot_request(stub.user(), method="GET").respond_with_data("", status=500)
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(load("user.jsonc"))

    assert graph.get(graph.user_path())["surname"] == "Vance"
    assert sleeps == [graph_module.BACKOFF_SECONDS[0]]


def test_a_post_that_may_have_been_carried_out_is_not_sent_again(stub, graph, sleeps):
    stub.server.expect_request(stub.user("events"), method="POST").respond_with_data("", status=500)

    with pytest.raises(GraphError) as raised:
        graph.post(graph.user_path("events"), json={"subject": "x"})

    assert raised.value.kind == "unavailable"
    assert len(stub.requests_to(stub.user("events"))) == 1
    assert sleeps == []


def test_a_read_timeout_is_unavailable_and_a_post_is_not_repeated(stub, settings, sleeps):
    acquire_token()  # with the normal timeout; only Graph's answer is slow
    settings.GRAPH_TIMEOUT_SECONDS = 0.5

    def slow(request):
        time.sleep(1.5)
        return Response("{}", status=201, content_type="application/json")

    stub.server.expect_request(stub.user("events"), method="POST").respond_with_handler(slow)
    client = GraphClient(sleep=sleeps.append)

    with pytest.raises(GraphError) as raised:
        client.post(client.user_path("events"), json={"subject": "x"})

    assert raised.value.kind == "unavailable"
    assert raised.value.detail == "ReadTimeout"
    assert sleeps == []
    deadline = time.monotonic() + 10  # the stub logs the request once its slow answer is done
    while not stub.requests_to(stub.user("events")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(stub.requests_to(stub.user("events"))) == 1


def test_a_refused_connection_is_tried_again_then_unavailable(stub, settings, sleeps):
    acquire_token()  # the token from the stub; Graph itself is then unreachable
    settings.GRAPH_ENDPOINT = "https://127.0.0.1:9/v1.0"  # discard port: nothing listens
    client = GraphClient(sleep=sleeps.append)

    with pytest.raises(GraphError) as raised:
        client.get(client.user_path())

    assert raised.value.kind == "unavailable"
    assert sleeps == list(graph_module.BACKOFF_SECONDS)


def test_a_refused_token_is_replaced_once(stub, graph):
    stub.server.expect_oneshot_request(stub.user(), method="GET").respond_with_data("", status=401)
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(load("user.jsonc"))

    assert graph.get(graph.user_path())["displayName"] == "Adele Vance"
    assert len(stub.token_requests()) == 2  # the refused token was dropped from the cache


def test_forbidden_names_the_permission_and_the_access_policy(stub, graph):
    stub.server.expect_request(stub.user("onlineMeetings"), method="GET").respond_with_json(
        load("error_access_policy.jsonc"), status=403
    )

    with pytest.raises(GraphError) as raised:
        graph.get(graph.user_path("onlineMeetings"))

    error = raised.value
    assert error.kind == "forbidden"
    assert error.status == 403
    assert error.code == "Unauthorized"
    assert "not authorized to Create meeting" in error.detail
    assert "application access policy" in str(error)
    assert "permission" in str(error)
    assert not error.transient


def test_pages_are_followed_through_the_next_link(stub, graph):
    path = stub.user("onlineMeetings", "m1", "attendanceReports", "r1", "attendanceRecords")
    first = load("attendance_records.jsonc")
    first["@odata.nextLink"] = f"{stub.origin}{path}?$skiptoken=page2"
    stub.server.expect_request(path, method="GET", query_string="").respond_with_json(first)
    stub.server.expect_request(
        path, method="GET", query_string={"$skiptoken": "page2"}
    ).respond_with_json(load("attendance_records_page2.jsonc"))

    items = list(
        graph.get_all(
            graph.user_path("onlineMeetings", "m1", "attendanceReports", "r1", "attendanceRecords")
        )
    )

    assert len(items) == 2 + 8
    assert items[0]["emailAddress"] == "frederick.cormier@contoso.com"
    assert items[-1]["role"] == "Coorganizer"


def test_a_next_link_to_another_host_is_refused(stub, graph):
    page = load("attendance_records.jsonc")
    page["@odata.nextLink"] = "https://graph.example.invalid/v1.0/steal?$skiptoken=x"
    stub.server.expect_request(stub.user("things"), method="GET").respond_with_json(page)

    with pytest.raises(GraphError) as raised:
        list(graph.get_all(graph.user_path("things")))

    assert raised.value.kind == "bad_response"


def test_an_answer_that_is_not_json_is_a_bad_response(stub, graph):
    stub.server.expect_request(stub.user(), method="GET").respond_with_data(
        "<html>proxy error</html>", status=200, content_type="text/html"
    )

    with pytest.raises(GraphError) as raised:
        graph.get(graph.user_path())

    assert raised.value.kind == "bad_response"


def test_a_certificate_is_preferred_to_the_secret(stub, settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kohtaamo Graph")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2120, 1, 1, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "graph.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.GRAPH_CERTIFICATE_PATH = str(pem)
    settings.GRAPH_CERTIFICATE_THUMBPRINT = certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - the SHA-1 thumbprint the app registration shows

    assert acquire_token() == DOCUMENTED_TOKEN

    sent = form(stub.token_requests()[0])
    assert "client_secret" not in sent
    assert sent["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    header = json.loads(_b64(sent["client_assertion"].split(".")[0]))
    assert header["alg"] == "RS256"
    claims = json.loads(_b64(sent["client_assertion"].split(".")[1]))
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"].endswith(stub.token_path)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_the_organiser_is_one_quoted_path_segment(stub, settings):
    settings.GRAPH_ORGANISER = "tapahtumat/../admin@hyvis.example"

    path = GraphClient().user_path("events", "AAMk+AHj/AAA=")

    assert path == "/users/tapahtumat%2F..%2Fadmin@hyvis.example/events/AAMk%2BAHj%2FAAA="
    assert ORGANISER not in path


def test_a_missing_certificate_file_is_a_configuration_error(stub, settings, tmp_path):
    settings.GRAPH_CERTIFICATE_PATH = str(tmp_path / "missing.pem")

    with pytest.raises(GraphError) as raised:
        acquire_token()

    assert raised.value.kind == "not_configured"
    assert raised.value.code == "certificate"
    assert not stub.token_requests()
