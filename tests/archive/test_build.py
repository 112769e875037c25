"""The archive ZIP: tables, dictionary, pseudonyms, no secrets, the PDF, the captions."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command

from archive.classification import FIELDS, Treatment
from archive.services import archived_models, build_archive

pytestmark = pytest.mark.django_db

EMAILS = ("anna.virtanen@example.fi", "ville.vieras@example.fi")
NAMES = ("Anna Virtanen", "Ville Vieras")


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _everything(members: dict[str, bytes]) -> str:
    return "\n".join(data.decode("utf-8", "replace") for data in members.values()).casefold()


@pytest.fixture
def built(programme, tmp_path):
    def build(**kwargs):
        path = tmp_path / "kohtaamo-archive.zip"
        build_archive(output=path, **kwargs)
        return _members(path)

    return build


def test_the_zip_has_a_csv_per_table_with_the_column_names(built, programme):
    members = built()
    for model in archived_models():
        name = f"tables/{model._meta.db_table}.csv"
        assert name in members
    rows = _csv(members["tables/events_registration.csv"])
    assert len(rows) == 2
    assert {"id", "event_id", "user_id", "name", "email", "status", "attended"} <= set(rows[0])
    events = _csv(members["tables/events_event.csv"])
    assert events[0]["title"] == "Työkykyaamu"
    assert "tables/outbox_outboxmessage.csv" not in members


def test_the_dictionary_covers_every_archived_column(built):
    members = built(language="en")
    dictionary = _csv(members["data_dictionary.csv"])
    described = {(row["table"], row["column"]) for row in dictionary}
    for name, data in members.items():
        if name.startswith("tables/"):
            table = name.removeprefix("tables/").removesuffix(".csv")
            header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert {(table, column) for column in header} <= described
    email = next(r for r in dictionary if (r["table"], r["column"]) == ("accounts_user", "email"))
    assert email["personal_data"] == "yes"
    assert email["treatment"] == "pseudonymised"
    password = next(
        r for r in dictionary if (r["table"], r["column"]) == ("accounts_user", "password")
    )
    assert password["treatment"].startswith("left out")
    assert email["meaning"].startswith("E-mail")


def test_personal_data_is_pseudonymised_when_the_setting_is_off(built, programme, settings):
    settings.ARCHIVE_KEEP_PERSONAL_DATA = False
    members = built()
    text = _everything(members)
    for value in (*EMAILS, *(n.casefold() for n in NAMES), "1234567"):
        assert value not in text
    users = {row["email"]: row for row in _csv(members["tables/accounts_user.csv"])}
    registrations = _csv(members["tables/events_registration.csv"])
    member = next(r for r in registrations if r["user_id"])
    # The same person has the same pseudonym in every table: the join survives.
    assert member["email"] in users
    assert member["user_id"] == users[member["email"]]["id"]
    assert member["user_id"].startswith("p-")
    memberships = _csv(members["tables/networks_membership.csv"])
    assert memberships[0]["user_id"] == member["user_id"]


def test_personal_data_is_kept_when_the_archive_rules_keep_it(built, programme, settings):
    settings.ARCHIVE_KEEP_PERSONAL_DATA = True
    members = built(language="en")
    users = _csv(members["tables/accounts_user.csv"])
    person = next(u for u in users if u["email"] == "Anna.Virtanen@example.fi")
    assert person["display_name"] == "Anna Virtanen"
    assert person["id"] == str(programme["person"].pk)
    dictionary = _csv(members["data_dictionary.csv"])
    email = next(r for r in dictionary if (r["table"], r["column"]) == ("accounts_user", "email"))
    assert email["treatment"] == "kept"


@pytest.mark.parametrize("keep", [True, False])
def test_no_secrets_ever(built, programme, keep):
    programme["person"].refresh_from_db()
    members = built(keep_personal_data=keep)
    text = _everything(members)
    secrets = [
        programme["person"].password,
        programme["registration"].token,
        programme["guest"].token,
        programme["event"].feedback_token,
        programme["event"].meeting_url,
        programme["network"].calendar_token,
        programme["membership"].unsubscribe_token,
    ]
    for secret in filter(None, secrets):
        assert secret.casefold() not in text
    header = _csv(members["tables/accounts_user.csv"])[0]
    assert "password" not in header
    assert "calendar_token" not in header
    secret_columns = [
        (label, name)
        for label, f in FIELDS.items()
        for name, t in f.items()
        if t == Treatment.SECRET
    ]
    assert ("accounts.User", "password") in secret_columns


def test_the_final_report_pdf_and_the_captions_are_in_it(built, programme):
    members = built(language="en")
    assert members["final_report.pdf"].startswith(b"%PDF-")
    track = programme["track"]
    name = f"captions/{track.recording_id}-fi-{track.kind}.vtt"
    assert members[name].decode() == track.vtt
    readme = members["README.txt"].decode()
    assert "Whole programme" in readme
    assert "Personal data: pseudonymised" in readme


def test_the_command_writes_the_archive(programme, tmp_path):
    path = tmp_path / "out" / "kohtaamo-archive.zip"
    out = io.StringIO()
    call_command("archive_programme", "--output", str(path), stdout=out)
    members = _members(path)
    assert "data_dictionary.csv" in members
    assert "pseudonymised" in out.getvalue()
    assert "anna.virtanen@example.fi" not in _everything(members)
    call_command("archive_programme", "--output", str(path), "--keep-personal-data", stdout=out)
    assert "anna.virtanen@example.fi" in _everything(_members(path))
