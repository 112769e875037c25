"""Planning a term (issue 21): "Add a break" by keyboard, the rows it adds, errors in two
break rows and the preview with each session's own start time and link, with axe in fi, sv
and en."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import active, page_problems, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLANNING_DAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _switch_to(page, language: str) -> None:
    page.select_option("#language-select", language)
    with page.expect_navigation():
        page.locator(".lang-form button[type=submit]").click()


@pytest.fixture
def planning_day(page):
    with time_machine.travel(PLANNING_DAY, tick=True):
        page.clock.install(time=PLANNING_DAY)
        yield PLANNING_DAY


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_break_row_is_added_by_keyboard_and_the_page_passes_axe(
    language, planning_day, world, page, sign_in_as
):
    sign_in_as(world.organiser)
    _switch_to(page, language)
    page.goto(reverse("events:organise_plan_term"))
    assert page.locator(".break-row").count() == 1
    tab_to(page, "button[value=add_break]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_breaks-1-name")).to_be_focused()  # the new row, no reload
    assert active(page) == "id_breaks-1-name"
    assert page.locator("#id_breaks-TOTAL_FORMS").input_value() == "2"
    assert "(2)" in page.locator("label[for=id_breaks-1-name]").inner_text()
    expect(page.locator("[data-formset-status=breaks]")).not_to_be_empty()
    assert page_problems(page, lang=language) == []  # the form with an added row

    # Errors in both break rows at once (names without dates), then fixed: the preview.
    page.select_option("#id_series", str(world.series.pk))
    page.fill("#id_first_date", "2027-01-01")
    page.fill("#id_last_date", "2027-02-28")
    page.fill("#id_breaks-0-name", "Talvitauko")
    page.fill("#id_breaks-1-name", "Hiihtoloma")
    with page.expect_navigation():
        page.locator("button[value=preview]").click()
    assert page.locator(".break-row .error-summary").count() == 2
    assert page.locator("#id_breaks-TOTAL_FORMS").input_value() == "2"  # the rows stay
    assert page_problems(page, lang=language) == []  # the errors

    page.fill("#id_breaks-0-start", "2027-01-04")
    page.fill("#id_breaks-0-end", "2027-01-10")
    page.fill("#id_breaks-1-start", "2027-02-22")
    page.fill("#id_breaks-1-end", "2027-02-28")
    with page.expect_navigation():
        page.locator("button[value=preview]").click()
    time_inputs = page.locator("main table tbody input[type=time]")
    assert time_inputs.count() >= 5
    assert page_problems(page, lang=language) == []  # the preview with its own-time fields
