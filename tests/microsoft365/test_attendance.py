"""Attendance reports from Graph, and the TeamsReport the import service takes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from events.attendance.teams import TeamsReport, clean_name, is_note_taker
from microsoft365.attendance import (
    FORMAT_GRAPH,
    FetchedReport,
    fetch_attendance,
    fingerprint,
    to_teams_report,
)
from microsoft365.errors import GraphError

from .graph_stub import load

MEETING = "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ"  # the documentation's meeting id
FIRST, SECOND = "c9b6db1c-d5eb-427d-a5c0-20088d9b22d7", "2c2c2454-7613-4d6e-9c7c-4cf7a6cdce89"
MIN_SECONDS = 5 * 60  # ATTENDANCE_MIN_MINUTES' default
UTC = dt.UTC


def serve_reports(stub):
    """The documented reports; the first has its records on two pages."""
    reports = stub.user("onlineMeetings", MEETING, "attendanceReports")
    stub.server.expect_request(reports, method="GET").respond_with_json(
        load("attendance_reports.jsonc")
    )
    first = f"{reports}/{FIRST}/attendanceRecords"
    page = load("attendance_records.jsonc")
    page["@odata.nextLink"] = f"{stub.origin}{first}?$skiptoken=M2UyZDAw"
    stub.server.expect_request(first, method="GET", query_string="").respond_with_json(page)
    stub.server.expect_request(
        first, method="GET", query_string={"$skiptoken": "M2UyZDAw"}
    ).respond_with_json(load("attendance_records_page2.jsonc"))
    second = f"{reports}/{SECOND}/attendanceRecords"
    stub.server.expect_request(second, method="GET").respond_with_json(
        {"value": load("attendance_records.jsonc")["value"][1:]}  # Lisa Adkins' session
    )


@pytest.fixture
def reports(stub, graph) -> list[FetchedReport]:
    serve_reports(stub)
    return fetch_attendance(online_meeting_id=MEETING, client=graph)


def test_every_report_is_fetched_with_all_pages_of_its_records(stub, reports):
    assert [r.report_id for r in reports] == [SECOND, FIRST]  # oldest first
    second, first = reports
    assert first.meeting_start == dt.datetime(2021, 10, 5, 4, 38, 23, 945000, tzinfo=UTC)
    assert first.meeting_end == dt.datetime(2021, 10, 5, 4, 43, 49, 770000, tzinfo=UTC)
    assert first.participant_count == 1
    assert len(first.records) == 2 + 8  # both pages
    assert [r.display_name for r in second.records] == ["Lisa Adkins"]
    frederick = first.records[0]
    assert frederick.email == "frederick.cormier@contoso.com"
    assert frederick.role == "Organizer"
    assert frederick.intervals[0].joined == dt.datetime(2021, 10, 5, 4, 38, 27, 602722, tzinfo=UTC)
    assert frederick.intervals[0].seconds == 322
    # every call was authorised with the one cached token
    assert len(stub.token_requests()) == 1


def test_no_report_yet_is_not_ready(stub, graph):
    stub.server.expect_request(
        stub.user("onlineMeetings", MEETING, "attendanceReports"), method="GET"
    ).respond_with_json({"value": []})

    with pytest.raises(GraphError) as raised:
        fetch_attendance(online_meeting_id=MEETING, client=graph)

    assert raised.value.kind == "not_ready"
    assert raised.value.transient
    assert "some minutes after the meeting" in str(raised.value)


def test_a_meeting_deleted_in_teams_is_not_found(stub, graph):
    stub.server.expect_request(
        stub.user("onlineMeetings", MEETING, "attendanceReports"), method="GET"
    ).respond_with_json(load("error_item_not_found.jsonc"), status=404)

    with pytest.raises(GraphError) as raised:
        fetch_attendance(online_meeting_id=MEETING, client=graph)

    assert raised.value.kind == "not_found"


def test_without_the_access_policy_the_reports_are_forbidden(stub, graph):
    stub.server.expect_request(
        stub.user("onlineMeetings", MEETING, "attendanceReports"), method="GET"
    ).respond_with_json(load("error_access_policy.jsonc"), status=403)

    with pytest.raises(GraphError) as raised:
        fetch_attendance(online_meeting_id=MEETING, client=graph)

    assert raised.value.kind == "forbidden"
    assert "Teams application access policy" in str(raised.value)


def test_the_meeting_can_be_found_by_its_join_url(stub, graph):
    meetings = load("online_meetings_by_join_url.jsonc")
    meeting_id = meetings["value"][0]["id"]  # with ':' and '@', as Teams makes them
    stub.server.expect_request(stub.user("onlineMeetings"), method="GET").respond_with_json(
        meetings
    )
    stub.server.expect_request(
        stub.user("onlineMeetings", meeting_id, "attendanceReports"), method="GET"
    ).respond_with_json({"value": []})

    with pytest.raises(GraphError, match="not available yet"):
        fetch_attendance(join_url="https://teams.microsoft.com/l/meetup-join/x", client=graph)

    assert stub.requests_to(stub.user("onlineMeetings", meeting_id, "attendanceReports"))


# --- the TeamsReport, against a computation of its own ------------------------------------


def seconds_present(record: dict) -> set[int]:
    """The whole seconds a record's person was in the meeting (an independent union: a set
    of instants, not sorted intervals)."""
    present = set()
    for interval in record["attendanceIntervals"]:
        if interval["joinDateTime"] and interval["leaveDateTime"]:
            start = dt.datetime.fromisoformat(interval["joinDateTime"]).timestamp()
            end = dt.datetime.fromisoformat(interval["leaveDateTime"]).timestamp()
            present |= set(range(int(start), int(end)))
    return present


def expected_people() -> dict[str, dict]:
    """Per person of report FIRST, from the raw records: who they are and how long they
    were there, decided without the code under test."""
    records = (
        load("attendance_records.jsonc")["value"] + load("attendance_records_page2.jsonc")["value"]
    )
    people: dict[str, dict] = {}
    for record in records:
        email = (record["emailAddress"] or "").lower()
        name = clean_name(record["identity"]["displayName"] or "")[0]
        key = email or name or record["identity"]["id"]
        person = people.setdefault(
            key, {"present": set(), "totals": 0, "role": record["role"], "raw": record}
        )
        person["present"] |= seconds_present(record)
        person["totals"] += record["totalAttendanceInSeconds"]
    for person in people.values():
        person["seconds"] = len(person["present"]) or person["totals"]
        raw = person["raw"]
        person["host"] = person["role"] in {"Organizer", "Presenter", "Coorganizer"}
        person["bot"] = is_note_taker(
            raw["identity"]["displayName"] or "", raw["emailAddress"] or ""
        )
        person["counted"] = (
            not person["host"] and not person["bot"] and person["seconds"] >= MIN_SECONDS
        )
    return people


def test_the_report_counts_the_same_people_and_minutes_as_the_records_say(reports):
    first = next(r for r in reports if r.report_id == FIRST)

    report = to_teams_report(first, title="Työkykykahvila")

    assert isinstance(report, TeamsReport)
    expected = expected_people()
    assert len(report.attendees) == len(expected) == 9  # Kalle's two devices are one person
    counted = {
        a.email or a.name
        for a in report.attendees
        if not a.is_bot and not a.is_host and a.seconds >= MIN_SECONDS
    }
    assert (
        counted
        == {key for key, person in expected.items() if person["counted"]}
        == {"aino.virtanen@hyvis.example", "Matti Meikäläinen", "Liisa"}
    )
    by_key = {a.email or a.name: a for a in report.attendees}
    for key, person in expected.items():
        if key in by_key:
            assert by_key[key].seconds == person["seconds"], key
            assert by_key[key].minutes == person["seconds"] // 60, key
    # re-joins overlap: the union, not Graph's sum (370 s)
    assert by_key["aino.virtanen@hyvis.example"].seconds == 310
    assert by_key["aino.virtanen@hyvis.example"].joins == 2
    # two devices: 298 s together, not 318, so under the five minutes
    assert by_key["kalle@partner.example"].seconds == 298
    assert by_key["kalle@partner.example"].name == "Kalle Ulkoinen"
    assert by_key["kalle@partner.example"].is_guest


def test_the_report_has_the_structure_the_file_parser_builds(reports):
    first = next(r for r in reports if r.report_id == FIRST)

    report = to_teams_report(first, title="Työkykykahvila")

    assert report.format == FORMAT_GRAPH
    assert report.meeting_title == "Työkykykahvila"
    assert report.rows_read == 10
    assert report.meeting_start == first.meeting_start
    assert report.meeting_end == first.meeting_end
    assert [a.name for a in report.attendees] == sorted(
        (a.name for a in report.attendees), key=str.casefold
    )
    hosts = {a.name: a.role for a in report.attendees if a.is_host}
    assert hosts == {
        "Frederick Cormier": "Organizer",
        "Lisa Adkins": "Presenter",
        "Pekka Järjestäjä": "Coorganizer",
    }
    frederick = next(a for a in report.attendees if a.name == "Frederick Cormier")
    assert frederick.key == "email:frederick.cormier@contoso.com"
    assert frederick.first_join == dt.datetime(2021, 10, 5, 4, 38, 27, 602722, tzinfo=UTC)
    assert frederick.seconds == 322


def test_guests_and_anonymous_people_without_e_mail_keep_their_names(reports):
    report = to_teams_report(next(r for r in reports if r.report_id == FIRST))
    people = {a.key: a for a in report.attendees}

    matti = people["name:matti meikäläinen"]
    assert (matti.name, matti.email, matti.is_guest) == ("Matti Meikäläinen", "", True)
    liisa = people["name:liisa"]  # "(Unverified)" and no intervals: Graph's total counts
    assert (liisa.seconds, liisa.is_guest, liisa.first_join) == (301, True, None)
    nameless = people["id:8:teamsvisitor:9e8d7c6b5a4f3e2d"]
    assert nameless.name == "Anonymous participant"
    assert nameless.email == ""
    assert nameless.seconds == 270
    bot = people["name:fireflies.ai notetaker"]
    assert bot.is_bot
    assert not people["email:aino.virtanen@hyvis.example"].is_guest


def test_two_sessions_make_one_report_with_each_person_once(reports):
    report = to_teams_report(reports)

    assert report.rows_read == 11
    # The documentation lists Lisa Adkins' join in both reports: the same time counts once.
    [lisa] = [a for a in report.attendees if a.name == "Lisa Adkins"]
    assert lisa.seconds == 314
    assert lisa.joins == 2
    assert report.meeting_start == reports[0].meeting_start
    assert report.meeting_end == reports[1].meeting_end


def test_the_fingerprint_is_stable_and_tells_reports_apart(reports):
    first = next(r for r in reports if r.report_id == FIRST)
    shuffled = dataclasses.replace(first, records=tuple(reversed(first.records)))
    shorter = dataclasses.replace(first, records=first.records[:-1])

    value = fingerprint(first)

    assert len(value) == 64
    assert set(value) <= set("0123456789abcdef")
    assert fingerprint(shuffled) == value
    assert fingerprint(shorter) != value
    assert fingerprint(reports) == fingerprint(list(reversed(reports))) != value
    assert fingerprint(first) == value
