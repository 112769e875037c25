"""A local stand-in for the Microsoft identity platform and Microsoft Graph.

One pytest-httpserver on 127.0.0.1 over TLS (MSAL takes only https authorities) answers
both: the tenant's OpenID configuration and token endpoint, and Graph under /v1.0. The
requests go through the real MSAL and requests code; the stub's own certificate authority is
trusted through REQUESTS_CA_BUNDLE for the test only. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import ssl

import pytest
from django.utils import translation
from pytest_httpserver import HTTPServer

from microsoft365.graph import GraphClient, reset_token_cache

from .graph_stub import (
    CLIENT_ID,
    CLIENT_SECRET,
    ORGANISER,
    TENANT,
    Stub,
    load,
    make_tls_files,
    openid_configuration,
)


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English messages (the site's default language is Finnish; the
    translations are checked by tests/accounts/test_translations.py)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """(CA certificate, server certificate, server key) for 127.0.0.1, made for the run."""
    return make_tls_files(tmp_path_factory.mktemp("graph-stub-tls"))


@pytest.fixture(scope="session")
def graph_server(tls_files):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files[1], tls_files[2])
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def stub(graph_server, tls_files, settings, monkeypatch):
    """The stub with the OpenID configuration and a token answer; GRAPH_* point at it."""
    graph_server.clear()
    origin = f"https://127.0.0.1:{graph_server.port}"
    graph_server.expect_request(
        f"/{TENANT}/v2.0/.well-known/openid-configuration", method="GET"
    ).respond_with_json(openid_configuration(origin))
    graph_server.expect_request(f"/{TENANT}/oauth2/v2.0/token", method="POST").respond_with_json(
        load("token_response.jsonc")
    )
    settings.GRAPH_TENANT_ID = TENANT
    settings.GRAPH_CLIENT_ID = CLIENT_ID
    settings.GRAPH_CLIENT_SECRET = CLIENT_SECRET
    settings.GRAPH_CERTIFICATE_PATH = ""
    settings.GRAPH_CERTIFICATE_THUMBPRINT = ""
    settings.GRAPH_CERTIFICATE_PASSPHRASE = ""
    settings.GRAPH_ORGANISER = ORGANISER
    settings.GRAPH_ENDPOINT = f"{origin}/v1.0"
    settings.GRAPH_AUTHORITY_HOST = origin
    settings.GRAPH_SCOPE = "https://graph.microsoft.com/.default"
    settings.GRAPH_TIMEOUT_SECONDS = 5
    # Trust the stub's CA (and nothing but it) for this test; no proxy for 127.0.0.1.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files[0]))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    reset_token_cache()
    yield Stub(graph_server)
    reset_token_cache()
    graph_server.clear()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits a client asked for (instead of sleeping)."""
    return []


@pytest.fixture
def graph(stub, sleeps) -> GraphClient:
    """A client on the stub that records its waits in ``sleeps``."""
    return GraphClient(sleep=sleeps.append)
