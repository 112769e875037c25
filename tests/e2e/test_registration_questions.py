"""The registration form with the organiser's questions, in fi, sv and en: axe, one h1,
reflow, and an answer sent from the browser reaches the organiser's list."""

import pytest

from accounts.roles import Role, grant_role
from events.models import EventFormat
from tests.e2e.conftest import page_problems
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _asking_event():
    return EventFactory(
        title="Työpaja: työkokeilu",
        format=EventFormat.HYBRID,
        place="Kuopio, Sairaalakatu 1",
        capacity=20,
        asks_accessibility_needs=True,
        asks_interpretation=True,
        asks_diet=True,
        custom_question="Mistä aiheesta haluaisit kuulla?",
    )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_guest_form_with_questions_passes_axe(language, page, live_server):
    event = _asking_event()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(event.get_absolute_url())
    assert page.locator("fieldset.registration-questions input[name='answers-diet']").count() == 1
    assert page_problems(page, lang=language) == []
    # A wrong submission shows the error summary, which must pass too.
    page.locator("form[action$='/register/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() >= 1
    assert page_problems(page, lang=language) == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_person_answers_in_the_browser(language, page, live_server, sign_in_as):
    event = _asking_event()
    person = UserFactory()
    sign_in_as(person)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(event.get_absolute_url())
    assert page_problems(page, lang=language) == []
    page.fill("textarea[name='answers-accessibility_needs']", "Induction loop")
    page.check("input[name='answers-interpretation'][value='captioning']")
    page.fill("input[name='answers-diet']", "Vegan")
    page.locator("form[action$='/register/'] button[type=submit]").click()
    page.wait_for_load_state()
    registration = event.registrations.get(user=person)
    assert (registration.diet, registration.interpretation) == ("Vegan", "captioning")
    assert registration.accessibility_needs == "Induction loop"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_participants_page_with_answers_passes_axe(language, page, live_server, sign_in_as):
    event = _asking_event()
    RegistrationFactory(event=event, diet="Vegaaninen", interpretation="captioning")
    RegistrationFactory(event=event, accessibility_needs="Induktiosilmukka", question_answer="Työ")
    organiser = UserFactory(with_totp=True)
    grant_role(organiser, Role.ORGANISER)
    sign_in_as(organiser)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"/events/{event.pk}/participants/")
    assert page.locator("#needs-heading").count() == 1
    assert "Vegaaninen" in page.content()
    assert page_problems(page, lang=language) == []
