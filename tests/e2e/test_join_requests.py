"""The coordinator's member page in a real browser (issue 21): the join requests first,
chosen and decided with the keyboard only, each checkbox named by its person; axe finds
nothing in fi, sv and en, also with the "none chosen" error and after the decision."""

import pytest
from django.conf import settings
from django.urls import reverse

from networks.models import Membership, MembershipStatus
from tests.e2e.conftest import page_problems, tab_to
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

APPROVE = "button[name=decision][value=approve]"
DECLINE = "button[name=decision][value=decline]"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_coordinator_decides_requests_with_the_keyboard(
    language, world, page, live_server, sign_in_as
):
    second = MembershipFactory(
        network=world.network,
        user=UserFactory(display_name="Aino Aalto"),
        status=MembershipStatus.PENDING,
        joined_on=None,
    )
    requests = [world.pending, second]
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in_as(world.organiser)
    page.goto(reverse("networks:manage", args=[world.network.slug]))
    problems = page_problems(page, lang=language)

    # Each checkbox is named by its person.
    for membership in requests:
        checkbox = page.get_by_role("checkbox", name=membership.display_name, exact=True)
        assert checkbox.get_attribute("id") == f"request-{membership.pk}"
    assert page.locator("#message-choices").is_visible()

    # Nothing chosen: the form comes back with the error first, focused.
    tab_to(page, APPROVE)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    problems += page_problems(page, lang=language)

    # Both chosen by Tab and Space, then approved from the keyboard.
    for membership in requests:
        tab_to(page, f"#request-{membership.pk}")
        page.keyboard.press("Space")
        assert page.is_checked(f"#request-{membership.pk}")
    tab_to(page, DECLINE)  # both buttons are reachable
    tab_to(page, APPROVE, backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".message-success").is_visible()
    assert "Aino Aalto" in page.locator(".message-success").inner_text()
    problems += page_problems(page, lang=language)
    assert problems == []
    statuses = Membership.objects.filter(pk__in=[m.pk for m in requests])
    assert set(statuses.values_list("status", flat=True)) == {MembershipStatus.ACTIVE}
