"""The bad-input corpus (tests/fixtures/bad/) through the real entry points.

Every broken input gives a clear message (naming the line or field where there is one)
and leaves no half-saved rows. Caption files whose *content* breaks the caption rules
(overlapping or reversed cues, a huge cue) are the one designed exception: they are kept
for review with findings that name the problem, and publication is refused until fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from yt_dlp.utils import DownloadError, ExtractorError

from accessibility.checks import MESSAGES
from accessibility.services import PublicationBlockedError, publish
from events.attendance import services as attendance_services
from events.models import AttendanceImport, Event, Registration
from networks import imports
from networks.models import Membership, OrganisationAlias
from recordings import platform
from recordings import services as recording_services
from recordings.models import CaptionTrack, PublicationState, Recording
from tests.factories import (
    EventFactory,
    NetworkFactory,
    RecordingFactory,
    RegistrationFactory,
)
from tests.networks.importing import organisation_fields, proposed_columns, step, upload

pytestmark = pytest.mark.django_db
BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"


def _bad(*parts: str) -> bytes:
    return BAD.joinpath(*parts).read_bytes()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (AttendanceImport, Registration, Event, Membership, CaptionTrack, Recording)
    }


# --- captions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.vtt", "“empty.vtt” is empty."),
        ("bom_only.vtt", "“bom_only.vtt” has no content: it holds only white space or a"),
        ("no_header.vtt", "is not a WebVTT file: line 1 must be “WEBVTT”, but it is “00:00:01"),
    ],
)
def test_unreadable_caption_files_are_refused_and_nothing_is_stored(name, message, client):

    recording = RecordingFactory()
    before = _counts()
    with pytest.raises(recording_services.CaptionFileRejectedError) as caught:
        recording_services.store_track(
            recording=recording, language="fi", content=_bad("vtt", name), file_name=name
        )
    assert any(message in str(m) for m in caught.value.messages), caught.value.messages
    assert _counts() == before


def test_the_upload_page_shows_the_message_and_stores_nothing(client, communications):
    recording = RecordingFactory()
    client.cookies["django_language"] = "en"
    client.force_login(communications)
    before = _counts()
    upload = SimpleUploadedFile("no_header.vtt", _bad("vtt", "no_header.vtt"))

    response = client.post(
        reverse("recordings:upload", args=[recording.pk]),
        {"language": "fi", "file": upload},
        follow=True,
    )

    assert response.status_code in (200, 400)
    assert "is not a WebVTT file: line 1 must be “WEBVTT”" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("name", "finding"),
    [
        ("overlapping.vtt", "The cue overlaps the previous cue, which ends at 00:00:05.000."),
        ("reversed.vtt", "The cue starts before the previous cue (at 00:00:10.000)."),
        ("reversed.vtt", "The cue ends at or before its start."),
        ("huge_cue.vtt", "A line has 71999 characters (at most 42)."),
    ],
)
def test_broken_cues_are_named_and_block_publication(name, finding, communications):
    recording = RecordingFactory(availability="public")
    track = recording_services.store_track(
        recording=recording, language="fi", content=_bad("vtt", name), file_name=name
    )
    messages = [f.get("message", "") for f in track.findings]
    assert track.error_count > 0
    assert finding in " ".join(str(m) for m in messages) or _rendered(track, finding)

    with pytest.raises(PublicationBlockedError):
        publish(recording=recording, by=communications)
    recording.refresh_from_db()
    assert recording.publication_state == PublicationState.NOT_PUBLISHED


def _rendered(track, finding: str) -> bool:
    """Findings may be stored as code + params; render them the way the pages do."""
    for item in track.findings:
        template = MESSAGES.get(item.get("code"))
        if template and str(template) % item.get("params", {}) == finding:
            return True
    return False


def test_an_srt_renamed_vtt_is_converted_not_stored_as_is():
    recording = RecordingFactory()
    track = recording_services.store_track(
        recording=recording,
        language="fi",
        content=_bad("vtt", "srt_renamed.vtt"),
        file_name="srt_renamed.vtt",
    )
    assert track.vtt.startswith("WEBVTT")
    assert "00:00:01.000 --> 00:00:03.000" in track.vtt


# --- Teams attendance reports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cut_off.csv", "“cut_off.csv” is cut off or damaged: it cannot be read as UTF-16"),
        ("wrong_encoding.csv", "not a text file, so not a Teams attendance report"),
    ],
)
def test_broken_teams_reports_are_refused_and_nothing_is_saved(name, message, organiser):
    event = EventFactory()
    RegistrationFactory(event=event, user=None, email="tuomas.nieminen@typ.fi")
    before = _counts()

    with pytest.raises(attendance_services.AttendanceImportError) as caught:
        attendance_services.import_attendance(
            event=event, file_bytes=_bad("teams", name), file_name=name, by=organiser
        )

    assert message in str(caught.value.message)
    assert _counts() == before
    assert not Registration.objects.filter(attended__isnull=False).exists()
    event.refresh_from_db()
    assert event.anonymous_attendees == 0


@pytest.mark.parametrize(
    ("name", "matched", "unmatched"),
    [("another_locale_de.csv", 1, 2), ("no_email_column.csv", 0, 3)],
)  # Liisa (Organizer) and Matti (Presenter) are listed apart, not counted
def test_odd_teams_reports_are_previewed_first_and_save_nothing(
    name, matched, unmatched, organiser
):
    """German headings still match by e-mail; without e-mails nobody can be matched, and
    the preview (dry run, what the import page shows first) says so. Nothing is saved."""
    event = EventFactory()
    RegistrationFactory(event=event, user=None, email="tuomas.nieminen@typ.fi")
    before = _counts()

    result = attendance_services.import_attendance(
        event=event, file_bytes=_bad("teams", name), file_name=name, by=organiser, dry_run=True
    )

    assert result.saved is False
    assert (result.matched, result.unmatched) == (matched, unmatched)
    assert _counts() == before
    assert not Registration.objects.filter(attended__isnull=False).exists()


# --- member lists ---------------------------------------------------------------------------


def _import_page(client, coordinator, name: str):
    """Upload the file and go on through the steps as proposed (columns as recognised, an
    unknown organisation imported without one) to the page that shows the problems."""
    network = NetworkFactory()
    network.coordinators.add(coordinator)
    client.cookies["django_language"] = "en"
    client.force_login(coordinator)
    page = upload(client, network, _bad("members", name), name)
    assert page.context["step"] == "columns"
    page = step(client, network, page, "columns", proposed_columns(page))
    if page.context["step"] == "organisations":
        fields = organisation_fields(page).values()
        page = step(client, network, page, "organisations", dict.fromkeys(fields, imports.WITHOUT))
    return page


@pytest.mark.parametrize(
    ("name", "messages", "error_rows"),  # no error rows: the columns step refuses the file
    [
        (
            "missing_columns.csv",
            [
                "“missing_columns.csv”: the column names are on row 1,",
                "Choose the column that holds the e-mail address.",
            ],
            None,
        ),
        (
            "bad_emails.csv",
            [
                "“maija(at)kela.fi” is not a valid e-mail address.",
                "“pekka@” is not a valid e-mail address.",
                "The e-mail address is missing.",
            ],
            [2, 3, 4],
        ),
        ("duplicates.csv", ["The same e-mail address is already on row 2."], [3]),
    ],
)
def test_broken_member_lists_name_the_row_and_save_nothing(
    name, messages, error_rows, client, organiser
):
    before = _counts()

    response = _import_page(client, organiser, name)

    assert response.context["step"] == ("columns" if error_rows is None else "preview")
    page = response.content.decode()
    for message in messages:
        assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or (
            message in page
        ), message
    if error_rows is not None:
        assert [row.row for row in response.context["preview"].errors] == error_rows
    assert _counts() == before
    assert not OrganisationAlias.objects.exists()


# --- recording addresses ----------------------------------------------------------------------


def _platform_answer(saved: dict):
    cause = ExtractorError(saved["orig_msg"], expected=saved.get("expected", False))
    return DownloadError(saved["message"], exc_info=(type(cause), cause, None))


@pytest.mark.parametrize("case", json.loads((BAD / "urls.json").read_text()))
def test_bad_video_addresses_give_a_clear_message(case, monkeypatch, communications):
    saved = json.loads((BAD.parent / "ytdlp" / case["answer"]).read_text(encoding="utf-8"))

    def answer(url):
        raise _platform_answer(saved)

    monkeypatch.setattr(platform, "_extract_raw", answer)
    recording = recording_services.add_recording(url=case["url"], by=communications)

    outcome = recording_services.sync_from_platform(recording=recording)

    recording.refresh_from_db()
    assert outcome.ok is False and outcome.retry is False  # a person must act
    assert case["message"] in recording.last_error
    assert not recording.tracks.exists()
    with pytest.raises(PublicationBlockedError):
        publish(recording=recording, by=communications)


def test_an_address_that_is_not_a_web_address_saves_nothing(communications):
    before = _counts()
    with pytest.raises(recording_services.RecordingError) as caught:
        recording_services.add_recording(url="ftp://example.com/video.mp4", by=communications)
    assert "starting with https://" in str(caught.value.message)
    assert _counts() == before


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", json.loads((BAD / "dates.json").read_text()))
def test_impossible_event_times_are_refused_by_the_event_form(case, client, organiser):
    client.cookies["django_language"] = "en"
    client.force_login(organiser)
    page = client.get(reverse("events:organise_event_create"))
    form = page.context["form"]
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None
    }
    for name, field in form.fields.items():
        if name not in data and getattr(field, "choices", None) and field.required:
            data[name] = next(v for v, _label in field.choices if v not in ("", None))
    data.update(
        title="Bad times",
        starts_at=case["starts_at"],
        ends_at=case["ends_at"],
        meeting_url="https://teams.example/x",
        place="Kuopio",
    )
    before = _counts()

    response = client.post(reverse("events:organise_event_create"), data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert case["field"] in errors, (case, errors)
    assert _counts() == before
