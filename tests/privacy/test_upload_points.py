"""Every upload point goes through the one check, `kohtaamo.uploads.check_upload`.

Slides, Teams attendance reports, member lists, caption files and caption deliveries: each
page answers a file that is something else by its content, and a file over that point's
size limit (`UPLOAD_LIMITS`), with the helper's own message, and saves nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import AttendanceImport, EventMaterial
from networks.models import Membership
from recordings import services as recording_services
from recordings.models import CaptionTrack
from tests.factories import EventFactory, NetworkFactory, RecordingFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHei kaikki\n"
TEAMS = "1. Summary\nMeeting title\tKohtaamo\n\n2. Participants\nName\tEmail\n".encode("utf-16")
MEMBERS = "nimi;sähköposti\nMaija;maija@example.fi\n".encode()


def _slides(organiser, communications):
    event = EventFactory()
    url = reverse("events:organise_event_materials", args=[event.pk])
    return organiser, url, {"title": "Diat"}, "x.pdf", PDF, "a PDF document"


def _teams(organiser, communications):
    event = EventFactory()
    url = reverse("events:organise_attendance_import", args=[event.pk])
    return organiser, url, {}, "report.csv", TEAMS, "a Teams attendance report"


def _members(organiser, communications):
    network = NetworkFactory()
    network.coordinators.add(organiser)
    url = f"/networks/{network.slug}/manage/import/"
    return organiser, url, {}, "members.csv", MEMBERS, "a CSV or text file, an Excel workbook"


def _captions(organiser, communications):
    recording = RecordingFactory()
    url = reverse("recordings:upload", args=[recording.pk])
    return communications, url, {"language": "fi"}, "captions.vtt", VTT, "SRT captions, WebVTT"


def _delivery(organiser, communications):
    recording = RecordingFactory()
    order = recording_services.order_captions(recording=recording, vendor="V", minutes=Decimal(1))
    url = reverse("recordings:deliver", args=[recording.pk, order.pk])
    return communications, url, {}, "captions.vtt", VTT, "SRT captions, WebVTT"


POINTS = {
    "slides": _slides,
    "teams-report": _teams,
    "member-list": _members,
    "captions": _captions,
    "caption-delivery": _delivery,
}


def _saved() -> dict[str, int]:
    models = (EventMaterial, AttendanceImport, Membership, CaptionTrack)
    return {model.__name__: model.objects.count() for model in models}


def _post(client, user, url, data, upload) -> str:
    client.cookies["django_language"] = "en"
    client.force_login(user)
    response = client.post(url, {**data, "file": upload}, follow=True)
    assert response.status_code in (200, 400)
    return response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")


@pytest.mark.parametrize("point", sorted(POINTS))
def test_a_file_of_another_kind_is_refused_by_its_content(point, client, organiser, communications):
    user, url, data, name, _good, expected = POINTS[point](organiser, communications)
    before = _saved()
    # A spreadsheet or a PDF renamed to what the page asks for.
    other = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" if point != "slides" else VTT
    page = _post(client, user, url, data, SimpleUploadedFile(name, other))
    if point == "slides":
        assert f"“{name}” is WebVTT captions by its content; expected {expected}." in page
    else:
        assert f"“{name}” cannot be read as text. Save it as UTF-8 or UTF-16 text" in page
    assert _saved() == before


@pytest.mark.parametrize("point", sorted(POINTS))
def test_each_point_has_its_size_limit_from_settings(
    point, client, organiser, communications, settings
):
    user, url, data, name, good, _expected = POINTS[point](organiser, communications)
    kind = "captions" if point == "caption-delivery" else point
    settings.UPLOAD_LIMITS = {kind: len(good) - 1}
    before = _saved()
    page = _post(client, user, url, data, SimpleUploadedFile(name, good))
    assert f"“{name}” is too large ({len(good)}" in page
    assert f"the largest file accepted is {len(good) - 1}" in page
    assert _saved() == before
