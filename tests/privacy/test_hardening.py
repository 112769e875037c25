"""Hardening: CSRF, rate limits, no open redirects, long tokens compared in constant time."""

import ast
import inspect
import math
import pathlib
import string

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import new_token as account_token
from events.models import new_token as event_token
from kohtaamo.ratelimit import ratelimit
from networks import services
from networks.models import new_token as network_token
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RegistrationFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
EVIL = "https://evil.example/steal"


# --- CSRF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("accounts:profile", {"display_name": "X", "language": "fi"}),
        ("accounts:delete", {"email": "x@example.fi"}),
        ("set_language", {"language": "en"}),
    ],
)
def test_a_form_post_without_the_csrf_token_is_refused(name, data):
    person = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(reverse(name), data)

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.display_name != "X"


# Each exemption needs a reason; a new one makes the test below fail until it is listed.
CSRF_EXEMPT_ON_PURPOSE = {
    # RFC 8058 one-click unsubscribe from mail clients (no cookie); a 256-bit token authorises.
    "networks/unsubscribe/<str:token>/": "one-click unsubscribe",
}


def test_csrf_middleware_is_on_and_no_view_is_exempt_without_a_reason():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    exempt = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif getattr(pattern.callback, "csrf_exempt", False):
                exempt.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    # DRF views are csrf_exempt at the Django level and enforce CSRF for session
    # authentication themselves (SessionAuthentication.enforce_csrf).
    assert [p for p in exempt if not p.startswith("api/")] == list(CSRF_EXEMPT_ON_PURPOSE)


def test_the_api_enforces_csrf_for_session_sign_ins():
    person = UserFactory()
    event = EventFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(f"/api/v1/events/{event.pk}/register/")

    assert response.status_code == 403
    assert not event.registrations.exists()


# --- open redirects ----------------------------------------------------------------------


def test_login_does_not_follow_an_outside_next():
    person = UserFactory()

    response = Client().post(
        reverse("account_login") + "?next=" + EVIL,
        {"login": person.email, "password": PASSWORD, "next": EVIL},
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("target", [EVIL, "//evil.example/x", "https:\\\\evil.example"])
def test_set_language_does_not_follow_an_outside_next(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_a_local_next_is_still_followed(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/events/"})
    assert response["Location"] == "/events/"


# --- rate limits ---------------------------------------------------------------------------


def test_login_is_rate_limited_per_address():
    control = Client()
    control.post(reverse("account_login"), {"login": UserFactory().email, "password": PASSWORD})
    assert "_auth_user_id" in control.session  # the right password works normally
    person = UserFactory()
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": person.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session  # even the right password waits now
    assert response.status_code in (200, 429)


def test_the_page_rate_limiter_answers_429_after_the_limit(settings):
    settings.KOHTAAMO_RATE_LIMITS = {"registration": "3/m"}

    @ratelimit("registration")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    statuses = []
    for _ in range(5):
        request = factory.post("/x/", REMOTE_ADDR="10.0.0.1")
        statuses.append(view(_anonymous(request)).status_code)
    other = view(_anonymous(factory.post("/x/", REMOTE_ADDR="10.0.0.2")))
    reading = view(_anonymous(factory.get("/x/", REMOTE_ADDR="10.0.0.1")))

    assert statuses == [200, 200, 200, 429, 429]
    assert other.status_code == 200  # another client has its own count
    assert reading.status_code == 200  # only POSTs count


def _anonymous(request):
    request.user = AnonymousUser()
    request.session = {}
    request._messages = []
    return request


def test_api_registration_and_imports_have_throttle_rates():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["registration"] and rates["import"]


def test_api_registration_is_throttled(monkeypatch):
    # The rate is read once into the class; patch it there (restored after the test).
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {"registration": "2/min", "import": "2/min"}
    )
    person = UserFactory()
    client = Client()
    client.force_login(person)
    events = [EventFactory() for _ in range(3)]

    codes = [client.post(f"/api/v1/events/{e.pk}/register/").status_code for e in events]

    assert codes == [201, 201, 429]


# --- tokens --------------------------------------------------------------------------------

URLSAFE = set(string.ascii_letters + string.digits + "-_")


def _bits(token: str) -> float:
    assert set(token) <= URLSAFE, token
    return len(token) * math.log2(len(URLSAFE))


def test_feed_guest_and_link_tokens_have_at_least_128_bits():
    network = NetworkFactory()
    membership = MembershipFactory(network=network)
    registration = RegistrationFactory(user=None, email="guest@example.fi")
    tokens = {
        "personal feed": UserFactory().calendar_token,
        "network feed": network.calendar_token,
        "guest registration link": registration.token,
        "feedback link": registration.event.feedback_token,
        "unsubscribe link": membership.unsubscribe_token,
    }
    for name, token in tokens.items():
        assert _bits(token) >= 128, name


def test_token_generators_do_not_repeat():
    for generate in (account_token, event_token, network_token):
        assert len({generate() for _ in range(1000)}) == 1000


def test_invitation_tokens_have_at_least_128_bits():
    network = NetworkFactory()
    coordinator = UserFactory()
    network.coordinators.add(coordinator)
    invite = getattr(services, "invite_member", None) or services.invite
    membership = _call_invite(invite, network=network, coordinator=coordinator)
    assert _bits(membership.invitation_token) >= 128


def _call_invite(invite, *, network, coordinator):
    params = inspect.signature(invite).parameters
    kwargs = {"network": network}
    for name in ("email", "invited_email"):
        if name in params:
            kwargs[name] = "invitee@example.fi"
    for name in ("by", "invited_by", "actor"):
        if name in params:
            kwargs[name] = coordinator
    return invite(**kwargs)


SOURCE_DIRS = ["accounts", "events", "networks", "recordings", "accessibility", "kohtaamo"]


def _token_comparisons() -> list[str]:
    """`x_token == y` style comparisons of secrets in the project's code."""
    root = pathlib.Path(settings.BASE_DIR)
    found = []
    for directory in SOURCE_DIRS:
        for path in (root / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Compare):
                    continue
                if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                    continue
                names = [ast.unparse(part) for part in (node.left, *node.comparators)]
                if any(
                    ("token" in name.lower() or "secret" in name.lower())
                    and not name.startswith(("'", '"'))
                    for name in names
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_secrets_are_compared_in_constant_time():
    """Comparing a secret with == leaks its prefix by timing: use hmac.compare_digest."""
    assert _token_comparisons() == []


def test_the_guest_registration_page_is_rate_limited(client, settings):
    settings.KOHTAAMO_RATE_LIMITS = {"registration": "3/m"}
    event = EventFactory()
    url = reverse("events:register", args=[event.pk])
    codes = [
        client.post(url, {"name": f"G{i}", "email": f"g{i}@example.fi"}).status_code
        for i in range(5)
    ]

    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]
    assert event.registrations.count() == 3


def test_imports_are_rate_limited(client, settings, organiser):
    settings.KOHTAAMO_RATE_LIMITS = {"import": "2/m"}
    event = EventFactory()
    network = NetworkFactory()
    network.coordinators.add(organiser)
    client.force_login(organiser)
    for url in (
        reverse("events:organise_attendance_import", args=[event.pk]),
        reverse("networks:import", args=[network.slug]),
    ):
        cache.clear()  # one "import" budget per client, shared by every import page
        codes = [client.post(url, {}).status_code for _ in range(3)]
        assert 429 not in codes[:2]
        assert codes[2] == 429


@pytest.mark.parametrize("cookie", ["a\x00" * 16, "x" * 5000, "ÄÖ" * 16, "../../etc/passwd"])
def test_a_forged_session_cookie_means_no_session_not_a_server_error(cookie):
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    assert client.get("/api/v1/reports/attendance/").status_code == 401
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_forged_api_token_is_refused_not_a_server_error():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/registrations/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 401


@pytest.mark.parametrize("param", ["q", "theme", "series"])
def test_a_nul_byte_in_a_filter_is_a_bad_request_not_a_server_error(param):
    """Found by fuzzing on PostgreSQL, which cannot compare text with a NUL byte."""
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/events/", {param: "a\x00b"}).status_code == 400
    assert client.get("/events/", {param: "a\x00b"}).status_code == 400


def test_nul_bytes_in_forms_and_json_are_refused_but_files_may_hold_them(organiser):
    client = Client(raise_request_exception=False)
    client.force_login(organiser)
    event = EventFactory()
    form = client.post(reverse("events:register", args=[event.pk]), {"x": "a\x00"})
    api = client.post(
        f"/api/v1/events/{event.pk}/attendance/",
        data='{"headcount": 1, "note": "\\u0000"}',
        content_type="application/json",
    )
    upload = client.post(
        reverse("events:organise_attendance_import", args=[event.pk]),
        {"file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04\x00\x00")},
    )

    assert (form.status_code, api.status_code) == (400, 400)
    assert upload.status_code != 400 or b"NUL character" not in upload.content


# --- the 429 page, for every limiter ---------------------------------------------------------


def test_past_allauths_login_limit_even_the_right_password_gets_a_429_page_not_a_500():
    """allauth's `login` limit (30 POSTs a minute from one address) renders 429.html through
    the URLconf's handler429, without a wait: the page says to wait a few minutes."""
    person = UserFactory()
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    statuses = [
        client.post(
            reverse("account_login"), {"login": f"nobody{n}@example.fi", "password": "x"}
        ).status_code
        for n in range(30)
    ]
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert 429 not in statuses
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Please wait a few minutes and try again." in response.text
    assert "_auth_user_id" not in client.session


def test_the_project_limiter_page_says_how_many_seconds_to_wait(client, settings, organiser):
    settings.KOHTAAMO_RATE_LIMITS = {"import": "1/m"}
    client.force_login(organiser)
    client.cookies["django_language"] = "fi"
    event = EventFactory()
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    client.post(url, {"action": "preview"})

    response = client.post(url, {"action": "preview"})

    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 60
    assert "Liian monta yritystä" in response.text
    assert f"Odota {seconds} sekuntia ja yritä uudelleen." in response.text or (
        seconds == 1 and "Odota 1 sekunti ja yritä uudelleen." in response.text
    )


# --- dates outside the calendar ------------------------------------------------------------

FAR_DATES = ["9999-12-31", "0001-01-01", "2100-12-31", "2101-01-01", "1899-12-31"]


@pytest.mark.parametrize("value", FAR_DATES)
@pytest.mark.parametrize("name", ["from", "to"])
def test_a_far_date_in_the_event_filters_is_a_400_with_a_message(name, value):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "fi"
    EventFactory()

    page = client.get("/events/", {name: value})
    api = client.get("/api/v1/events/", {name: value}, HTTP_ACCEPT_LANGUAGE="fi")

    if value == "2100-12-31":
        assert page.status_code == api.status_code == 200  # the last day the calendar covers
        return
    assert page.status_code == 400
    assert "Päivämäärän on oltava välillä 1.1.2000–31.12.2100." in page.text
    assert api.status_code == 400
    message = "Päivämäärän on oltava välillä 1.1.2000–31.12.2100."
    assert api.json() == {"detail": f"{name}: {message}", "errors": {name: [message]}}


@pytest.mark.parametrize("value", FAR_DATES)
def test_far_dates_elsewhere_are_answered_without_a_server_error(value, admin_user, reporting):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    series = SeriesFactory()
    urls = [
        ("/profile/audit/", {"date_from": value, "date_to": value}),
        (f"/events/organise/series/{series.pk}/assign/", {"from": value, "to": value}),
    ]
    for url, params in urls:
        assert client.get(url, params).status_code in (200, 400), url
    client.force_login(reporting)
    report = {"period": "range", "start": value, "end": value}
    assert client.get("/reports/", report).status_code in (200, 400)
    assert client.get("/api/v1/reports/attendance/", report).status_code in (200, 400)
    assert client.get("/reports/export.csv", report).status_code in (200, 400)
