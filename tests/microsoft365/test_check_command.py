"""The configuration switch and ``manage.py check_microsoft365``."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from microsoft365.config import graph_configured
from microsoft365.errors import GraphError
from microsoft365.graph import GraphClient, acquire_token

from .graph_stub import CLIENT_SECRET, TENANT, load

ROOT = Path(__file__).resolve().parents[2]
ALL_ROLES = [
    "Calendars.ReadWrite",
    "OnlineMeetings.ReadWrite.All",
    "OnlineMeetingArtifact.Read.All",
    "User.Read.All",
]


def unsigned_token(roles: list[str]) -> str:
    """A token shaped like Entra's (header.claims.signature); the stub does not verify it."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"aud": "https://graph.microsoft.com", "tid": TENANT, "roles": roles}
    return f"{part({'typ': 'JWT', 'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


def serve_token(stub, token: str) -> None:
    stub.server.expect_oneshot_request(stub.token_path, method="POST").respond_with_json(
        {**load("token_response.jsonc"), "access_token": token}
    )


def serve_mailbox(stub) -> None:
    stub.server.expect_request(stub.user(), method="GET").respond_with_json(load("user.jsonc"))
    stub.server.expect_request(stub.user("calendar"), method="GET").respond_with_json(
        load("calendar.jsonc")
    )


def run() -> tuple[str, int]:
    """The command's output in English (it writes in the active language) and exit code."""
    out = StringIO()
    try:
        with translation.override("en"):
            call_command("check_microsoft365", stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


@pytest.mark.parametrize(
    "missing",
    ["GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_ORGANISER", "GRAPH_CLIENT_SECRET"],
)
def test_graph_is_configured_only_with_tenant_client_organiser_and_a_credential(
    stub, settings, missing
):
    assert graph_configured()

    setattr(settings, missing, "")

    assert not graph_configured()


def test_a_certificate_instead_of_a_secret_is_a_configuration(stub, settings):
    settings.GRAPH_CLIENT_SECRET = ""
    settings.GRAPH_CERTIFICATE_PATH = "/etc/kohtaamo/graph.pfx"

    assert graph_configured()


def test_without_configuration_nothing_calls_graph(stub, settings):
    settings.GRAPH_TENANT_ID = ""

    with pytest.raises(GraphError) as raised:
        GraphClient()
    assert raised.value.kind == "not_configured"
    assert "not set up" in str(raised.value)
    with pytest.raises(GraphError):
        acquire_token()
    assert not stub.server.log


def test_the_command_says_when_nothing_is_configured(settings):
    settings.GRAPH_TENANT_ID = settings.GRAPH_CLIENT_ID = settings.GRAPH_ORGANISER = ""
    settings.GRAPH_CLIENT_SECRET = settings.GRAPH_CERTIFICATE_PATH = ""

    output, code = run()

    assert code == 0
    assert "Microsoft 365 is not configured" in output
    assert "GRAPH_TENANT_ID" in output


def test_the_command_reports_every_check_ok(stub):
    token = unsigned_token(ALL_ROLES)
    serve_token(stub, token)
    serve_mailbox(stub)
    stub.server.expect_request(stub.user("onlineMeetings"), method="GET").respond_with_json(
        {"value": []}
    )

    output, code = run()

    assert code == 0, output
    lines = output.splitlines()
    assert [line.split()[0] for line in lines] == ["OK"] * 6
    assert "organiser AdeleV@contoso.com, client secret" in lines[0]
    assert "Adele Vance <AdeleV@contoso.com>" in output
    assert "Teams meetings allowed" in output
    assert CLIENT_SECRET not in output
    assert token not in output


def test_the_command_names_what_fails_and_exits_1(stub):
    serve_token(stub, unsigned_token(["Calendars.ReadWrite", "User.Read.All"]))
    serve_mailbox(stub)
    stub.server.expect_request(stub.user("onlineMeetings"), method="GET").respond_with_json(
        load("error_access_policy.jsonc"), status=403
    )

    output, code = run()

    assert code == 1
    status = {line.split()[1].rstrip(":"): line.split()[0] for line in output.splitlines()}
    assert status["permissions"] == "FAILED"
    assert status["organiser"] == status["calendar"] == "OK"
    assert "OnlineMeetings.ReadWrite.All, OnlineMeetingArtifact.Read.All" in output
    online = next(line for line in output.splitlines() if "online meetings" in line)
    assert online.startswith("FAILED")
    assert "Teams application access policy" in online
    assert "[Unauthorized]" in online


def test_an_expired_secret_fails_the_token_and_skips_the_rest(stub):
    stub.server.expect_oneshot_request(stub.token_path, method="POST").respond_with_json(
        load("token_error_expired_secret.jsonc"), status=401
    )

    output, code = run()

    assert code == 1
    lines = output.splitlines()
    assert lines[1].startswith("FAILED") and "[AADSTS7000222]" in lines[1]
    assert [line.split()[0] for line in lines[2:]] == ["SKIPPED"] * 4
    assert not stub.graph_requests()


def test_the_exit_code_of_the_real_command(stub, tls_files):
    """manage.py in its own process: 1 on a failed check, 0 without configuration."""
    stub.server.expect_oneshot_request(stub.token_path, method="POST").respond_with_json(
        load("token_error_expired_secret.jsonc"), status=401
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GRAPH_")}
    environment.update(
        GRAPH_TENANT_ID=TENANT,
        GRAPH_CLIENT_ID="535fb089-9ff3-47b6-9bfb-4f1264799865",
        GRAPH_CLIENT_SECRET=CLIENT_SECRET,
        GRAPH_ORGANISER="AdeleV@contoso.com",
        GRAPH_ENDPOINT=f"{stub.origin}/v1.0",
        GRAPH_AUTHORITY_HOST=stub.origin,
        REQUESTS_CA_BUNDLE=str(tls_files[0]),
        NO_PROXY="127.0.0.1",
    )
    command = [sys.executable, "manage.py", "check_microsoft365", "--no-color"]

    failed = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    environment["GRAPH_TENANT_ID"] = ""
    unconfigured = subprocess.run(  # noqa: S603 - as above
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False
    )

    assert failed.returncode == 1, failed.stderr
    assert [line.split()[0] for line in failed.stdout.splitlines()] == [
        "OK", "FAILED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED",
    ]  # fmt: skip
    assert "AADSTS7000222" in failed.stdout
    assert CLIENT_SECRET not in failed.stdout + failed.stderr
    assert unconfigured.returncode == 0, unconfigured.stderr
    assert "GRAPH_TENANT_ID" in unconfigured.stdout


def test_django_starts_without_importing_msal():
    """MSAL comes with the first token, not with Django, whoever imports microsoft365."""
    code = (
        "import sys, django; django.setup(); "
        "import microsoft365.meetings, microsoft365.attendance; "
        "from microsoft365.config import graph_configured; graph_configured(); "
        "print('msal' in sys.modules)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kohtaamo.settings"}

    found = subprocess.run(  # noqa: S603 - the running interpreter with a fixed program
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip

    assert found.stdout.split() == ["False"]
