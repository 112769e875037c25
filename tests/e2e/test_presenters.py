"""Presenters in the browser (issue 21): a presenter's public page, and the event form's
presenter picker used with the keyboard alone, in fi, sv and en, with axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import Event, EventMaterial
from tests.e2e.conftest import page_problems, tab_to
from tests.factories import PresenterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["fi", "sv", "en"]


def _in_language(page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_presenter_page_passes_axe(language, world, page, live_server):
    presenter = PresenterFactory(
        name="Riikka Koskinen",
        title="Työkykykoordinaattori",
        organisation="Kela",
        bio="Riikka kertoo työkyvyn tuesta.",
        public_page_consent=True,
    )
    for event in (world.past, world.workshop):  # a past talk with its recording, one to come
        event.presenters.add(presenter)
    EventMaterial.objects.create(event=world.past, title="Diat", url="https://example.fi/d.pdf")
    _in_language(page, live_server, language)

    page.goto(world.past.get_absolute_url())
    link = page.get_by_role("link", name="Riikka Koskinen")
    link.click()  # the event page links to the page

    page.wait_for_url(f"**{reverse('events:presenter', args=[presenter.pk])}")
    assert page.locator("h1").inner_text() == "Riikka Koskinen"
    assert page.locator(".talk").count() == 2
    assert page.locator(f"a[href$='#recording-{world.published.pk}-title']").count() == 1
    assert page_problems(page, lang=language) == []


def _focused_label(page) -> str:
    return page.evaluate(
        "() => document.querySelector(`label[for='${document.activeElement.id}']`).textContent"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_event_form_presenter_picker_by_keyboard(language, world, page, live_server, sign_in_as):
    for n in range(12):
        PresenterFactory(name=f"Alustaja {n:02d}", organisation="Työllisyyspalvelut")
    riikka = PresenterFactory(name="Riikka Koskinen", organisation="Kela")
    PresenterFactory(name="Riikka Koskinen", organisation="Hyvinvointialue")
    sign_in_as(world.organiser)
    _in_language(page, live_server, language)
    edit = reverse("events:organise_event_edit", args=[world.workshop.pk])
    page.goto(edit)

    assert page.locator("select#id_presenters").is_hidden()  # enhanced: checkboxes instead
    tab_to(page, "#id_presenters_filter")
    page.keyboard.type("riikka kos")
    expect(page.locator("#id_presenters_status")).to_contain_text("2")
    page.keyboard.press("Enter")  # to the first match; the form is not sent
    assert page.url.endswith(edit)
    assert page.evaluate("() => document.activeElement.type") == "checkbox"
    assert "Kela" in _focused_label(page)  # namesakes told apart by their organisation
    page.keyboard.press("ArrowDown")
    assert "Hyvinvointialue" in _focused_label(page)
    page.keyboard.press("ArrowUp")
    assert "Kela" in _focused_label(page)
    page.keyboard.press("Space")
    expect(page.locator("#id_presenters_chosen")).to_contain_text("Riikka Koskinen, Kela")
    assert page_problems(page, lang=language) == []  # the picker, filtered and ticked

    tab_to(page, "main form[novalidate] > button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert list(Event.objects.get(pk=world.workshop.pk).presenters.all()) == [riikka]
    assert page.locator("[role=status]").first.inner_text().strip()  # "saved"
    expect(page.locator(".picker-options input:checked")).to_have_count(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_presenter_organiser_pages_pass_axe(language, world, page, live_server, sign_in_as):
    keep = PresenterFactory(name="Riikka Koskinen", organisation="Kela", public_page_consent=True)
    PresenterFactory(name="Riikka Koskinen", bio="Sosiaalityöntekijä.")
    world.past.presenters.add(keep)
    sign_in_as(world.organiser)
    _in_language(page, live_server, language)
    merge = reverse("events:organise_presenter_merge", args=[keep.pk])
    for url in (
        reverse("events:organise_presenter_list"),
        reverse("events:organise_presenter_edit", args=[keep.pk]),
        merge,
    ):
        page.goto(url)
        assert page_problems(page, lang=language) == [], url
    page.goto(merge)
    with page.expect_navigation():
        page.locator("main form button[value=preview]").click()
    assert page.locator("#merge-check-heading").count() == 1  # the check before merging
    assert page_problems(page, lang=language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_assign_themes_presenter_picker_by_keyboard(language, world, page, live_server, sign_in_as):
    """The term's "assign themes and presenters" table uses the same picker in each row."""
    for n in range(12):
        PresenterFactory(name=f"Alustaja {n:02d}", organisation="Työllisyyspalvelut")
    riikka = PresenterFactory(name="Riikka Koskinen", organisation="Kela")
    sign_in_as(world.organiser)
    _in_language(page, live_server, language)
    assign = reverse("events:organise_assign_themes", args=[world.series.pk])
    page.goto(assign)

    assert page.locator("select#id_s0-presenters").is_hidden()
    tab_to(page, "#id_s0-presenters_filter")
    page.keyboard.type("riikka")
    expect(page.locator("#id_s0-presenters_status")).to_contain_text("1")
    page.keyboard.press("Enter")  # to the match; the form is not sent
    assert page.url.endswith(assign)
    page.keyboard.press("Space")
    expect(page.locator("#id_s0-presenters_chosen")).to_contain_text("Riikka Koskinen")
    assert page_problems(page, lang=language) == []

    tab_to(page, "main form[method=post] > button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert list(Event.objects.get(pk=world.dropin.pk).presenters.all()) == [riikka]
