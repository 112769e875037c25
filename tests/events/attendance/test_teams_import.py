"""Teams attendance reports: every format and encoding, merging, matching, idempotence."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry
from events.attendance import services as attendance_services
from events.attendance import teams
from events.models import AttendanceImport, Registration, RegistrationStatus
from tests.factories import HELSINKI, EventFactory, RegistrationFactory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "teams"


@pytest.fixture(autouse=True)
def _english():
    """The messages below are read in English (the pages set their language by cookie)."""
    with translation.override("en"):
        yield


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


# The session the report_en-us fixtures are of: 22.7.2026 14.00–15.00 Helsinki time.
SESSION_START = dt.datetime(2026, 7, 22, 14, 0, tzinfo=HELSINKI)


@pytest.fixture
def event(db):
    event = EventFactory(
        title="Työkyvyn tuki arjessa",
        starts_at=SESSION_START,
        ends_at=SESSION_START + dt.timedelta(hours=1),
    )
    RegistrationFactory(event=event, user=None, name="Matti", email="matti.meikalainen@kunta.fi")
    RegistrationFactory(event=event, user=None, name="Tuomas", email="tuomas.nieminen@typ.fi")
    RegistrationFactory(event=event, user=None, name="Sari", email="sari.lyhyt@kela.fi")
    RegistrationFactory(event=event, user=None, name="No show", email="noshow@example.fi")
    return event


def test_import_matches_registrations_and_counts_the_rest(event, organiser):
    result = attendance_services.import_attendance(
        event=event,
        file_bytes=fixture("report_en-us_utf16_tab.csv"),
        file_name="report.csv",
        by=organiser,
    )
    # Anna, Pekka, Tuomas count; Sari 3 min too short; the bot is left out; Liisa
    # (Organizer) and Matti (Presenter) run the session and are not participants.
    assert (result.counted, result.matched, result.unmatched, result.too_short) == (3, 1, 2, 1)
    assert (result.note_takers, result.hosts) == (1, 2)
    assert result.mismatches == [] and result.merge is None
    event.refresh_from_db()
    assert event.anonymous_attendees == 2
    regs = {r.name: r for r in Registration.objects.filter(event=event)}
    assert regs["Tuomas"].attended is True and regs["Tuomas"].attendance_source == "teams"
    assert regs["Tuomas"].minutes_attended == 50
    assert regs["Matti"].attended is None  # a presenter is not marked as a participant
    assert regs["Sari"].attended is False and regs["Sari"].minutes_attended == 3
    assert regs["No show"].attended is None
    assert not Registration.objects.filter(event=event, name__icontains="Pekka").exists()


def test_organisers_and_presenters_count_when_the_organiser_chooses(event, organiser):
    result = attendance_services.import_attendance(
        event=event,
        file_bytes=fixture("report_en-us_utf16_tab.csv"),
        file_name="report.csv",
        by=organiser,
        count_hosts=True,
    )
    assert (result.counted, result.matched, result.unmatched, result.hosts) == (5, 2, 3, 0)
    assert {p.name for p in result.host_people} == {"Liisa Virtanen", "Matti Meikäläinen"}
    matti = Registration.objects.get(event=event, name="Matti")
    assert matti.attended is True and matti.minutes_attended == 58


def test_same_file_twice_does_not_double(event, organiser):
    data = fixture("report_en-us_utf16_tab.csv")
    attendance_services.import_attendance(
        event=event, file_bytes=data, file_name="a.csv", by=organiser
    )
    with pytest.raises(attendance_services.AttendanceAlreadyImportedError) as error:
        attendance_services.import_attendance(
            event=event, file_bytes=data, file_name="b.csv", by=organiser
        )
    assert "already been imported" in str(error.value)
    event.refresh_from_db()
    assert event.anonymous_attendees == 2
    assert AttendanceImport.objects.filter(event=event).count() == 1


def test_second_different_file_counts_each_person_once(event, organiser):
    attendance_services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    result = attendance_services.import_attendance(
        event=event,
        file_bytes=fixture("report_fi_utf8_semicolon.csv"),
        file_name="b",
        by=None,
        merge=True,
        belongs_to_event=True,
        reason="Teams split the session into two meetings.",
    )
    # Anna was already counted from the first file; Elina is new; Ville too short; Liisa
    # is the organiser (Järjestäjä).
    assert (result.counted, result.unmatched, result.too_short, result.hosts) == (2, 2, 1, 1)
    assert [p.name for p in result.merge.added] == ["Elina Heikkinen"]
    event.refresh_from_db()
    assert event.anonymous_attendees == 3  # Anna, Pekka, Elina


def test_dry_run_and_bad_files_save_nothing(event, organiser):
    result = attendance_services.import_attendance(
        event=event,
        file_bytes=fixture("summary-2021_en-gb_utf8-bom_comma.csv"),
        file_name="s.csv",
        by=organiser,
        dry_run=True,
    )
    # Matti and Kaisa count (Liisa is the organiser); Anna is too short.
    assert (result.counted, result.matched, result.too_short, result.hosts) == (2, 1, 1, 1)
    assert result.saved is False
    with pytest.raises(attendance_services.AttendanceImportError) as error:
        attendance_services.import_attendance(
            event=event, file_bytes=fixture("bad_date_line7.csv"), file_name="x", by=organiser
        )
    assert error.value.line == 7
    event.refresh_from_db()
    assert event.anonymous_attendees == 0
    assert not AttendanceImport.objects.exists()
    assert not Registration.objects.filter(event=event, attended__isnull=False).exists()


def test_minimum_minutes_setting(event, organiser, settings):
    settings.ATTENDANCE_MIN_MINUTES = 45
    result = attendance_services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    # Pekka 42 min and Sari 3 min are too short now.
    assert (result.counted, result.too_short) == (2, 2)


def test_cancelled_registration_is_not_matched(event, organiser):
    Registration.objects.filter(email="tuomas.nieminen@typ.fi").update(
        status=RegistrationStatus.CANCELLED
    )
    result = attendance_services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    assert (result.matched, result.unmatched) == (0, 3)


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
    assert "started on 11 Mar 2021 13:59" in payload["mismatches"][0]
    with pytest.raises(CommandError, match=r"another meeting|started on"):
        call_command("import_attendance", event.pk, str(path), stdout=StringIO())
    assert not AttendanceImport.objects.exists()
    out = StringIO()
    reason = "The old list of this session, exported late."
    call_command("import_attendance", event.pk, str(path), "--belongs-to-event", reason, stdout=out)
    assert "counted 2" in out.getvalue()
    assert AttendanceImport.objects.count() == 1
    assert AuditEntry.objects.get(action="attendance.teams_report_confirmed").details["reason"] == (
        reason
    )


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
    assert "Attendance saved: 3 counted" in response.content.decode()
    event.refresh_from_db()
    assert event.anonymous_attendees == 2


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


# --- a report of another meeting, organisers and presenters, re-joins, a second report

OTHER_MEETING = "report_fi_utf16_tab_other_meeting.csv"  # 15.7.2026, another title
ROLES_REJOINS = "report_en-us_utf16_tab_roles_rejoins.csv"  # this session, hosts, re-joins


def _page(client, organiser, event, language="en"):
    client.force_login(organiser)
    client.cookies["django_language"] = language
    return reverse("events:organise_attendance_import", kwargs={"pk": event.pk})


def _preview(client, url, name, **extra):
    with (FIXTURES / name).open("rb") as handle:
        return client.post(url, {"file": handle, "action": "preview", **extra})


def _nothing_saved(event):
    event.refresh_from_db()
    assert not AttendanceImport.objects.filter(event=event).exists()
    assert event.anonymous_attendees == 0
    assert not Registration.objects.filter(event=event, attended__isnull=False).exists()


def test_new_fixtures_are_saved_as_teams_saves_them():
    for name in (OTHER_MEETING, ROLES_REJOINS, "report_sv_utf16_tab_other_title.csv"):
        data = fixture(name)
        assert data.startswith(b"\xff\xfe") and "\t" in data.decode("utf-16")
        assert "\r\n" in data.decode("utf-16")


def test_report_of_a_week_earlier_is_refused_naming_both_dates(client, event, organiser):
    url = _page(client, organiser, event, "fi")
    response = _preview(client, url, OTHER_MEETING)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Raportin kokous alkoi 15.7.2026 klo 14.00" in body
    assert "tapahtuma alkaa 22.7.2026 klo 14.00" in body
    assert "Kohtaamo: Mielenterveys työpaikalla" in body  # the other title is named too
    assert "Tämä raportti voi olla toisesta kokouksesta" in body

    response = client.post(url, {"action": "save"})  # saving without confirming is refused

    assert response.status_code == 400
    body = response.content.decode()
    assert "15.7.2026 klo 14.00" in body and "22.7.2026 klo 14.00" in body
    _nothing_saved(event)
    assert not AuditEntry.objects.filter(action__startswith="attendance.teams").exists()


def test_confirming_another_meeting_needs_a_reason_and_is_audited(client, event, organiser):
    url = _page(client, organiser, event, "en")
    _preview(client, url, OTHER_MEETING)

    response = client.post(url, {"action": "save", "confirm-belongs_to_event": "on"})
    assert response.status_code == 400
    assert "Say why this report belongs to this event" in response.content.decode()
    _nothing_saved(event)

    reason = "The session was moved from 15 July; the old meeting link was used."
    response = client.post(
        url,
        {"action": "save", "confirm-belongs_to_event": "on", "confirm-reason": reason},
        follow=True,
    )

    assert "Attendance saved: 2 counted" in response.content.decode()  # Matti and Outi
    event.refresh_from_db()
    assert AttendanceImport.objects.filter(event=event).count() == 1
    assert Registration.objects.get(event=event, name="Matti").attended is True
    entry = AuditEntry.objects.get(action="attendance.teams_report_confirmed")
    assert entry.actor == organiser and entry.object_id == str(event.pk)
    assert entry.details["reason"] == reason
    assert set(entry.details["differences"]) == {"start", "title"}
    assert entry.details["report_start"] == "2026-07-15T14:00:12+03:00"
    assert entry.details["event_start"] == SESSION_START.isoformat()


def test_report_with_another_title_is_refused(event, organiser):
    with pytest.raises(attendance_services.AttendanceReportMismatchError) as error:
        attendance_services.import_attendance(
            event=event,
            file_bytes=fixture("report_sv_utf16_tab_other_title.csv"),
            file_name="sv.csv",
            by=organiser,
        )
    assert [m.kind for m in error.value.mismatches] == ["title"]  # the date is right
    assert "“Veckomöte för teamet”, but the event is “Työkyvyn tuki arjessa”" in str(error.value)
    _nothing_saved(event)


def test_swedish_page_names_the_other_title(client, event, organiser):
    url = _page(client, organiser, event, "sv")
    body = _preview(client, url, "report_sv_utf16_tab_other_title.csv").content.decode()
    assert "Veckomöte för teamet" in body and "Työkyvyn tuki arjessa" in body
    assert "Lena Ek" in body and "Organisatör" in body  # listed apart as the organiser


def test_title_is_compared_ignoring_case_and_spacing(event, organiser):
    # "Kohtaamo:  työkyvyn TUKI arjessa" holds the event's "Työkyvyn tuki arjessa".
    result = attendance_services.import_attendance(
        event=event, file_bytes=fixture(ROLES_REJOINS), file_name="r.csv", by=organiser
    )
    assert result.mismatches == [] and result.saved


def test_tolerance_is_a_setting(event, organiser, settings):
    event.starts_at = SESSION_START + dt.timedelta(minutes=90)
    event.ends_at = event.starts_at + dt.timedelta(hours=1)
    event.save()
    data = fixture(ROLES_REJOINS)
    args = {"event": event, "file_bytes": data, "file_name": "r.csv", "by": organiser}
    assert attendance_services.import_attendance(**args, dry_run=True).mismatches == []
    settings.ATTENDANCE_REPORT_TOLERANCE_MINUTES = 60
    assert [
        m.kind for m in attendance_services.import_attendance(**args, dry_run=True).mismatches
    ] == ["start"]


def test_old_attendance_list_is_dated_by_its_first_join_and_last_leave(organiser):
    report = teams.parse_report(fixture("meetingAttendanceList_en-us_utf16_tab.csv"))
    assert report.meeting_start.isoformat() == "2021-03-11T13:59:40+02:00"
    assert report.meeting_end.isoformat() == "2021-03-11T15:00:10+02:00"
    start = dt.datetime(2021, 3, 11, 14, 0, tzinfo=HELSINKI)
    right = EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    wrong = EventFactory(starts_at=SESSION_START, ends_at=SESSION_START + dt.timedelta(hours=1))
    data = fixture("meetingAttendanceList_en-us_utf16_tab.csv")
    ok = attendance_services.import_attendance(
        event=right, file_bytes=data, file_name="l", by=organiser
    )
    assert ok.saved and ok.mismatches == []
    with pytest.raises(
        attendance_services.AttendanceReportMismatchError, match="started on 11 Mar 2021 13:59"
    ):
        attendance_services.import_attendance(
            event=wrong, file_bytes=data, file_name="l", by=organiser
        )


@pytest.mark.parametrize(
    "role",
    [
        "Organizer", "Co-organizer", "Presenter", "Järjestäjä", "Toinen järjestäjä",
        "Apujärjestäjä", "Esittäjä", "Organisatör", "Medorganisatör", "Presentatör",
        "co-ORGANIZER ",
    ],
)  # fmt: skip
def test_host_roles(role):
    assert teams.Attendee(key="k", name="n", role=role).is_host
    assert not teams.Attendee(key="k", name="n", role="Attendee").is_host
    assert not teams.Attendee(key="k", name="n", role="Osallistuja").is_host


def test_organisers_and_presenters_are_listed_apart_and_not_counted(client, event, organiser):
    url = _page(client, organiser, event, "en")
    body = _preview(client, url, ROLES_REJOINS).content.decode()
    participants, hosts = body.split('<table id="hosts">')
    hosts = hosts.split("</table>")[0]
    for name, role in [
        ("Liisa Virtanen", "Organizer"),
        ("Jussi Apulainen", "Co-organizer"),
        ("Päivi Puhuja", "Presenter"),
    ]:
        assert name in hosts and role in hosts and name not in participants
    assert "Organisers and presenters (not counted as participants)" in hosts
    response = client.post(url, {"action": "save"}, follow=True)
    # Tuomas, Anna, Kalle and Helmi; not the three who ran the session.
    assert "Attendance saved: 4 counted" in response.content.decode()
    assert AttendanceImport.objects.get(event=event).counted == 4


def test_organiser_may_choose_to_count_organisers_and_presenters(client, event, organiser):
    url = _page(client, organiser, event, "en")
    body = _preview(client, url, ROLES_REJOINS, count_hosts="on").content.decode()
    assert "Organisers and presenters (counted as you chose)" in body
    response = client.post(url, {"action": "save"}, follow=True)
    assert "Attendance saved: 7 counted" in response.content.decode()


def test_several_activity_rows_are_that_many_joins(client, event, organiser):
    people = {a.name: a for a in teams.parse_report(fixture(ROLES_REJOINS)).attendees}
    assert (people["Kalle Kolmesti"].joins, people["Kalle Kolmesti"].minutes) == (3, 40)
    assert people["Tuomas Nieminen"].joins == 2 and people["Liisa Virtanen"].joins == 1
    url = _page(client, organiser, event, "en")
    body = _preview(client, url, ROLES_REJOINS).content.decode()
    kalle = body.split("Kalle Kolmesti</th>")[1].split("</tr>")[0]
    assert '<td class="num">40</td>' in kalle and '<td class="num">3</td>' in kalle


def test_second_report_is_shown_as_a_merge_and_applied_on_confirmation(client, event, organiser):
    attendance_services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )  # counted Anna, Pekka, Tuomas (registered)
    url = _page(client, organiser, event, "en")

    body = _preview(client, url, ROLES_REJOINS).content.decode()

    assert "Merge with the reports already imported" in body
    assert "This event already has 1 imported Teams report." in body
    added = body.split('<ul class="merge-added">')[1].split("</ul>")[0]
    assert "Kalle Kolmesti" in added and "Helmi Uusi" in added
    assert "Tuomas" not in added and "Anna" not in added  # counted already
    counts = body.split("Counts before and after the merge")[1].split("</table>")[0]
    assert '<td class="num">3</td><td class="num">5</td>' in counts  # counted
    assert '<td class="num">2</td><td class="num">4</td>' in counts  # without registration
    assert "Merge and save the attendance" in body
    assert AttendanceImport.objects.filter(event=event).count() == 1

    refused = client.post(url, {"action": "save", "confirm-merge": ""})  # no merge confirmed
    assert refused.status_code == 400 and "confirm the merge" in refused.content.decode()
    assert AttendanceImport.objects.filter(event=event).count() == 1

    response = client.post(url, {"action": "save", "confirm-merge": "True"}, follow=True)

    assert "Attendance saved" in response.content.decode()
    event.refresh_from_db()
    assert AttendanceImport.objects.filter(event=event).count() == 2
    assert event.anonymous_attendees == 4  # Anna, Pekka, Kalle, Helmi
    entry = AuditEntry.objects.filter(action="attendance.teams_imported").latest("pk")
    assert entry.details["merged_with_files"] == 1


def test_a_second_report_is_never_merged_silently(event, organiser):
    attendance_services.import_attendance(
        event=event, file_bytes=fixture("report_en-us_utf16_tab.csv"), file_name="a", by=organiser
    )
    with pytest.raises(attendance_services.AttendanceMergeNotConfirmedError):
        attendance_services.import_attendance(
            event=event, file_bytes=fixture(ROLES_REJOINS), file_name="b", by=organiser
        )
    event.refresh_from_db()
    assert AttendanceImport.objects.filter(event=event).count() == 1
    assert event.anonymous_attendees == 2
