"""Making and revoking one's own API token in a real browser: the one-time key page and the
revoke confirmation pass axe, and the key is shown once."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.e2e.conftest import page_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_member_makes_and_revokes_a_token(language, world, page, live_server, sign_in_as):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in_as(world.member)
    page.goto(reverse("accounts:profile"))
    page.locator("#api-token form button[type=submit]").click()
    page.wait_for_load_state()
    key = page.input_value("#api-token-key")
    assert len(key) == 40
    problems = page_problems(page, lang=language)

    page.goto(reverse("accounts:profile"))
    assert key not in page.content()  # shown once only
    page.locator("#api-token a[href$='/revoke/']").click()
    page.wait_for_load_state()
    problems += page_problems(page, lang=language)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("accounts:profile") + "#api-token")
    assert page.locator("#api-token a[href$='/revoke/']").count() == 0
    assert problems == []
