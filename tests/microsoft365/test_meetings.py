"""Teams meetings in the organiser's calendar: what Graph receives, and what comes back."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from microsoft365.errors import GraphError
from microsoft365.meetings import (
    LOOKUP_WAITS_SECONDS,
    MeetingRef,
    cancel_meeting,
    create_meeting,
    find_online_meeting_id,
    odata_string,
    update_meeting,
)

from .graph_stub import load

HELSINKI = ZoneInfo("Europe/Helsinki")
# A winter and a summer date: the UTC offset differs (+2 / +3).
WINTER_START = dt.datetime(2026, 11, 23, 14, 0, tzinfo=HELSINKI)
SUMMER_START = dt.datetime(2027, 6, 1, 9, 30, tzinfo=HELSINKI)
EVENT = load("event_created_online_meeting.jsonc")
JOIN_URL = EVENT["onlineMeeting"]["joinUrl"]
MEETINGS = load("online_meetings_by_join_url.jsonc")
MEETING_ID = MEETINGS["value"][0]["id"]


def body(request) -> dict:
    return json.loads(request.get_data(as_text=True))


def serve_created_event(stub, event=EVENT):
    stub.server.expect_request(stub.user("events"), method="POST").respond_with_json(
        event, status=201
    )
    stub.server.expect_request(
        stub.user("onlineMeetings"),
        method="GET",
        query_string={"$filter": f"JoinWebUrl eq '{JOIN_URL}'"},
    ).respond_with_json(MEETINGS)


def test_create_meeting_posts_a_teams_event_in_utc_and_finds_its_online_meeting(stub, graph):
    serve_created_event(stub)

    meeting = create_meeting(
        subject="Työkykykahvila: palautuminen",
        start=WINTER_START,
        end=WINTER_START + dt.timedelta(hours=1, minutes=30),
        body_html="<p>Tervetuloa!</p>",
        client=graph,
    )

    assert meeting == MeetingRef(
        calendar_event_id="AAMkAGI1AAAt8AHjAAA=", online_meeting_id=MEETING_ID, join_url=JOIN_URL
    )
    [posted] = stub.requests_to(stub.user("events"), "POST")
    assert body(posted) == {
        "subject": "Työkykykahvila: palautuminen",
        "start": {"dateTime": "2026-11-23T12:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-23T13:30:00", "timeZone": "UTC"},
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
        "body": {"contentType": "HTML", "content": "<p>Tervetuloa!</p>"},
    }
    assert posted.headers["Content-Type"] == "application/json"


def test_the_join_url_lookup_is_an_odata_filter_encoded_as_graph_documents_it(stub, graph):
    serve_created_event(stub)

    assert find_online_meeting_id(join_url=JOIN_URL, client=graph) == MEETING_ID

    [lookup] = stub.requests_to(stub.user("onlineMeetings"), "GET")
    raw = lookup.query_string.decode()
    assert raw.startswith("$filter=JoinWebUrl%20eq%20'https%3A%2F%2Fteams.microsoft.com%2Fl%2F")
    assert "19%253ameeting_" in raw  # the URL's own %3a is encoded once more
    assert raw.endswith("'")


def test_a_quote_in_the_join_url_is_doubled_for_odata():
    assert odata_string("https://x.example/a'b") == "'https://x.example/a''b'"


def test_a_summer_time_meeting_is_converted_with_its_own_offset(stub, graph):
    serve_created_event(stub)

    create_meeting(
        subject="Kesäwebinaari",
        start=SUMMER_START,
        end=SUMMER_START + dt.timedelta(hours=1),
        client=graph,
    )

    posted = body(stub.requests_to(stub.user("events"), "POST")[0])
    assert posted["start"] == {"dateTime": "2027-06-01T06:30:00", "timeZone": "UTC"}
    assert posted["end"] == {"dateTime": "2027-06-01T07:30:00", "timeZone": "UTC"}
    assert "body" not in posted


def test_naive_or_reversed_times_are_refused_before_any_call(stub, graph):
    with pytest.raises(ValueError, match="aware"):
        create_meeting(
            subject="x", start=dt.datetime(2026, 11, 23, 14), end=dt.datetime(2026, 11, 23, 15),  # noqa: DTZ001 - the naive datetime is the point
            client=graph,
        )  # fmt: skip
    with pytest.raises(ValueError, match="end after"):
        create_meeting(subject="x", start=WINTER_START, end=WINTER_START, client=graph)
    assert not stub.graph_requests()


def test_a_transaction_id_makes_a_repeated_create_safe(stub, graph, sleeps):
    stub.server.expect_oneshot_request(stub.user("events"), method="POST").respond_with_data(
        "", status=504
    )
    serve_created_event(stub)

    meeting = create_meeting(
        subject="Webinaari",
        start=WINTER_START,
        end=WINTER_START + dt.timedelta(hours=1),
        transaction_id="kohtaamo-event-42-1",
        client=graph,
    )

    assert meeting.calendar_event_id == "AAMkAGI1AAAt8AHjAAA="
    posts = stub.requests_to(stub.user("events"), "POST")
    assert [body(p)["transactionId"] for p in posts] == ["kohtaamo-event-42-1"] * 2
    assert sleeps == [0.5]


def test_an_online_meeting_not_found_yet_is_looked_up_again_then_left_empty(stub, graph, sleeps):
    stub.server.expect_request(stub.user("events"), method="POST").respond_with_json(
        EVENT, status=201
    )
    stub.server.expect_request(stub.user("onlineMeetings"), method="GET").respond_with_json(
        {"value": []}
    )

    meeting = create_meeting(
        subject="x", start=WINTER_START, end=WINTER_START + dt.timedelta(hours=1), client=graph
    )

    assert meeting.join_url == JOIN_URL
    assert meeting.online_meeting_id == ""  # the wiring looks it up again later
    assert sleeps == list(LOOKUP_WAITS_SECONDS)
    assert len(stub.requests_to(stub.user("onlineMeetings"))) == 3


def test_an_event_made_without_a_teams_meeting_is_deleted_and_reported(stub, graph):
    without = {**EVENT, "onlineMeeting": None, "onlineMeetingProvider": "unknown"}
    stub.server.expect_request(stub.user("events"), method="POST").respond_with_json(
        without, status=201
    )
    stub.server.expect_request(
        stub.user("events", "AAMkAGI1AAAt8AHjAAA="), method="DELETE"
    ).respond_with_data("", status=204)

    with pytest.raises(GraphError) as raised:
        create_meeting(
            subject="x", start=WINTER_START, end=WINTER_START + dt.timedelta(hours=1), client=graph
        )

    assert raised.value.kind == "bad_response"
    assert "Teams meetings are allowed" in str(raised.value)
    assert len(stub.requests_to(stub.user("events", "AAMkAGI1AAAt8AHjAAA="), "DELETE")) == 1


def test_create_without_the_calendar_permission_is_forbidden(stub, graph):
    stub.server.expect_request(stub.user("events"), method="POST").respond_with_json(
        load("error_access_policy.jsonc"), status=403
    )

    with pytest.raises(GraphError) as raised:
        create_meeting(
            subject="x", start=WINTER_START, end=WINTER_START + dt.timedelta(hours=1), client=graph
        )

    assert raised.value.kind == "forbidden"
    assert "application access policy" in str(raised.value)


def test_update_meeting_patches_subject_and_times(stub, graph):
    path = stub.user("events", "AAMkAGI1AAAt8AHjAAA=")
    stub.server.expect_request(path, method="PATCH").respond_with_json(EVENT)

    update_meeting(
        event_id="AAMkAGI1AAAt8AHjAAA=",
        subject="Työkykykahvila (siirretty)",
        start=WINTER_START + dt.timedelta(days=7),
        end=WINTER_START + dt.timedelta(days=7, hours=1),
        client=graph,
    )

    [patched] = stub.requests_to(path, "PATCH")
    assert body(patched) == {
        "subject": "Työkykykahvila (siirretty)",
        "start": {"dateTime": "2026-11-30T12:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-30T13:00:00", "timeZone": "UTC"},
    }


def test_updating_a_meeting_deleted_in_teams_is_not_found(stub, graph):
    stub.server.expect_request(stub.user("events", "AAMkGone="), method="PATCH").respond_with_json(
        load("error_item_not_found.jsonc"), status=404
    )

    with pytest.raises(GraphError) as raised:
        update_meeting(
            event_id="AAMkGone=",
            subject="x",
            start=WINTER_START,
            end=WINTER_START + dt.timedelta(hours=1),
            client=graph,
        )

    assert raised.value.kind == "not_found"
    assert raised.value.code == "ErrorItemNotFound"
    assert "deleted in Teams or Outlook" in str(raised.value)


def test_cancel_meeting_posts_the_comment(stub, graph):
    path = stub.user("events", "AAMkAGI1AAAt8AHjAAA=", "cancel")
    stub.server.expect_request(path, method="POST").respond_with_data("", status=202)

    assert cancel_meeting(
        event_id="AAMkAGI1AAAt8AHjAAA=", comment="Tilaisuus on peruttu.", client=graph
    )

    [posted] = stub.requests_to(path, "POST")
    assert body(posted) == {"comment": "Tilaisuus on peruttu."}


def test_cancelling_a_meeting_that_is_already_gone_counts_as_done(stub, graph):
    stub.server.expect_request(
        stub.user("events", "AAMkGone=", "cancel"), method="POST"
    ).respond_with_json(load("error_item_not_found.jsonc"), status=404)

    assert cancel_meeting(event_id="AAMkGone=", client=graph) is False


def test_a_refused_cancel_action_deletes_the_event_instead(stub, graph):
    stub.server.expect_request(
        stub.user("events", "AAMkAppt=", "cancel"), method="POST"
    ).respond_with_json(
        {"error": {"code": "ErrorInvalidRequest", "message": "Your request can't be completed."}},
        status=400,
    )
    stub.server.expect_request(stub.user("events", "AAMkAppt="), method="DELETE").respond_with_data(
        "", status=204
    )

    assert cancel_meeting(event_id="AAMkAppt=", client=graph) is True
    assert len(stub.requests_to(stub.user("events", "AAMkAppt="), "DELETE")) == 1
