"""Member list import: CSV and XLSX, Finnish headers, row-by-row report, confirm saves."""

import io
import zipfile

import pytest
from django.core import mail
from django.utils import translation
from openpyxl import Workbook

from networks import imports
from networks.models import MemberRole, Membership, MembershipStatus
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .importing import (
    organisation_fields,
    proposed_columns,
    proposed_organisations,
    step,
    upload,
)

CSV = """Nimi;Sähköposti;Organisaatio;Rooli
Maija Meikäläinen;maija@example.fi;Kela;kokemusasiantuntija
Olli Olemassa;olli@example.fi;Kela;tekijä
Virhe Osoite;ei-sahkoposti;Kela;johto
Tupla Rivi;MAIJA@example.fi;;
Tuntematon Rooli;rooli@example.fi;Kela;pomo
Tuntematon Org;org@example.fi;Kelaa;Management
"""


@pytest.fixture
def kela(db):
    return OrganisationFactory(name="Kela")


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_preview_sorts_rows_into_new_existing_and_errors_and_saves_nothing(network, kela):
    MembershipFactory(network=network, user=UserFactory(email="olli@example.fi"))
    before = Membership.objects.count()
    rows = imports.read_member_file(content=CSV.encode("utf-8"))
    with translation.override("en"):  # the messages are checked in the source language
        preview = imports.preview_import(network=network, rows=rows)
        errors = {r.row: " ".join(r.errors) for r in preview.errors}
    assert [r.row for r in preview.new] == [2]
    assert preview.new[0].role_value == MemberRole.EXPERIENCE_EXPERT
    assert [r.row for r in preview.existing] == [3]
    assert set(errors) == {4, 5, 6, 7}
    assert "not a valid e-mail" in errors[4]
    assert "already on row 2" in errors[5]
    assert "Unknown role" in errors[6]
    assert "Unknown organisation" in errors[7] and "“Kela”" in errors[7]
    assert Membership.objects.count() == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_confirm_invites_only_the_valid_new_rows_in_one_go(
    network, coordinator, kela, django_capture_on_commit_callbacks
):
    rows = imports.read_member_file(content=CSV.encode("utf-8"))
    with django_capture_on_commit_callbacks(execute=True):
        preview = imports.confirm_import(network=network, rows=rows, by=coordinator)
    assert len(preview.new) == 2  # Maija and Olli (nobody is a member yet)
    invited = Membership.objects.filter(network=network, status=MembershipStatus.INVITED)
    assert sorted(invited.values_list("invited_email", flat=True)) == [
        "maija@example.fi",
        "olli@example.fi",
    ]
    assert invited.get(invited_email="maija@example.fi").organisation == kela
    assert sorted(m.to[0] for m in mail.outbox) == ["maija@example.fi", "olli@example.fi"]


@pytest.mark.django_db
def test_xlsx_with_english_headers_in_any_case(network, kela):
    content = _xlsx(
        [
            ["E-MAIL", "Name", "ROLE", "Organisation"],
            ["anna@example.fi", "Anna", "Practitioner", "kela"],
            [None, None, None, None],
            ["bad", "Bertta", "other", ""],
        ]
    )
    rows = imports.read_member_file(content=content, filename="list.xlsx")
    preview = imports.preview_import(network=network, rows=rows)
    assert [(r.row, r.email, r.organisation_id) for r in preview.new] == [
        (2, "anna@example.fi", kela.pk)
    ]
    assert [r.row for r in preview.errors] == [4]


@pytest.mark.django_db
def test_a_missing_column_is_named():
    with pytest.raises(imports.ImportFileError) as error:
        imports.read_member_file(content=b"nimi;organisaatio\nMaija;Kela\n")
    assert "e-mail" in str(error.value.message)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02binary\x00",
        b"PK\x03\x04not really a zip",
        b"\xff\xfe\x00n\x00a\x00m\x00e",
    ],
)
def test_files_are_checked_by_their_content(content):
    with pytest.raises(imports.ImportFileError):
        imports.read_member_file(content=content, filename="members.csv")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(imports.ImportFileError) as error:
        imports.read_member_file(content=buffer.getvalue(), filename="members.xlsx")
    assert "XLSX" in str(error.value.message)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(imports.ImportFileError):
        imports.read_member_file(content=b"name,email\n" + b"a,b@example.fi\n" * 20)


@pytest.mark.django_db
def test_import_page_maps_settles_previews_then_confirms(en_client, network, coordinator, kela):
    en_client.force_login(coordinator)
    columns = upload(en_client, network, CSV.encode("utf-8"))
    assert columns.status_code == 200
    assert "Nothing has been saved yet" in columns.content.decode()
    organisations = step(en_client, network, columns, "columns", proposed_columns(columns))
    # "Kelaa" is asked about once, with Kela proposed.
    assert organisation_fields(organisations) == {"Kelaa": "organisation_0"}
    assert proposed_organisations(organisations) == {"organisation_0": str(kela.pk)}
    page = step(en_client, network, organisations, "organisations", {"organisation_0": kela.pk})
    text = page.content.decode()
    assert "Nothing has been saved yet" in text
    assert "not a valid e-mail" in text
    assert Membership.objects.filter(network=network).count() == 0
    done = step(en_client, network, page, "confirm")
    assert done.status_code == 302
    assert Membership.objects.filter(network=network, status="invited").count() == 3
    # The preview is used once.
    again = step(en_client, network, page, "confirm")
    assert again.status_code == 302
    assert Membership.objects.filter(network=network).count() == 3


@pytest.mark.django_db
def test_import_page_shows_a_broken_file_as_a_form_error(en_client, network, coordinator):
    en_client.force_login(coordinator)
    upload = io.BytesIO(b"\x00\x00\x00")
    upload.name = "members.csv"
    page = en_client.post(f"/networks/{network.slug}/manage/import/", {"file": upload})
    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [
        (
            "“members.csv” cannot be read as text. Save it as UTF-8 or UTF-16 text "
            "(for example “CSV UTF-8”)."
        )
    ]


@pytest.mark.django_db
def test_only_coordinators_import(en_client, network, user):
    en_client.force_login(user)
    assert en_client.get(f"/networks/{network.slug}/manage/import/").status_code == 404
