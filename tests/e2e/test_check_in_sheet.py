"""The printable check-in list in the browser (issue 21): reached from the participants page,
passes axe in fi, sv and en, and prints without the navigation, its table heading repeated."""

import pytest

from tests.e2e.conftest import page_problems
from tests.factories import OrganisationFactory, RegistrationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["fi", "sv", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_printable_check_in_list(language, world, page, live_server, sign_in_as):
    kela = OrganisationFactory(name="Kela")
    for n in range(40):  # more than one printed page
        RegistrationFactory(event=world.workshop, name=f"Osallistuja {n:02d}", organisation=kela)
    RegistrationFactory(event=world.workshop, name="Jonottaja Yksi", status="waitlisted")
    sign_in_as(world.organiser)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )

    page.goto(f"/events/{world.workshop.pk}/participants/")
    page.locator(f"a[href='/events/{world.workshop.pk}/participants/print/']").click()
    page.wait_for_url(f"**/events/{world.workshop.pk}/participants/print/")

    confirmed = page.locator("section[aria-labelledby=confirmed-heading] tbody tr")
    assert confirmed.filter(has_text="Osallistuja").count() == 40
    assert page.locator("section[aria-labelledby=waitlisted-heading] tbody tr").count() == 1
    assert page_problems(page, lang=language) == []

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".site-footer").is_hidden()
    header_display = page.evaluate(
        "getComputedStyle(document.querySelector('.check-in-table thead')).display"
    )
    assert header_display == "table-header-group"  # repeated on every printed page
    assert page.locator("text=Ctrl+P").is_hidden()  # the on-screen hint is not printed
