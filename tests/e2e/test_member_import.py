"""The member-list import's steps in a real browser, in fi, sv and en: the column mapping
proposed for a Finnish Excel list, the organisations settled, the preview; each page passes
axe (WCAG 2.1 AA), keeps its lang and reflows at 320 px and 200 % zoom."""

from pathlib import Path

import pytest

from networks.models import Membership, Organisation, OrganisationAlias, Sector
from tests.e2e.conftest import page_problems
from tests.factories import NetworkFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINNISH_LIST = Path(__file__).resolve().parents[1] / "fixtures" / "members" / "jasenlista.csv"


def _switch_to(page, language: str) -> None:
    page.select_option("#language-select", language)
    with page.expect_navigation():
        page.locator(".lang-form button[type=submit]").click()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_import_steps_are_accessible(language, page, sign_in_as):
    for name, sector in [
        ("Kela, Itä-Suomen vakuutuspiiri", Sector.KELA),
        ("Pohjois-Savon TE-toimisto", Sector.TE_OFFICE),
        ("TYP Pohjois-Savo", Sector.TYP),
        ("Hyvinvointialueen työkykypalvelut", Sector.COUNTY),
    ]:
        Organisation.objects.create(name=name, sector=sector)
    coordinator = UserFactory(with_totp=True)
    network = NetworkFactory()
    network.coordinators.add(coordinator)
    sign_in_as(coordinator)
    url = f"/networks/{network.slug}/manage/import/"
    page.goto(url)
    _switch_to(page, language)
    assert page_problems(page, lang=language) == [], "upload"

    page.set_input_files("input[type=file]", str(FINNISH_LIST))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # The column mapping: Etunimi / Sukunimi / Sähköpostiosoite … proposed.
    assert page.locator("#id_column_0").input_value() == "first_name"
    assert page.locator("#id_column_2").input_value() == "email"
    assert page.locator("[aria-current=step]").count() == 1
    assert page_problems(page, lang=language) == [], "columns"

    with page.expect_navigation():
        page.locator("button[name=columns]").click()
    assert page.locator("main select").count() == 3  # Kela, TYP, TE-toimisto: once each
    assert page_problems(page, lang=language) == [], "organisations"

    with page.expect_navigation():
        page.locator("button[name=organisations]").click()
    assert page.locator("table caption").count() == 1  # the 95 new rows, no errors
    assert page_problems(page, lang=language) == [], "preview"
    assert not Membership.objects.filter(network=network).exists()
    assert not OrganisationAlias.objects.exists()
