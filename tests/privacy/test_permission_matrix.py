"""The permission matrix: every URL of the site, for every kind of visitor.

`walk_urls()` resolves the URLConf; every pattern must be listed in MATRIX (a page, API
endpoint, feed or export, with the expected answer per role) or in NOT_IN_MATRIX with the
reason. A new URL without an entry fails `test_every_url_is_classified`.

Answers: 200 (any 2xx), "ok" (the guard let the request through: 2xx, a redirect that is
not to sign-in, or 400 for the empty form this test posts), "L" (redirect to sign-in),
401 (the API's answer to a caller without credentials), 403, 404, 405. POST requests run
inside a rolled-back savepoint, so nothing they do changes the next request.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import get_resolver, reverse

from events.models import RegistrationStatus
from tests.factories import MembershipFactory, NetworkFactory

from .matrix_params import params_for
from .matrix_setup import ROLES, build_world, client_for

pytestmark = pytest.mark.django_db


def _row(text: str) -> dict[str, str]:
    answers = text.split()
    assert len(answers) == len(ROLES), text
    return dict(zip(ROLES, answers, strict=True))


# Shorthands for rows (anonymous guest member coordinator organiser communications
# reporting admin).
PUBLIC = "200 200 200 200 200 200 200 200"
SIGNED_IN = "L L 200 200 200 200 200 200"
SIGNED_IN_OK = "L L ok ok ok ok ok ok"
ORGANISER = "L L 403 403 200 403 403 200"
ORGANISER_POST = "L L 403 403 ok 403 403 ok"
RECORDINGS = "L L 403 403 200 200 403 200"
RECORDINGS_POST = "L L 403 403 ok ok 403 ok"
COMMUNICATIONS = "L L 403 403 403 200 403 200"
COMMUNICATIONS_POST = "L L 403 403 403 ok 403 ok"
REPORTS = "L L 403 403 200 403 200 200"
ADMIN_ONLY = "L L 403 403 403 403 403 200"
# Network management: coordinators of this network, organisers (MANAGE_NETWORKS) and admins;
# anyone else gets 404 so that a network's members-only pages are not even confirmed.
COORDINATOR = "404 404 404 200 200 404 404 200"
COORDINATOR_POST = "404 404 404 ok ok 404 404 ok"

# name -> (method, answers per role)
MATRIX: dict[str, tuple[str, str]] = {
    "home": ("GET", PUBLIC),
    "about": ("GET", PUBLIC),
    "privacy": ("GET", PUBLIC),
    "healthz": ("GET", PUBLIC),
    "readyz": ("GET", PUBLIC),  # statuses of parts only, no personal data (test_readiness.py)
    "accounts:profile": ("GET", SIGNED_IN),
    "accounts:new_calendar_link": ("POST", "L L ok ok ok ok ok ok"),
    # One's own API token (staff first confirm who they are: allauth's reauthentication).
    "accounts:api_token_create": ("POST", "L L ok ok ok ok ok ok"),
    "accounts:api_token_revoke": ("POST", "L L ok ok ok ok ok ok"),
    "accounts:my_data": ("GET", SIGNED_IN),
    "accounts:my_data_json": ("GET", SIGNED_IN),
    "accounts:delete": ("POST", "L L ok ok ok ok ok ok"),
    "accounts:audit_log": ("GET", ADMIN_ONLY),
    "events:list": ("GET", PUBLIC),
    "events:archive": ("GET", PUBLIC),
    "events:organiser_home": ("GET", ORGANISER),
    "events:organise_theme_list": ("GET", ORGANISER),
    "events:organise_theme_create": ("GET", ORGANISER),
    "events:organise_theme_edit": ("GET", ORGANISER),
    "events:organise_presenter_list": ("GET", ORGANISER),
    "events:organise_presenter_create": ("GET", ORGANISER),
    "events:organise_presenter_edit": ("GET", ORGANISER),
    "events:organise_presenter_merge": ("GET", ORGANISER),
    "events:organise_series_list": ("GET", ORGANISER),
    "events:organise_series_create": ("GET", ORGANISER),
    "events:organise_series_edit": ("GET", ORGANISER),
    "events:organise_assign_themes": ("GET", ORGANISER),
    "events:organise_plan_term": ("GET", ORGANISER),
    "events:organise_event_create": ("GET", ORGANISER),
    "events:organise_event_edit": ("GET", ORGANISER),
    "events:organise_event_publish": ("POST", ORGANISER_POST),
    "events:organise_event_cancel": ("GET", ORGANISER),
    "events:organise_event_materials": ("GET", ORGANISER),
    "events:organise_material_delete": ("POST", ORGANISER_POST),
    "events:organise_attendance_import": ("GET", ORGANISER),
    "events:organise_feedback_results": ("GET", ORGANISER),
    "events:feedback": ("GET", PUBLIC),
    "events:public_feedback": ("GET", PUBLIC),
    "events:detail": ("GET", PUBLIC),
    "events:register": ("POST", "ok ok ok ok ok ok ok ok"),
    "events:cancel": ("POST", "L L ok 404 404 404 404 404"),
    "events:participants": ("GET", ORGANISER),
    "events:participants_print": ("GET", ORGANISER),
    "events:participants_add": ("POST", ORGANISER_POST),
    "events:participants_promote": ("POST", ORGANISER_POST),
    "events:participants_cancel": ("POST", ORGANISER_POST),
    "events:participants_export": ("GET", ORGANISER),
    "events:capacity": ("POST", ORGANISER_POST),
    "events:check_in": ("GET", ORGANISER),
    "events:headcount": ("POST", ORGANISER_POST),
    "events:registration": ("POST", "ok ok ok ok ok ok ok ok"),
    "events:mine": ("GET", SIGNED_IN),
    "events:theme": ("GET", PUBLIC),
    # A presenter's page: public with their consent (the world has a consenting one), else
    # 404 for everyone (tests/events/test_presenter_pages.py).
    "events:presenter": ("GET", PUBLIC),
    "calendar:subscribe": ("GET", PUBLIC),
    "calendar:all": ("GET", PUBLIC),
    "calendar:series": ("GET", PUBLIC),
    "calendar:kind": ("GET", PUBLIC),
    "calendar:theme": ("GET", PUBLIC),
    "calendar:network": ("GET", PUBLIC),
    "calendar:personal": ("GET", PUBLIC),
    "calendar:event": ("GET", PUBLIC),
    "networks:list": ("GET", PUBLIC),
    "networks:unsubscribe": ("POST", "ok ok ok ok ok ok ok ok"),
    "networks:invitation": ("POST", "L L ok ok ok ok ok ok"),
    "networks:membership": ("GET", "L L 200 404 404 404 404 404"),
    "networks:leave": ("POST", "L L ok 404 404 404 404 404"),
    "networks:decide": ("POST", COORDINATOR_POST),
    "networks:detail": ("GET", PUBLIC),
    "networks:join": ("POST", "L L ok ok ok ok ok ok"),
    # A new calendar address for the whole network: its coordinators only (networks.services).
    "networks:new_calendar_link": ("POST", COORDINATOR_POST),
    "networks:directory": ("GET", "404 404 200 200 200 404 404 200"),
    "networks:manage": ("GET", COORDINATOR),
    "networks:decide_requests": ("POST", COORDINATOR_POST),  # several join requests at once
    "networks:export": ("GET", COORDINATOR),
    "networks:invite": ("GET", COORDINATOR),
    "networks:import": ("GET", COORDINATOR),
    "networks:announce": ("GET", COORDINATOR),
    "recordings:dashboard": ("GET", RECORDINGS),
    "recordings:add": ("GET", RECORDINGS),
    "recordings:detail": ("GET", RECORDINGS),
    "recordings:sync": ("POST", RECORDINGS_POST),
    "recordings:upload": ("POST", RECORDINGS_POST),
    "recordings:fetch_track": ("POST", RECORDINGS_POST),
    "recordings:review": ("POST", RECORDINGS_POST),
    "recordings:order": ("POST", RECORDINGS_POST),
    "recordings:deliver": ("POST", RECORDINGS_POST),
    "recordings:publish": ("POST", COMMUNICATIONS_POST),
    "recordings:unpublish": ("POST", COMMUNICATIONS_POST),
    "recordings:transcript": ("GET", "404 404 404 404 404 404 404 404"),
    "recordings:findings": ("GET", RECORDINGS),
    "recordings:workbench": ("GET", RECORDINGS),
    "recordings:workbench_cue_edit": ("POST", RECORDINGS_POST),
    "recordings:versions": ("GET", RECORDINGS),
    "recordings:compare": ("GET", RECORDINGS),
    "recordings:version_download": ("GET", RECORDINGS),
    "recordings:restore_version": ("POST", RECORDINGS_POST),
    # Without YOUTUBE_CLIENT_ID (as here) the channel pages do not exist for anyone; with it,
    # only an administrator may use them (tests/youtube/test_views.py).
    "youtube:status": ("GET", "404 404 404 404 404 404 404 404"),
    "youtube:connect": ("POST", "404 404 404 404 404 404 404 404"),
    "youtube:callback": ("GET", "404 404 404 404 404 404 404 404"),
    "youtube:disconnect": ("POST", "404 404 404 404 404 404 404 404"),
    "youtube:read_captions": ("POST", "404 404 404 404 404 404 404 404"),
    "accessibility:statement": ("GET", PUBLIC),
    "accessibility:statement_edit": ("GET", COMMUNICATIONS),
    # The statement's feedback form: anyone (rate-limited); the empty form is re-shown.
    "accessibility:statement_feedback": ("POST", "ok ok ok ok ok ok ok ok"),
    "accessibility:feedback": ("GET", COMMUNICATIONS),  # holds contact details: staff only
    "accessibility:feedback_answer": ("POST", COMMUNICATIONS_POST),
    "accessibility:policy": ("GET", COMMUNICATIONS),
    "reports:attendance": ("GET", REPORTS),
    "reports:export_csv": ("GET", REPORTS),
    "reports:export_xlsx": ("GET", REPORTS),
    "reports:chart": ("GET", REPORTS),
    "reports:funder_pdf": ("GET", REPORTS),
    "reports:funder_xlsx": ("GET", REPORTS),
    # The programme archive holds whole tables (personal data too, when kept): admins only.
    "archive:list": ("GET", ADMIN_ONLY),
    "archive:request": ("POST", "L L 403 403 403 403 403 ok"),
    "archive:download": ("GET", ADMIN_ONLY),
    "reach:report": ("GET", REPORTS),
    # Counting redirects: to the link for those the rule lets see it, else to the event page
    # (tests/reach/test_redirects.py); a material to anyone who may see its event.
    "reach:meeting": ("GET", "ok ok ok ok ok ok ok ok"),
    "reach:material": ("GET", "ok ok ok ok ok ok ok ok"),
    # A recording's play: published recordings only (the world's is not): 404 for everyone
    # here; the forward for those who may see it is in tests/reach/test_plays.py.
    "reach:play": ("GET", "404 404 404 404 404 404 404 404"),
    "api-reports-attendance": ("GET", "401 401 403 403 200 403 200 200"),
    "api-reports-attendance-csv": ("GET", "401 401 403 403 200 403 200 200"),
    "api-reports-attendance-xlsx": ("GET", "401 401 403 403 200 403 200 200"),
    # One's own data and account (the empty confirmation this test posts answers 400).
    "api-me-data": ("GET", "401 401 200 200 200 200 200 200"),
    "api-me-delete": ("POST", "401 401 ok ok ok ok ok ok"),
    "event-list": ("GET", PUBLIC),
    "event-detail": ("GET", PUBLIC),
    "event-attendance": ("POST", "401 401 403 403 ok 403 403 ok"),
    "event-participants": ("GET", "401 401 403 403 200 403 403 200"),
    "event-register": ("POST", "401 401 ok ok ok ok ok ok"),
    "theme-list": ("GET", PUBLIC),
    "theme-detail": ("GET", PUBLIC),
    "registration-list": ("GET", "401 401 200 200 200 200 200 200"),
    "registration-detail": ("GET", "401 401 200 404 404 404 404 404"),
    "registration-cancel": ("POST", "401 401 ok 404 404 404 404 404"),
    "network-detail": ("GET", PUBLIC),
    "network-directory": ("GET", "401 401 200 200 200 404 404 200"),
    "network-join": ("POST", "401 401 ok ok ok ok ok ok"),
    "membership-list": ("GET", "401 401 200 200 200 200 200 200"),
    "membership-mine": ("GET", "401 401 200 200 200 200 200 200"),
    "membership-detail": ("GET", "401 401 404 200 200 404 404 200"),
    "membership-approve": ("POST", "401 401 404 ok ok 404 404 ok"),
    "membership-decline": ("POST", "401 401 404 ok ok 404 404 ok"),
    # One's own membership only, as the membership page (another's answers 404).
    "membership-preferences": ("POST", "401 401 ok 404 404 404 404 404"),
    "membership-leave": ("POST", "401 401 ok 404 404 404 404 404"),
    # A public network's coordinators (and MANAGE_NETWORKS); others who see it get 403.
    "network-invitations": ("POST", "401 401 403 ok ok 403 403 ok"),
    "network-announcements": ("POST", "401 401 403 ok ok 403 403 ok"),
    # The invitation link's token is the secret: any signed-in person holding it, as the page.
    "invitation-accept": ("POST", "401 401 ok ok ok ok ok ok"),
    "invitation-decline": ("POST", "401 401 ok ok ok ok ok ok"),
    "recording-list": ("GET", "401 401 403 403 200 200 403 200"),
    "recording-detail": ("GET", "401 401 403 403 200 200 403 200"),
    "recording-publish": ("POST", "401 401 403 403 403 ok 403 ok"),
    "recording-findings": ("GET", "401 401 403 403 200 200 403 200"),
    # The recording page's caption writes: MANAGE_RECORDINGS (organisers, communications).
    "recording-tracks": ("POST", "401 401 403 403 ok ok 403 ok"),
    "recording-review": ("POST", "401 401 403 403 ok ok 403 ok"),
    "recording-orders": ("POST", "401 401 403 403 ok ok 403 ok"),
    "recording-delivery": ("POST", "401 401 403 403 ok ok 403 ok"),
    "published-recording-list": ("GET", PUBLIC),
    "published-recording-detail": ("GET", "404 404 404 404 404 404 404 404"),
    "api-root": ("GET", PUBLIC),
    "api-schema": ("GET", PUBLIC),
    "api-docs": ("GET", PUBLIC),
    "network-list": ("GET", PUBLIC),
    # Second factor (allauth.mfa): signed-in people only. "ok" is mostly allauth asking to
    # re-authenticate first (force_login leaves no recent sign-in); 404 where there is
    # nothing of one's own (no recovery codes, no authenticator app to deactivate).
    "mfa_index": ("GET", SIGNED_IN),
    "mfa_authenticate": ("GET", SIGNED_IN_OK),  # only during a sign-in: else redirected
    "mfa_reauthenticate": ("GET", "L L ok 200 200 200 200 200"),
    "mfa_activate_totp": ("GET", SIGNED_IN_OK),
    "mfa_deactivate_totp": ("POST", "L L 404 ok ok ok ok ok"),
    "mfa_view_recovery_codes": ("GET", "L L 404 404 404 404 404 404"),
    "mfa_generate_recovery_codes": ("POST", SIGNED_IN_OK),
    "mfa_download_recovery_codes": ("GET", "L L 404 404 404 404 404 404"),
    "mfa_list_webauthn": ("GET", SIGNED_IN),
    "mfa_add_webauthn": ("POST", SIGNED_IN_OK),
    "mfa_reauthenticate_webauthn": ("POST", SIGNED_IN_OK),
    "mfa_remove_webauthn": ("POST", SIGNED_IN_OK),
    "mfa_edit_webauthn": ("POST", SIGNED_IN_OK),
    "mfa_login_webauthn": ("POST", "L L ok ok ok ok ok ok"),
}

# Patterns not walked one by one, with the reason (prefix of the pattern → why).
NOT_IN_MATRIX = {
    "admin/": "Django admin: staff-only by Django itself; see test_admin_is_for_staff_only",
    "accounts/": "allauth sign-in pages: public by design, rate-limited (test_hardening.py)",
    # ... except the second-factor pages under accounts/2fa/, walked in MATRIX.
    "i18n/": "set_language: public, tested for open redirects in test_hardening.py",
    "api/v1/<drf_format_suffix:format>": "format suffix of the API root",
}


def walk_urls() -> list[tuple[str, str]]:
    """(pattern, name) of every URL in the URLConf, format-suffix twins left out."""
    found = []

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            route = prefix + str(pattern.pattern)
            if "(?P<format>" in route:
                continue  # DRF's .json twin of a route that is in the matrix itself
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            found.append((route, name or ""))

    walk(get_resolver().url_patterns)
    return found


WALKED_INSIDE_EXCLUDED = ("accounts/2fa/",)


def _excluded(route: str) -> bool:
    if route.startswith(WALKED_INSIDE_EXCLUDED):
        return False
    return any(route.startswith(prefix) for prefix in NOT_IN_MATRIX)


def test_every_url_is_classified():
    missing = [
        f"{route} ({name})"
        for route, name in walk_urls()
        if not _excluded(route) and name not in MATRIX
    ]
    assert missing == [], "classify these URLs in MATRIX: " + ", ".join(missing)
    names = {name for _route, name in walk_urls()}
    assert sorted(set(MATRIX) - names) == []  # no stale rows


def url_for(name: str, world) -> str:
    return reverse(name, kwargs=params_for(name, world))


def _answer(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response["Location"]
        if reverse(settings.LOGIN_URL) in location or "/admin/login/" in location:
            return "L"
        return "3xx"
    return str(status)


def _matches(expected: str, actual: str) -> bool:
    if expected == "ok":
        return actual in ("200", "201", "204", "3xx", "400")
    if expected == "200":
        return actual in ("200", "201", "204")
    return expected == actual


def request_as(client, method: str, url: str):
    cache.clear()  # rate limits are not under test here
    if method == "GET":
        return client.get(url)
    with transaction.atomic():
        response = client.post(url, {})
        transaction.set_rollback(True)
    return response


def run_matrix(names) -> list[str]:
    world = build_world()
    clients = {role: client_for(world, role) for role in ROLES}
    wrong = []
    for name in names:
        method, row = MATRIX[name]
        url = url_for(name, world)
        for role, expected in _row(row).items():
            actual = _answer(request_as(clients[role], method, url))
            if not _matches(expected, actual):
                wrong.append(f"{method} {url} as {role}: expected {expected}, got {actual}")
    return wrong


def test_permission_matrix():
    assert run_matrix(sorted(MATRIX)) == []


# --- nothing can be reached by guessing an id ------------------------------------------------


@pytest.fixture
def world():
    return build_world()


def _signed_in(world, who: str):
    client = client_for(world, "anonymous")
    client.force_login(world.people[who])
    return client


def test_cancelling_another_persons_registration_answers_404(world):
    outsider = _signed_in(world, "outsider")
    mine = world.registration  # the member's

    page = outsider.post(reverse("events:cancel", args=[world.event.pk]))
    api = outsider.post(f"/api/v1/registrations/{mine.pk}/cancel/")
    detail = outsider.get(f"/api/v1/registrations/{mine.pk}/")

    assert (page.status_code, api.status_code, detail.status_code) == (404, 404, 404)
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CONFIRMED


def test_a_wrong_guest_link_answers_404(world):
    token = world.guest.token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    client = client_for(world, "anonymous")

    assert client.get(reverse("events:registration", args=[wrong])).status_code == 404
    response = client.post(reverse("events:registration", args=[wrong]), {"action": "cancel"})
    assert response.status_code == 404
    world.guest.refresh_from_db()
    assert world.guest.status == "confirmed"


def test_another_networks_directory_is_not_readable(world):
    other = NetworkFactory(slug="toinen")
    MembershipFactory(network=other, user=world.people["outsider"])
    client = _signed_in(world, "outsider")  # a member of another network only

    assert client.get(reverse("networks:directory", args=[world.network.slug])).status_code == 404
    api = client.get(f"/api/v1/networks/{world.network.pk}/directory/")
    assert api.status_code in (403, 404)
    assert "member@example.fi" not in api.content.decode()
    own = client.get(reverse("networks:membership", args=[world.membership.pk]))
    assert own.status_code == 404  # someone else's membership page


def test_another_persons_feed_cannot_be_guessed(world):
    client = client_for(world, "anonymous")
    token = world.people["member"].calendar_token
    near = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(reverse("calendar:personal", args=[near])).status_code == 404
    assert client.get(reverse("calendar:personal", args=["x"])).status_code == 404
    other_network_token = world.people["outsider"].calendar_token
    url = reverse("calendar:network", args=[world.network.slug, other_network_token])
    assert client.get(url).status_code == 404


def test_admin_is_for_staff_only(world):
    for role in ("anonymous", "member", "organiser", "communications", "reporting"):
        response = client_for(world, role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
    assert client_for(world, "admin").get("/admin/").status_code == 200
    assert client_for(world, "admin").get("/admin/accounts/auditentry/").status_code == 200
