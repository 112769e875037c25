"""Production web settings: check --deploy, security headers, CSP, gunicorn and JSON logs."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
import urllib.request
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.factories import EventFactory, ThemeFactory

from .conftest import BASE_DIR, PYTHON, free_port, subprocess_env

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "DEBUG": "false",
    "ALLOWED_HOSTS": "kohtaamo.example.fi",
    "CSRF_TRUSTED_ORIGINS": "https://kohtaamo.example.fi",
    "SITE_URL": "https://kohtaamo.example.fi",
    "SECURE_SSL_REDIRECT": "true",
    "BEHIND_TLS_PROXY": "true",
    "SECURE_HSTS_SECONDS": "31536000",
}


def _manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,  # the tests read the return code and the output
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = subprocess_env(**PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_check_deploy_warns_about_the_embedded_defaults(tmp_path):
    # The same check does see problems: the embedded mode is not for production.
    env = subprocess_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W004" in output  # no HSTS
    assert "security.W012" in output  # session cookie not secure


def _without_key(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name != "SECRET_KEY"}


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "SECRET_KEY is not set, so the key written in kohtaamo/settings.py is used."),
        ("", "SECRET_KEY is not set, so the key written in kohtaamo/settings.py is used."),
        ("short-but-random-Xq7", "SECRET_KEY is too short"),
        ("a" * 80, "SECRET_KEY is too short"),
    ],
)
def test_check_deploy_reports_the_built_in_missing_or_short_key_as_an_error(tmp_path, key, problem):
    env = _without_key(subprocess_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    if key is not None:
        env["SECRET_KEY"] = key
    assert _manage("check", env=env).returncode == 0  # the embedded mode runs, as `make run`
    result = _manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "(kohtaamo.E001)" in output and problem in output


@pytest.mark.parametrize("key", [None, "short-but-random-Xq7"])
@pytest.mark.parametrize(
    "outside",
    [
        {"ALLOWED_HOSTS": "kohtaamo.example.fi"},
        {"DATABASE_URL": "postgres://kohtaamo@db.invalid:5432/kohtaamo"},
    ],
)
def test_outside_the_embedded_mode_the_site_does_not_start_without_its_own_key(
    tmp_path, key, outside
):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env = _without_key(subprocess_env(**{**PRODUCTION_ENV, **database, **outside}))
    if "DATABASE_URL" in outside:
        env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    if key is not None:
        env["SECRET_KEY"] = key
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set the environment variable SECRET_KEY" in result.stderr
    env["SECRET_KEY"] = PRODUCTION_ENV["SECRET_KEY"]
    if "DATABASE_URL" not in outside:  # (the other needs a PostgreSQL server to check)
        assert _manage("check", env=env).returncode == 0


def test_production_settings_make_cookies_secure(tmp_path):
    env = subprocess_env(**PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.DEBUG]))"
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    secure_session, secure_csrf, redirect, hsts, proxy_header, debug = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert (secure_session, secure_csrf, redirect, debug) == (True, True, True, False)
    assert hsts == 31536000
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_home_page_sends_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True, HTTP_X_REQUEST_ID="req-abc.123")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"] == "req-abc.123"


@pytest.mark.django_db
def test_a_bad_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


# --- No inline scripts anywhere we can reach ------------------------------------------

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/static/", "/media/", "/admin/logout")


class _PageScanner(HTMLParser):
    """Collect links and everything the CSP would block: inline scripts, handlers, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.violations: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.violations.append(f"inline handler {name}= on <{tag}>")
            if name == "style":
                self.violations.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.violations.append(f"javascript: URL on <{tag}>")
        if tag == "style":
            self.violations.append("inline <style> element")
        if tag == "script":
            script_type = (attributes.get("type") or "").lower()
            self._in_script = "src" not in attributes and script_type not in DATA_SCRIPT_TYPES
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.violations.append(f"inline <script>: {data.strip()[:60]!r}")


def _crawl(client, seeds: list[str], limit: int) -> tuple[list[str], dict[str, list[str]]]:
    queue, seen, visited, found = deque(seeds), set(seeds), [], {}
    client.raise_request_exception = False
    while queue and len(visited) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code >= 500:
            found[path] = [f"server error {response.status_code}"]
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited.append(path)
        scanner = _PageScanner()
        scanner.feed(response.content.decode())
        if scanner.violations:
            found[path] = scanner.violations
        for href in scanner.links:
            link = urldefrag(href).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if link not in seen and not link.startswith(SKIP_PREFIXES):
                seen.add(link)
                queue.append(link)
    return visited, found


@pytest.fixture
def some_content(db):
    theme = ThemeFactory(title="Työkyky ja palautuminen")
    return [EventFactory(theme=theme), EventFactory(title="Verkostotapaaminen")]


SEEDS = ["/", "/events/", "/calendar/", "/about/", "/privacy/", "/accessibility/", "/api/docs/"]


def test_pages_anyone_can_reach_have_no_inline_scripts(client, some_content):
    visited, violations = _crawl(client, [*SEEDS, "/accounts/login/", "/accounts/signup/"], 80)
    assert len(visited) >= 8
    assert not violations, violations


def test_pages_staff_reach_have_no_inline_scripts(client, some_content, admin_user):
    client.force_login(admin_user)
    seeds = [*SEEDS, "/profile/", "/events/organise/", "/reports/", "/admin/"]
    visited, violations = _crawl(client, seeds, 150)
    assert len(visited) >= 20
    assert not violations, violations


# --- gunicorn with the project's configuration, JSON logs -----------------------------


def _json_lines(text: str) -> list[dict]:
    parsed = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            parsed.append(value)
    return parsed


def _get(url: str, request_id: str) -> int:
    request = urllib.request.Request(url, headers={"X-Request-ID": request_id})  # noqa: S310 - our 127.0.0.1 gunicorn
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our 127.0.0.1 gunicorn
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_serves_with_json_access_and_application_logs(tmp_path):
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    env = subprocess_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LOG_FORMAT="json",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="-",
        # No collectstatic here: plain storage, so the 404 page renders without a manifest.
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status is None:
            try:
                status = _get(f"http://127.0.0.1:{port}/healthz", "ops-health-1")
            except OSError:
                time.sleep(0.3)
        assert status == 200, log_path.read_text()
        assert _get(f"http://127.0.0.1:{port}/no-such-page/", "ops-missing-1") == 404
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)

    lines = _json_lines(log_path.read_text())
    access = {line["request_id"]: line for line in lines if line.get("name") == "gunicorn.access"}
    assert access["ops-health-1"]["status"] in (200, "200")
    assert access["ops-health-1"]["path"] == "/healthz"
    assert access["ops-missing-1"]["status"] in (404, "404")
    not_found = [line for line in lines if line.get("name") == "django.request"]
    assert not_found and not_found[0]["request_id"] == "ops-missing-1"
    assert not_found[0]["levelname"] == "WARNING"


@pytest.mark.django_db
def test_api_docs_load_their_script_from_the_site(client):
    page = client.get("/api/docs/").content.decode()
    script_urls = re.findall(r'<script src="([^"]+\?script=[^"]*)"', page)
    assert len(script_urls) == 1
    script = client.get(script_urls[0].replace("&amp;", "&"))
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert b"SwaggerUIBundle" in script.content


def test_collectstatic_writes_hashed_compressed_files(tmp_path):
    static_root = tmp_path / "static"
    env = subprocess_env(
        **PRODUCTION_ENV,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
    )
    result = _manage("collectstatic", "--noinput", "-v0", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (static_root / hashed).is_file()
    assert (static_root / f"{hashed}.gz").is_file()
