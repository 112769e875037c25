"""The lang attribute in fi, sv and en, chosen with the language switcher, and on content
in another language than the page (the switcher's language names, an event's own text)."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _switch_to(page, language: str) -> None:
    page.select_option("#language-select", language)
    with page.expect_navigation():
        page.locator(".lang-form button[type=submit]").click()


# Pages changed by issue 21 (the network's calendar address, API tokens on the profile,
# the personal calendar page): axe in every language, not only in Finnish.
CHANGED_THIS_ROUND = {
    reverse("calendar:subscribe"),
    reverse("accounts:profile"),
}


@pytest.mark.parametrize("language", ["sv", "en", "fi"])
def test_lang_follows_the_switcher_on_every_kind_of_page(language, world, page, sign_in_as):
    sign_in_as(world.organiser)
    page.goto(reverse("events:list"))
    _switch_to(page, language)
    assert page.url.endswith(reverse("events:list")), "the switcher returns to the same page"
    for url in [
        reverse("home"),
        reverse("events:list"),
        world.workshop.get_absolute_url(),
        reverse("calendar:subscribe"),
        network := reverse("networks:detail", args=[world.network.slug]),
        reverse("accounts:profile"),
        reverse("events:organiser_home"),
        reverse("accessibility:statement"),
        "/no-such-page/",
    ]:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language, url
        assert page.locator("#language-select").input_value() == language, url
        if url in CHANGED_THIS_ROUND or url == network:
            assert axe_violations(page) == [], url
    # Each language name is marked with its own language.
    for code in ("fi", "sv", "en"):
        assert page.locator(f"#language-select option[value={code}]").get_attribute("lang") == code


@pytest.mark.parametrize(("language", "marked"), [("fi", True), ("en", True), ("sv", False)])
def test_an_event_in_another_language_is_marked(language, marked, world, page):
    page.goto(reverse("home"))
    _switch_to(page, language)
    page.goto(world.swedish.get_absolute_url())
    expected = "sv" if marked else None
    assert page.locator("h1").get_attribute("lang") == expected
    assert page.locator("#description-heading + div").get_attribute("lang") == expected
    page.goto(reverse("events:list"))
    link = page.locator(f"main a[href='{world.swedish.get_absolute_url()}']")
    assert link.get_attribute("lang") == expected
    finnish = page.locator(f"main a[href='{world.workshop.get_absolute_url()}']")
    assert finnish.get_attribute("lang") == (None if language == "fi" else "fi")
    assert axe_violations(page) == []
