"""Every page type, for every role, in a real browser: axe (WCAG 2.1 A and AA) with zero
violations, the right html[lang], exactly one h1, no sideways scrolling at 320 px nor at
200 % zoom. Forms are also checked in their error state."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import axe_violations, page_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _public(w) -> list[str]:
    return [
        reverse("home"),
        reverse("about"),
        reverse("privacy"),
        reverse("accessibility:statement"),
        reverse("events:list"),
        reverse("events:list") + "?kind=workshop&q=ty%C3%B6",
        reverse("events:archive"),
        reverse("events:detail", args=[w.workshop.pk]),
        reverse("events:detail", args=[w.dropin.pk]),
        reverse("events:detail", args=[w.swedish.pk]),
        reverse("events:detail", args=[w.past.pk]),  # with the embedded recording
        reverse("events:theme", args=[w.theme.slug]),
        reverse("calendar:subscribe"),
        reverse("networks:list"),
        reverse("networks:detail", args=[w.network.slug]),
        reverse("recordings:transcript", args=[w.published.pk]),
        reverse("events:public_feedback", args=[w.past.pk, w.past.feedback_token]),
        "/no-such-page/",
    ]


PAGES = {
    "anonymous": lambda w: [
        *_public(w),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("account_request_login_code"),
        reverse("account_reset_password_done"),
        reverse("account_email_verification_sent"),
        reverse("account_inactive"),
        reverse("events:registration", args=[w.past_registration.token]),
        reverse("events:feedback", args=[w.past_registration.token]),
        reverse("networks:invitation", args=[w.invited.invitation_token]),
        reverse("networks:unsubscribe", args=[w.membership.unsubscribe_token]),
    ],
    "member": lambda w: [
        reverse("home"),
        reverse("events:detail", args=[w.workshop.pk]),
        reverse("events:detail", args=[w.past.pk]),
        reverse("events:mine"),
        reverse("calendar:subscribe"),
        reverse("accounts:profile"),
        reverse("accounts:my_data"),
        reverse("accounts:delete"),
        reverse("networks:list"),
        reverse("networks:detail", args=[w.network.slug]),
        reverse("networks:directory", args=[w.network.slug]),
        reverse("networks:membership", args=[w.membership.pk]),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("socialaccount_connections"),
        reverse("mfa_index"),  # second factor: optional for members
        reverse("mfa_list_webauthn"),
        reverse("mfa_activate_totp"),  # allauth asks for the password again first
        reverse("account_logout"),
    ],
    "organiser": lambda w: [
        reverse("home"),
        reverse("events:organiser_home"),
        reverse("networks:detail", args=[w.network.slug]),  # with "new calendar address"
        reverse("events:organise_theme_list"),
        reverse("events:organise_theme_create"),
        reverse("events:organise_presenter_list"),
        reverse("events:organise_presenter_create"),
        reverse("events:organise_series_list"),
        reverse("events:organise_series_edit", args=[w.series.pk]),
        reverse("events:organise_assign_themes", args=[w.series.pk]),
        reverse("events:organise_plan_term"),
        reverse("events:organise_event_create"),
        reverse("events:organise_event_edit", args=[w.workshop.pk]),
        reverse("events:organise_event_cancel", args=[w.workshop.pk]),
        reverse("events:organise_event_materials", args=[w.past.pk]),
        reverse("events:organise_attendance_import", args=[w.past.pk]),
        reverse("events:organise_feedback_results", args=[w.past.pk]),
        reverse("events:participants", args=[w.workshop.pk]),
        reverse("events:check_in", args=[w.past.pk]),
        reverse("events:check_in", args=[w.dropin.pk]),
        reverse("events:detail", args=[w.workshop.pk]),
        reverse("networks:join", args=[w.network.slug]),
        reverse("networks:manage", args=[w.network.slug]),
        reverse("networks:invite", args=[w.network.slug]),
        reverse("networks:import", args=[w.network.slug]),
        reverse("networks:announce", args=[w.network.slug]),
        reverse("networks:decide", args=[w.pending.pk]),
    ],
    "communications": lambda w: [
        reverse("home"),
        reverse("recordings:dashboard"),
        reverse("recordings:add"),
        reverse("recordings:detail", args=[w.faulty.pk]),  # with check findings
        reverse("recordings:detail", args=[w.published.pk]),
        reverse("accessibility:policy"),
        reverse("accessibility:statement_edit"),
        reverse("accessibility:feedback"),
    ],
    "reporting": lambda _w: [
        reverse("home"),
        reverse("reports:attendance"),  # with charts
        reverse("reports:attendance") + "?period=range&start=2020-01-01&end=2030-12-31",
        # with the final report's tables (the partials the funder's PDF shares)
        reverse("reports:attendance") + "?period=range&start=2020-01-01&end=2030-12-31&final=1",
    ],
    "admin": lambda _w: [
        reverse("home"),
        reverse("accounts:audit_log"),
        reverse("mfa_index"),  # with an authenticator app (tests/e2e/test_second_factor.py
        reverse("mfa_reauthenticate"),  # walks the setup, passkeys and the sign-in step)
        reverse("mfa_deactivate_totp"),
    ],
}

# Forms submitted empty (or wrong) to check the error state: (role, url, submit button).
ERROR_FORMS = {
    "anonymous": lambda w: [
        (reverse("events:detail", args=[w.workshop.pk]), ".registration-box button[type=submit]"),
        (
            reverse("account_login"),
            "main form button[type=submit]",
            {"input[name=login]": "nobody@example.fi", "input[name=password]": "wrong password"},
        ),
        (
            reverse("account_signup"),
            "main form button[type=submit]",
            {
                "input[name=email]": "new@example.fi",
                "input[name=password1]": "x",
                "input[name=password2]": "y",
            },
        ),
    ],
    "organiser": lambda w: [
        (reverse("events:organise_event_create"), "main form button[type=submit]"),
        (reverse("events:organise_plan_term"), "button[value=preview]"),
        (  # errors in the form and in a break row (two rows: tests/e2e/test_plan_term.py)
            reverse("events:organise_plan_term"),
            "button[value=preview]",
            {"#id_breaks-0-name": "Kesätauko"},
        ),
        (reverse("events:organise_attendance_import", args=[w.past.pk]), "button[value=preview]"),
        (reverse("networks:invite", args=[w.network.slug]), "main form button[type=submit]"),
    ],
    "communications": lambda w: [
        (reverse("recordings:add"), "main form button[type=submit]"),
        (reverse("recordings:detail", args=[w.faulty.pk]), "#upload + form button"),
    ],
    "reporting": lambda _w: [
        (reverse("reports:attendance") + "?period=range&start=2026-05-01&end=2026-01-01", None),
    ],
}


def _user(world, role):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_type_passes_axe_for_the_role(role, world, page, sign_in_as):
    if _user(world, role):
        sign_in_as(_user(world, role))
    failures = []
    for url in PAGES[role](world):
        response = page.goto(url)
        expected = 404 if url == "/no-such-page/" else 200
        if response.status != expected:
            failures.append(f"{url}: HTTP {response.status}")
            continue
        failures += [f"{url}: {problem}" for problem in page_problems(page)]
    for url, button, *fills in ERROR_FORMS.get(role, lambda _w: [])(world):
        page.goto(url)
        for selector, value in (fills[0] if fills else {}).items():
            page.fill(selector, value)
        if button:
            page.locator(button).first.click()
            page.wait_for_load_state()
        if page.locator(".error-summary").count() == 0:
            failures.append(f"{url}: no error shown after submitting the form")
        failures += [f"{url} (errors): {problem}" for problem in page_problems(page)]
    assert failures == [], "\n".join(failures)


def test_api_docs_say_they_are_in_english_and_pass_axe(page):
    """Swagger UI (a developer tool, English only) is checked with axe, every rule, and for
    its lang; an operation opens from its button, which holds no link."""
    page.goto(reverse("api-docs"))
    page.wait_for_selector("#swagger-ui .information-container")
    page.wait_for_selector("#swagger-ui .opblock-summary-control")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".opblock-summary-control a[href]").count() == 0
    problems = axe_violations(page)
    assert problems == [], "\n".join(problems)
    summary = page.locator(".opblock-summary-control").first
    summary.focus()
    page.keyboard.press("Enter")
    assert summary.get_attribute("aria-expanded") == "true"
    page.wait_for_selector("#swagger-ui .opblock-body")
    problems = axe_violations(page)
    assert problems == [], "\n".join(problems)
