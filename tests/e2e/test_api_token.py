"""Making and revoking one's own API token in a real browser: the one-time key page and the
revoke confirmation pass axe, and the key is shown once."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import page_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_makes_and_revokes_a_token(world, page, sign_in_as):
    sign_in_as(world.member)
    page.goto(reverse("accounts:profile"))
    page.locator("#api-token form button[type=submit]").click()
    page.wait_for_load_state()
    key = page.input_value("#api-token-key")
    assert len(key) == 40
    problems = page_problems(page)

    page.goto(reverse("accounts:profile"))
    assert key not in page.content()  # shown once only
    page.locator("#api-token a[href$='/revoke/']").click()
    page.wait_for_load_state()
    problems += page_problems(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("accounts:profile") + "#api-token")
    assert page.locator("#api-token a[href$='/revoke/']").count() == 0
    assert problems == []
