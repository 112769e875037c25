"""Teams attendance reports: every format and encoding, merging, matching, idempotence."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from events import services, teams
from events.models import AttendanceImport, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "teams"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- the parser, file by file


def test_current_report_utf16_tab_en_us():
    data = fixture("report_en-us_utf16_tab.csv")
    assert data.startswith(b"\xff\xfe") and b"\r\n" not in data[:2]
    report = teams.parse_report(data)
    assert report.format == teams.FORMAT_REPORT
    assert report.meeting_title == "Kohtaamo: Työkyvyn tuki arjessa"
    people = {a.name: a for a in report.attendees}
    assert set(people) == {
        "Liisa Virtanen", "Matti Meikäläinen", "Anna Korhonen", "Pekka Mäkinen", "Sari Lyhyt",
        "Read.ai meeting notes", "Tuomas Nieminen",
    }  # fmt: skip
    assert people["Anna Korhonen"].is_guest and people["Anna Korhonen"].minutes == 52
    assert people["Matti Meikäläinen"].email == "matti.meikalainen@kunta.fi"
    assert people["Matti Meikäläinen"].seconds == 58 * 60 + 12
    assert people["Read.ai meeting notes"].is_bot
    assert people["Pekka Mäkinen"].email == "" and people["Pekka Mäkinen"].minutes == 42


def test_summary_2021_utf8_bom_comma_en_gb_merges_rejoins():
    report = teams.parse_report(fixture("summary-2021_en-gb_utf8-bom_comma.csv"))
    assert report.format == teams.FORMAT_SUMMARY_2021
    people = {a.name: a for a in report.attendees}
    assert "Virtanen, Liisa" in people  # the quoted comma stays in the name
    matti = people["Matti Meikäläinen"]
    assert (matti.joins, matti.seconds) == (2, 35 * 60)
    anna = people["Anna Korhonen"]
    assert (anna.joins, anna.seconds) == (2, 4 * 60 + 30)
    assert people["Fireflies.ai Notetaker"].is_bot
    assert people["Kaisa Lahtinen"].is_guest
    # 15/11/22 is day/month (en-GB, 24 h)
    assert people["Virtanen, Liisa"].first_join.isoformat() == "2022-11-15T13:58:02+02:00"


def test_old_attendance_list_sums_intervals():
    report = teams.parse_report(fixture("meetingAttendanceList_en-us_utf16_tab.csv"))
    assert report.format == teams.FORMAT_ATTENDANCE_LIST
    people = {a.name: a for a in report.attendees}
    assert people["Matti Meikäläinen"].seconds == 40 * 60  # 20 min + 20 min
    assert people["Matti Meikäläinen"].joins == 2
    assert people["Liisa Virtanen"].seconds == 60 * 60 + 30  # "Joined before"
    assert people["Otter.ai"].is_bot
    assert people["Anna Korhonen"].minutes == 3


def test_finnish_semicolon_report_with_finnish_dates_and_units():
    report = teams.parse_report(fixture("report_fi_utf8_semicolon.csv"))
    assert report.format == teams.FORMAT_REPORT
    people = {a.name: a for a in report.attendees}
    assert people["Liisa Virtanen"].seconds == 3600 + 60 + 40  # "1 t 1 min 40 s"
    assert people["Korhonen, Anna"].email == "anna.korhonen@jarjesto.fi"
    assert people["Liisa Virtanen"].first_join.isoformat() == "2026-06-03T13:59:30+03:00"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h 2m 3s", 3723), ("45m", 2700), ("12s", 12), ("1 t 2 min 3 s", 3723), ("1:02:03", 3723)],
)
def test_durations(text, seconds):
    assert teams.parse_duration(text, line=1, column="Duration") == seconds


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("7/22/26, 7:05:12 AM", "2026-07-22T07:05:12+03:00"),
        ("7/22/26, 7:05:12\u202fPM", "2026-07-22T19:05:12+03:00"),
        ("15/11/22, 09:30:17", "2022-11-15T09:30:17+02:00"),
        ("22.7.2026 klo 7.05.12", "2026-07-22T07:05:12+03:00"),
    ],
)
def test_dates_are_helsinki_time(text, iso):
    assert teams.parse_timestamp(text, line=1, column="x").isoformat() == iso


def test_bad_date_names_line_and_column():
    with pytest.raises(teams.TeamsReportError) as error:
        teams.parse_report(fixture("bad_date_line7.csv"))
    assert error.value.line == 7
    assert "line 7" in str(error.value) and "'32.13.2026 klo 13.58.40' is not a date" in str(
        error.value
    )
    assert "First Join" in str(error.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"Hello;World\r\nfoo;bar\r\n", "no Name column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not"),
        (b"Full Name\tUser Action\tTimestamp\r\n", "no participants"),
        (b"Full Name\tUser Action\tTimestamp\r\nLiisa\tWaved\t7/22/26, 7:05:12 AM\r\n", "Joined"),
    ],
)
def test_bad_files_get_a_clear_message(data, expected):
    with pytest.raises(teams.TeamsReportError) as error:
        teams.parse_report(data)
    assert expected in str(error.value)


def test_cut_off_file_names_the_line():
    with pytest.raises(teams.TeamsReportError) as error:
        teams.parse_report(fixture("cut_off_utf16.csv"))
    assert "line 14" in str(error.value) and "cut off" in str(error.value)


def test_not_a_report_fixture():
    with pytest.raises(teams.TeamsReportError) as error:
        teams.parse_report(fixture("not_a_report.csv"))
    assert "not a Teams attendance report" in str(error.value)


# --- the import service


@pytest.fixture
def event(db):
    event = EventFactory()
    RegistrationFactory(event=event, user=None, name="Matti", email="matti.meikalainen@kunta.fi")
    RegistrationFactory(event=event, user=None, name="Tuomas", email="tuomas.nieminen@typ.fi")
    RegistrationFactory(event=event, user=None, name="Sari", email="sari.lyhyt@kela.fi")
    RegistrationFactory(event=event, user=None, name="No show", email="noshow@example.fi")
    return event


def test_import_matches_registrations_and_counts_the_rest(event, organiser):
    result = services.import_attendance(
        event=event,
        file_bytes=fixture("report_en-us_utf16_tab.csv"),
        file_name="report.csv",
        by=organiser,
    )
    # Liisa, Matti, Anna, Pekka, Tuomas count; Sari 3 min too short; the bot is left out.
    assert (result.counted, result.matched, result.unmatched, result.too_short) == (5, 2, 3, 1)
    assert result.note_takers == 1
    event.refresh_from_db()
    assert event.anonymous_attendees == 3
    regs = {r.name: r for r in Registration.objects.filter(event=event)}
    assert regs["Matti"].attended is True and regs["Matti"].attendance_source == "teams"
    assert regs["Matti"].minutes_attended == 58
    assert regs["Sari"].attended is False and regs["Sari"].minutes_attended == 3
    assert regs["No show"].attended is None
    assert not Registration.objects.filter(event=event, name__icontains="Pekka").exists()


def test_same_file_twice_does_not_double(event, organiser):
    data = fixture("report_en-us_utf16_tab.csv")
    services.import_attendance(event=event, file_bytes=data, file_name="a.csv", by=organiser)
    with pytest.raises(services.AttendanceAlreadyImported) as error:
        services.import_attendance(event=event, file_bytes=data, file_name="b.csv", by=organiser)
    assert "already been imported" in str(error.value)
    event.refresh_from_db()
    assert event.anonymous_attendees == 3
    assert AttendanceImport.objects.filter(event=event).count() == 1


def test_second_different_file_counts_each_person_once(event, organiser):
    services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    result = services.import_attendance(
        event=event, file_bytes=fixture("report_fi_utf8_semicolon.csv"), file_name="b", by=None
    )
    # Liisa and Anna were already counted from the first file; Elina is new; Ville too short.
    assert (result.counted, result.unmatched, result.too_short) == (3, 3, 1)
    event.refresh_from_db()
    assert event.anonymous_attendees == 4  # Liisa, Anna, Pekka, Elina


def test_dry_run_and_bad_files_save_nothing(event, organiser):
    result = services.import_attendance(
        event=event,
        file_bytes=fixture("summary-2021_en-gb_utf8-bom_comma.csv"),
        file_name="s.csv",
        by=organiser,
        dry_run=True,
    )
    assert (result.counted, result.matched, result.too_short) == (3, 1, 1)
    assert result.saved is False
    with pytest.raises(services.AttendanceImportError) as error:
        services.import_attendance(
            event=event, file_bytes=fixture("bad_date_line7.csv"), file_name="x", by=organiser
        )
    assert error.value.line == 7
    event.refresh_from_db()
    assert event.anonymous_attendees == 0
    assert not AttendanceImport.objects.exists()
    assert not Registration.objects.filter(event=event, attended__isnull=False).exists()


def test_minimum_minutes_setting(event, organiser, settings):
    settings.ATTENDANCE_MIN_MINUTES = 45
    result = services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    # Pekka 42 min and Sari 3 min are too short now.
    assert (result.counted, result.too_short) == (4, 2)


def test_cancelled_registration_is_not_matched(event, organiser):
    Registration.objects.filter(email="tuomas.nieminen@typ.fi").update(
        status=RegistrationStatus.CANCELLED
    )
    result = services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    assert (result.matched, result.unmatched) == (1, 4)


# --- the command


def test_command_json_and_dry_run(event):
    out = StringIO()
    path = FIXTURES / "meetingAttendanceList_en-us_utf16_tab.csv"
    args = [event.pk, str(path), "--dry-run", "--format", "json"]
    call_command("import_attendance", *args, stdout=out)
    payload = json.loads(out.getvalue())
    assert {k: payload[k] for k in ("counted", "matched", "unmatched", "too_short")} == {
        "counted": 2,
        "matched": 0,
        "unmatched": 2,
        "too_short": 1,
    }
    assert payload["format"] == "attendance_list" and payload["saved"] is False
    assert not AttendanceImport.objects.exists()
    out = StringIO()
    call_command("import_attendance", event.pk, str(path), stdout=out)
    assert "counted 2" in out.getvalue()
    assert AttendanceImport.objects.count() == 1


def test_command_fails_on_bad_input(event):
    with pytest.raises(CommandError, match="line 7"):
        call_command("import_attendance", event.pk, str(FIXTURES / "bad_date_line7.csv"))
    with pytest.raises(CommandError, match="No event"):
        call_command("import_attendance", 999999, str(FIXTURES / "bad_date_line7.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_attendance", event.pk, str(FIXTURES / "missing.csv"))


# --- the page


def test_upload_preview_then_save(client, event, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    with (FIXTURES / "report_en-us_utf16_tab.csv").open("rb") as handle:
        response = client.post(url, {"file": handle, "action": "preview"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Matti Meikäläinen" in body and "Too short" in body
    assert not AttendanceImport.objects.exists()
    response = client.post(url, {"action": "save"}, follow=True)
    assert "Attendance saved: 5 counted" in response.content.decode()
    event.refresh_from_db()
    assert event.anonymous_attendees == 3


def test_upload_bad_file_shows_the_line(client, event, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    with (FIXTURES / "bad_date_line7.csv").open("rb") as handle:
        response = client.post(url, {"file": handle, "action": "preview"})
    assert response.status_code == 400
    assert "line 7" in response.content.decode()


def test_import_page_needs_the_ability(client, event, user):
    client.force_login(user)
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    assert client.get(url).status_code == 403
