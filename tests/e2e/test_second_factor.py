"""A staff member without a second factor, in a real browser: sent to set one up, adds an
authenticator app, then a passkey on Chromium's virtual authenticator, and signs in with
it. Every page on the way passes the page checks and the Content-Security-Policy."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.roles import Role, grant_role
from tests.e2e.conftest import page_problems
from tests.factories import UserFactory, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_staff_set_up_an_app_and_a_passkey_and_sign_in_with_the_passkey(page):  # noqa: PLR0915 - one walk through the setup, step by step
    organiser = UserFactory(display_name="Olli Organisoija")
    grant_role(organiser, Role.ORGANISER)
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    failures = []

    def check(what):
        failures.extend(f"{what}: {problem}" for problem in page_problems(page))

    page.goto(reverse("account_login"))
    page.fill("input[name=login]", organiser.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(reverse("events:organiser_home"))
    assert page.url.endswith(reverse("mfa_index"))
    assert page.get_by_text("kaksivaiheisella tunnistuksella").count() == 1
    check("MFA index with the explanation")

    page.goto(reverse("mfa_activate_totp"))  # allauth asks for the password again first
    assert reverse("account_reauthenticate") in page.url
    check("re-authentication")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('mfa_activate_totp')}")
    check("authenticator app setup")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", _code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert Authenticator.objects.filter(user=organiser, type="totp").exists()
    check("after activation (recovery codes)")
    page.goto(reverse("events:organiser_home"))
    assert page.url.endswith(reverse("events:organiser_home"))  # let in at once

    _virtual_authenticator(page)
    page.goto(reverse("mfa_add_webauthn"))
    if reverse("mfa_reauthenticate") in page.url or reverse("account_reauthenticate") in page.url:
        page.fill("input[name=code]", _code(secret))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"**{reverse('mfa_add_webauthn')}")
    check("add a security key")
    page.fill("input[name=name]", "Työkannettava")
    page.check("input[name=passwordless]")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: reverse("mfa_add_webauthn") not in url)
    assert Authenticator.objects.filter(user=organiser, type="webauthn").count() == 1
    check(f"after adding the key ({page.url})")
    page.goto(reverse("mfa_list_webauthn"))
    assert page.get_by_text("Työkannettava").count() == 1
    check("security key list")

    page.locator("form[action$='/logout/'] button").first.click()
    page.wait_for_load_state()
    page.goto(reverse("account_login"))
    check("sign-in page with the passkey button")
    page.click("#passkey_login")  # the virtual authenticator answers; the page posts it
    page.wait_for_url(lambda url: reverse("account_login") not in url)
    page.goto(reverse("events:organiser_home"))
    assert page.url.endswith(reverse("events:organiser_home")), page.url
    assert page.locator("form[action$='/logout/']").count() == 1
    assert refused == []
    assert failures == [], "\n".join(failures)


def test_staff_sign_in_asks_for_the_authenticator_code(page):
    reporter = UserFactory(with_totp=True)
    grant_role(reporter, Role.REPORTING)
    page.goto(reverse("account_login"))
    page.fill("input[name=login]", reporter.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('mfa_authenticate')}")
    problems = page_problems(page)
    page.fill("input[name=code]", "000000" if totp_code(reporter) != "000000" else "111111")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".error-summary, .errorlist").count() >= 1  # a wrong code is refused
    problems += [f"(error) {p}" for p in page_problems(page)]
    page.fill("input[name=code]", totp_code(reporter))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(reverse("reports:attendance"))
    assert page.url.endswith(reverse("reports:attendance"))
    assert problems == [], "\n".join(problems)
