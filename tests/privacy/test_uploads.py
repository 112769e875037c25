"""Uploads are judged by their content and size, never by their name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.functional import Promise
from openpyxl import Workbook

from events.planning.services import MaterialError, add_material
from kohtaamo.uploads import read_text, sniff_upload
from tests.factories import EventFactory

VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHei kaikki\n"
SRT = b"1\n00:00:01,000 --> 00:00:03,000\nHei kaikki\n"
CSV = "Nimi;Sähköposti\nMaija;maija@example.fi\n"
TEAMS = "1. Summary\nMeeting title\tKohtaamo\n\n2. Participants\nName\tEmail\n"


def _file(data: bytes, name: str = "upload.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["Nimi", "Sähköposti"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "allowed", "kind"),
    [
        (b"%PDF-1.7\n%...", {"pdf"}, "pdf"),
        (_xlsx(), {"xlsx", "csv"}, "xlsx"),
        (VTT, {"webvtt"}, "webvtt"),
        (b"\xef\xbb\xbf" + VTT, {"webvtt"}, "webvtt"),
        (b"WEBVTT", {"webvtt"}, "webvtt"),
        (SRT, {"srt", "webvtt"}, "srt"),
        (CSV.encode("utf-8"), {"csv"}, "csv"),
        (CSV.encode("utf-8-sig"), {"csv"}, "csv"),
        (CSV.encode("utf-16"), {"csv"}, "csv"),
        (TEAMS.encode("utf-16"), {"teams-report", "xlsx"}, "teams-report"),
        (TEAMS.encode("utf-16"), {"csv"}, "csv"),
        (CSV.encode("utf-8"), {"teams-report"}, "teams-report"),
    ],
)
def test_kind_comes_from_the_content(data, allowed, kind, settings):
    upload = _file(data, name="misleading.exe")

    assert sniff_upload(upload, allowed=allowed, max_bytes=10_000_000) == kind
    assert upload.read() == data  # left at the start for the caller


def _refusal(data: bytes, allowed: set[str], name: str = "file.txt", **kwargs) -> str:
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            sniff_upload(_file(data, name), allowed=allowed, **kwargs)
        return caught.value.messages[0]  # lazy: rendered in the language active here


def test_a_pdf_renamed_vtt_is_refused():
    message = _refusal(b"%PDF-1.4 ...", {"webvtt"}, name="captions.vtt")
    assert message == "“captions.vtt” is a PDF document by its content; expected WebVTT captions."


def test_an_srt_renamed_vtt_gets_a_specific_message():
    message = _refusal(SRT, {"webvtt"}, name="captions.vtt")
    assert "is an SRT file, not WebVTT" in message


def test_text_without_the_webvtt_header_names_line_one():
    message = _refusal(b"00:00:01.000 --> 00:00:02.000\nHei\n", {"webvtt"}, name="a.vtt")
    assert message == (
        "“a.vtt” is not a WebVTT file: line 1 must be “WEBVTT”, but it is "
        "“00:00:01.000 --> 00:00:02.000”."
    )


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \n\n", "\ufeff".encode("utf-16")])
def test_empty_and_bom_only_files_are_refused(data):
    message = _refusal(data, {"webvtt", "csv"}, name="empty.vtt")
    assert message.startswith("“empty.vtt”")
    assert "empty" in message or "no content" in message


def test_an_xlsx_renamed_csv_or_a_word_file_renamed_xlsx():
    assert "Excel workbook" in _refusal(_xlsx(), {"csv"}, name="members.csv")
    assert "another Office document" in _refusal(_docx_like(), {"xlsx"}, name="members.xlsx")


def test_binary_data_is_not_text():
    message = _refusal(b"\x89PNG\r\n\x1a\n\xff\xfe\xfa", {"csv"}, name="members.csv")
    assert "cannot be read as text" in message


def test_size_limit_from_settings_and_argument(settings):
    settings.MAX_UPLOAD_BYTES = 100
    message = _refusal(b"a;b\n" * 50, {"csv"}, name="big.csv")
    assert message.startswith("“big.csv” is too large (200")
    assert "100" in message
    assert sniff_upload(_file(b"a;b\n" * 50), allowed={"csv"}, max_bytes=1000) == "csv"


def test_messages_go_through_gettext():
    with pytest.raises(ValidationError) as caught:
        sniff_upload(_file(b"%PDF-1.4", "x.vtt"), allowed={"webvtt"})
    error = caught.value.error_list[0]
    assert isinstance(error.message, Promise)  # gettext_lazy: rendered in the reader's language
    assert error.code == "wrong_content"


def test_read_text_decodes_utf16_and_strips_the_bom():
    assert read_text(_file(CSV.encode("utf-16"))) == CSV
    assert read_text(_file(CSV.encode("utf-8-sig"))) == CSV
    with pytest.raises(ValidationError):
        read_text(_file(b"\xff\xd8\xff\xe0 jpeg"))


@pytest.mark.django_db
def test_slides_must_start_like_a_pdf_and_are_stored_as_pdf(organiser):
    event = EventFactory()
    sneaky = _file(b"<html><!-- %PDF-1.4 --><script>alert(1)</script></html>", "x.html")
    with pytest.raises(MaterialError):
        add_material(event=event, by=organiser, title="Slides", file=sneaky)
    assert not event.materials.exists()

    material = add_material(
        event=event, by=organiser, title="Slides", file=_file(b"%PDF-1.7\n%%EOF\n", "x.html")
    )
    assert material.file.name.endswith("/x.pdf")
