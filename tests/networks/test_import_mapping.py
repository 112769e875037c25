"""A real member list imports: Finnish column names mapped, organisations written the short
way ("Kela", "TE-toimisto", "TYP") settled once and remembered, the app's own export
imported back as it is. Everything through the import page, as the coordinator uses it.

The fixture `tests/fixtures/members/jasenlista.csv` is shaped like the list that was
refused: 95 rows saved from a Finnish Excel (Windows-1252, semicolons), columns Etunimi /
Sukunimi / Sähköpostiosoite / Organisaatio / Tehtävänimike, 88 rows with "Kela",
"TE-toimisto" or "TYP" and 7 with an organisation's exact name.
"""

from __future__ import annotations

import io

import pytest
from django.core import mail
from openpyxl import Workbook

from networks import imports
from networks.models import (
    MemberRole,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationAlias,
    Sector,
)
from networks.services import merge_organisations
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

from .importing import (
    FIXTURES,
    organisation_fields,
    proposed_columns,
    proposed_organisations,
    step,
    upload,
)

pytestmark = pytest.mark.django_db

FINNISH_LIST = (FIXTURES / "jasenlista.csv").read_bytes()
ORGANISATIONS = [
    ("Hyvinvointialueen työkykypalvelut", Sector.COUNTY),
    ("Kuopion kaupungin työllisyyspalvelut", Sector.MUNICIPAL_EMPLOYMENT),
    ("Pohjois-Savon TE-toimisto", Sector.TE_OFFICE),
    ("Kela, Itä-Suomen vakuutuspiiri", Sector.KELA),
    ("TYP Pohjois-Savo", Sector.TYP),
    ("Savon Mielenterveysyhdistys ry", Sector.NGO),
    ("Kuopion Konepaja Oy", Sector.EMPLOYER),
]


@pytest.fixture
def organisations(db) -> dict[str, Organisation]:
    return {
        name: Organisation.objects.create(name=name, sector=sector, municipality="Kuopio")
        for name, sector in ORGANISATIONS
    }


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _to_organisations_step(client, network, content=FINNISH_LIST, name="jasenlista.csv"):
    columns = upload(client, network, content, name)
    assert columns.context["step"] == "columns"
    return columns, step(client, network, columns, "columns", proposed_columns(columns))


def test_the_finnish_headers_are_proposed_and_nothing_is_saved(en_client, network, coordinator):
    en_client.force_login(coordinator)
    page = upload(en_client, network, FINNISH_LIST, "jasenlista.csv")
    assert page.status_code == 200
    assert page.context["step"] == "columns"
    assert list(proposed_columns(page).values()) == [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "title",
    ]
    text = page.content.decode()
    assert "Column C: “Sähköpostiosoite”" in text
    assert "For example: aino.virtanen@example.fi" in text
    assert "with 95 rows below them" in text
    assert not Membership.objects.filter(network=network).exists()


def test_the_finnish_list_imports_all_95_after_three_answers(
    en_client, network, coordinator, organisations, django_capture_on_commit_callbacks
):
    en_client.force_login(coordinator)
    _columns, page = _to_organisations_step(en_client, network)
    assert page.context["step"] == "organisations"
    questions = page.context["organisations_form"].questions
    # Each unknown value is asked once, however many rows it is on.
    assert [(q.value, len(q.rows)) for q in questions] == [
        ("Kela", 40),
        ("TYP", 18),
        ("TE-toimisto", 30),
    ]
    best = {q.value: q.suggestions[0].name for q in questions}
    assert best == {
        "Kela": "Kela, Itä-Suomen vakuutuspiiri",
        "TE-toimisto": "Pohjois-Savon TE-toimisto",
        "TYP": "TYP Pohjois-Savo",
    }
    # The best suggestion is proposed; the coordinator confirms it.
    preview = step(en_client, network, page, "organisations", proposed_organisations(page))
    assert preview.context["step"] == "preview"
    result = preview.context["preview"]
    assert (len(result.new), len(result.existing), len(result.errors)) == (95, 0, 0)
    first = result.new[0]
    assert (first.row, first.name, first.email, first.title) == (
        2,
        "Aino Virtanen",
        "aino.virtanen@example.fi",
        "Työhönvalmentaja",
    )
    assert first.organisation_name == "Kela, Itä-Suomen vakuutuspiiri"
    assert "(“Kela” in the file)" in preview.content.decode()
    assert not Membership.objects.filter(network=network).exists()
    assert not OrganisationAlias.objects.exists()  # remembered only when confirmed

    with django_capture_on_commit_callbacks(execute=True):
        done = step(en_client, network, preview, "confirm")
    assert done.status_code == 302
    invited = Membership.objects.filter(network=network, status=MembershipStatus.INVITED)
    assert invited.count() == 95
    aino = invited.get(invited_email="aino.virtanen@example.fi")
    assert aino.invited_name == "Aino Virtanen"
    assert aino.invited_title == "Työhönvalmentaja"
    assert aino.organisation == organisations["Kela, Itä-Suomen vakuutuspiiri"]
    assert invited.filter(organisation__name="TYP Pohjois-Savo").count() == 18
    assert len(mail.outbox) == 95
    assert dict(OrganisationAlias.objects.values_list("value", "organisation__name")) == best


def test_a_remembered_alias_maps_the_next_list_without_asking(
    en_client, coordinator, network, organisations
):
    kela = organisations["Kela, Itä-Suomen vakuutuspiiri"]
    en_client.force_login(coordinator)
    _columns, page = _to_organisations_step(en_client, network)
    fields = organisation_fields(page)
    answers = {**proposed_organisations(page), fields["TYP"]: imports.WITHOUT}
    preview = step(en_client, network, page, "organisations", answers)
    step(en_client, network, preview, "confirm")
    assert OrganisationAlias.objects.get(value="Kela").organisation == kela
    assert not OrganisationAlias.objects.filter(value="TYP").exists()  # "without" is not kept

    other = NetworkFactory()
    other.coordinators.add(coordinator)
    content = "Etunimi;Sukunimi;Sähköposti;Organisaatio\nUusi;Ihminen;uusi@example.fi;KELA\n"
    columns = upload(en_client, other, content.encode())
    page = step(en_client, other, columns, "columns", proposed_columns(columns))
    assert page.context["step"] == "preview"  # nothing to ask
    (row,) = page.context["preview"].new
    assert (row.name, row.organisation_id) == ("Uusi Ihminen", kela.pk)


def test_a_value_can_be_imported_without_organisation(
    en_client, coordinator, network, organisations
):
    content = (
        "Nimi;Sähköposti;Organisaatio\n"
        "Maija Meikäläinen;maija@example.fi;Oma yritys Tmi\n"
        "Olli Oja;olli@example.fi;oma yritys tmi\n"
    ).encode()
    en_client.force_login(coordinator)
    _columns, page = _to_organisations_step(en_client, network, content)
    questions = page.context["organisations_form"].questions
    assert [(q.value, q.rows) for q in questions] == [("Oma yritys Tmi", [2, 3])]
    preview = step(en_client, network, page, "organisations", {"organisation_0": imports.WITHOUT})
    rows = preview.context["preview"].new
    assert [(r.name, r.without_organisation) for r in rows] == [
        ("Maija Meikäläinen", True),
        ("Olli Oja", True),
    ]
    assert "Without organisation (“Oma yritys Tmi” in the file)" in preview.content.decode()
    step(en_client, network, preview, "confirm")
    invited = Membership.objects.filter(network=network)
    assert invited.count() == 2
    assert not invited.filter(organisation__isnull=False).exists()
    assert not OrganisationAlias.objects.exists()


def test_an_organisation_needs_an_answer(en_client, coordinator, network, organisations):
    content = "Nimi;Sähköposti;Organisaatio\nMaija;maija@example.fi;Jokin muu\n".encode()
    en_client.force_login(coordinator)
    _columns, page = _to_organisations_step(en_client, network, content)
    again = step(en_client, network, page, "organisations", {"organisation_0": ""})
    assert again.context["step"] == "organisations"
    assert again.context["organisations_form"].errors["organisation_0"]
    assert not Membership.objects.exists()


def test_the_coordinator_changes_the_mapping(en_client, coordinator, network):
    content = _xlsx(
        [
            ["Henkilön nimi", "Yhteystieto", "Huom"],
            ["Maija Meikäläinen", "maija@example.fi", "kahvi"],
        ]
    )
    en_client.force_login(coordinator)
    columns = upload(en_client, network, content, "lista.xlsx")
    assert list(proposed_columns(columns).values()) == ["", "", ""]  # nothing recognised
    # The e-mail twice and no name: both problems are said, nothing moves on.
    wrong = step(en_client, network, columns, "columns", {"column_0": "email", "column_1": "email"})
    assert wrong.context["step"] == "columns"
    text = wrong.content.decode()
    assert "“E-mail” is chosen for more than one column." in text
    assert "Choose the column that holds the name" in text
    page = step(en_client, network, columns, "columns", {"column_0": "name", "column_1": "email"})
    assert page.context["step"] == "preview"
    (row,) = page.context["preview"].new
    assert (row.name, row.email) == ("Maija Meikäläinen", "maija@example.fi")


def test_the_apps_own_export_imports_back_as_it_is(client, coordinator, network, organisations):
    kela = organisations["Kela, Itä-Suomen vakuutuspiiri"]
    sharing = UserFactory(email="jakaja@example.fi", display_name="Jaana Jakaja", title="Ohjaaja")
    MembershipFactory(
        network=network,
        user=sharing,
        organisation=kela,
        role=MemberRole.MANAGEMENT,
        show_email=True,
    )
    MembershipFactory(network=network, user=UserFactory(), show_email=False)  # no e-mail out
    MembershipFactory(
        network=network,
        user=None,
        status=MembershipStatus.INVITED,
        invited_email="kutsuttu@example.fi",
        invited_name="Kalle Kutsuttu",
        invited_title="Työhönvalmentaja",
        organisation=organisations["TYP Pohjois-Savo"],
        role=MemberRole.EXPERIENCE_EXPERT,
        joined_on=None,
    )
    client.cookies["django_language"] = "fi"
    client.force_login(coordinator)
    export = client.get(f"/networks/{network.slug}/manage/export.xlsx")
    assert export.status_code == 200

    other = NetworkFactory()
    other.coordinators.add(coordinator)
    columns = upload(client, other, export.content, "jasenet.xlsx")
    table = columns.context["table"]
    assert (table.header_row, table.skipped_rows) == (3, 2)  # network name, export time
    assert (table.headers[0], table.headers[2], table.headers[9]) == (
        "Nimi",
        "Organisaatio",
        "Sähköposti",
    )
    assert list(proposed_columns(columns).values()) == [
        "name",
        "title",
        "organisation",
        "",
        "",
        "role",
        "",
        "",
        "",
        "email",
        "",
    ]
    page = step(client, other, columns, "columns", proposed_columns(columns))
    assert page.context["step"] == "preview"  # the export's names are the organisations'
    result = page.context["preview"]
    assert [(r.email, r.organisation_id, r.role_value, r.title) for r in result.new] == [
        ("jakaja@example.fi", kela.pk, MemberRole.MANAGEMENT, "Ohjaaja"),
        (
            "kutsuttu@example.fi",
            organisations["TYP Pohjois-Savo"].pk,
            MemberRole.EXPERIENCE_EXPERT,
            "Työhönvalmentaja",
        ),
    ]
    # The member who does not share their e-mail is not in the export with one.
    assert [r.errors for r in result.errors] == [["Sähköpostiosoite puuttuu."]]
    step(client, other, page, "confirm")
    assert Membership.objects.filter(network=other, status=MembershipStatus.INVITED).count() == 2


def test_a_stale_step_is_refused(en_client, coordinator, network):
    en_client.force_login(coordinator)
    columns = upload(en_client, network, b"Nimi;Sposti\nMaija;maija@example.fi\n")
    answer = en_client.post(
        f"/networks/{network.slug}/manage/import/",
        {"nonce": "old", "columns": "1", **proposed_columns(columns)},
        follow=True,
    )
    assert "The preview has expired" in answer.content.decode()
    assert answer.context["step"] == "upload"


def test_merged_organisations_keep_their_names_and_aliases(
    en_client, coordinator, network, organisations, admin_user
):
    kela = organisations["Kela, Itä-Suomen vakuutuspiiri"]
    duplicate = Organisation.objects.create(name="Kela Kuopio", sector=Sector.KELA)
    OrganisationAlias.objects.create(value="Kelan toimisto", organisation=duplicate)
    merge_organisations(keep=kela, duplicates=[duplicate], by=admin_user)
    content = (
        "Nimi;Sähköposti;Organisaatio\n"
        "Maija;maija@example.fi;Kela Kuopio\n"
        "Olli;olli@example.fi;Kelan toimisto\n"
    ).encode()
    en_client.force_login(coordinator)
    _columns, page = _to_organisations_step(en_client, network, content)
    assert page.context["step"] == "preview"
    assert [r.organisation_id for r in page.context["preview"].new] == [kela.pk, kela.pk]
