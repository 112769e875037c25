import pytest

from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_in_a_real_browser_has_no_axe_violations(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("h1").count() == 1
    problems = axe_violations(page)
    assert problems == [], "\n".join(problems)


def test_axe_reports_a_real_violation_so_a_clean_result_means_something(page):
    page.goto("/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<img src="/static/none.png"><input type="text">\')'
    )
    problems = axe_violations(page)
    assert any(p.startswith("image-alt") for p in problems)
    assert any(p.startswith("label") for p in problems)
