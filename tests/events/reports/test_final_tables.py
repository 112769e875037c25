"""The final report's tables (events.reports.final): the report's own figures, independent
ORM counts on the demo data, a fixed number of queries, the page section and the XLSX sheets."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone, translation
from openpyxl import load_workbook

from events.models import (
    Audience,
    Event,
    EventKind,
    EventStatus,
    Feedback,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from events.reports.final import final_report_tables
from kohtaamo import demo
from recordings import platform
from recordings.models import Availability, CaptionOrder, Recording
from tests.factories import (
    EventFactory,
    NetworkFactory,
    RecordingFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

from .conftest import at

START, END = dt.date(2021, 1, 1), dt.date(2022, 12, 31)
AS_OF = dt.datetime(2023, 1, 31, 12, tzinfo=dt.UTC)
URL = "/reports/"
QUERY = {"period": "range", "start": START.isoformat(), "end": END.isoformat()}


def _kohtaamo_sessions() -> list[Event]:
    """59 sessions over 45 themes, 832 participants: 58 drop-in sessions of 14 and one with
    20 identified attendees."""
    themes = ThemeFactory.create_batch(45)
    series = SeriesFactory(kind=EventKind.KOHTAAMO)
    events = []
    for index in range(59):
        day = START + dt.timedelta(days=7 * index)
        last = index == 58
        events.append(
            EventFactory(
                kind=EventKind.KOHTAAMO,
                series=series,
                theme=themes[index % 45],
                starts_at=at(day),
                ends_at=at(day, 15),
                registration_mode=RegistrationMode.REGISTRATION
                if last
                else RegistrationMode.DROP_IN,
                headcount=None if last else 14,
            )
        )
    Registration.objects.bulk_create(
        RegistrationFactory.build(event=events[-1], user=None, email=f"k{n}@example.fi",
                                  attended=True)
        for n in range(20)
    )  # fmt: skip
    Feedback.objects.bulk_create(
        Feedback(event=events[0], usefulness=5 if n < 5 else 4, recommend=10 if n < 8 else 8,
                 session_key=f"k{n}")
        for n in range(10)
    )  # fmt: skip
    return events


def _participation_training(users: list) -> list[Event]:
    """A 4-meeting training: 75 people registered (some to only a few meetings), 40–70
    attended each time. A fifth meeting of the series for another audience stays apart."""
    series = SeriesFactory(kind=EventKind.TRAINING, name="Osallisuuskoulutus")
    attended = [40, 55, 62, 70]
    meetings = []
    for number, count in enumerate(attended):
        day = dt.date(2022, 3, 1) + dt.timedelta(days=14 * number)
        event = EventFactory(
            kind=EventKind.TRAINING,
            series=series,
            title=f"Osallisuuskoulutus {number + 1}",
            starts_at=at(day),
            ends_at=at(day, 16),
        )
        meetings.append(event)
        people = range(75) if number == 3 else range(number, 72)  # all 75 over the four
        regs = []
        for seat, person in enumerate(people):
            user = users[person] if person < len(users) else None
            regs.append(
                RegistrationFactory.build(
                    event=event,
                    user=user,
                    email=user.email if user else f"t{person}@example.fi",
                    attended=seat < count,
                )
            )
        regs.append(  # cancelled: not registered, not counted
            RegistrationFactory.build(
                event=event, user=None, email="gone@example.fi",
                status=RegistrationStatus.CANCELLED,
            )
        )  # fmt: skip
        Registration.objects.bulk_create(regs)
    other = EventFactory(
        kind=EventKind.TRAINING,
        series=series,
        title="Osallisuuskoulutus verkostolle",
        starts_at=at(dt.date(2022, 6, 1)),
        ends_at=at(dt.date(2022, 6, 1), 16),
        audience=Audience.NETWORKS,
        anonymous_attendees=12,
    )
    other.audience_networks.set([NetworkFactory()])
    return meetings


def _recordings(kohtaamo: list[Event]) -> None:
    """25 videos in late 2022 with 1,210 views; 21 Kohtaamo recordings with 454 views, one of
    them unlisted for internal use and never watched. Captions: 60 min × 3.20 € each."""
    views = [23] * 14 + [22] * 6  # 454 over the 20 listed Kohtaamo recordings
    uploaded = dt.date(2022, 10, 1)
    videos = [
        RecordingFactory(event=kohtaamo[n], view_count=count, uploaded_on=uploaded,
                         availability=Availability.PUBLIC)
        for n, count in enumerate(views)
    ]  # fmt: skip
    videos.append(
        RecordingFactory(event=kohtaamo[20], view_count=0, uploaded_on=uploaded,
                         availability=Availability.UNLISTED)
    )  # fmt: skip
    videos += [
        RecordingFactory(event=None, view_count=count, uploaded_on=uploaded,
                         availability=Availability.PUBLIC)
        for count in (200, 200, 200, 156)
    ]  # fmt: skip
    for video in videos:
        CaptionOrder.objects.create(
            recording=video,
            vendor="Tekstitys Oy",
            ordered_on=uploaded,
            minutes=Decimal("60.00"),
            price_per_minute=Decimal("3.20"),
        )
    # Neither counts: uploaded after the period, and private.
    RecordingFactory(event=kohtaamo[0], view_count=500, uploaded_on=dt.date(2023, 1, 10))
    RecordingFactory(view_count=7, uploaded_on=uploaded, availability=Availability.PRIVATE)


@pytest.fixture
def final_report(db) -> dict:
    users = UserFactory.create_batch(10)
    kohtaamo = _kohtaamo_sessions()
    training = _participation_training(users)
    day = dt.date(2022, 9, 6)
    EventFactory(
        kind=EventKind.TRAINING,
        title="Työkykyä etsimässä",
        starts_at=at(day),
        ends_at=at(day, 16),
        registration_mode=RegistrationMode.DROP_IN,
        headcount=50,
    )
    EventFactory(  # cancelled: in no table
        kind=EventKind.SEMINAR,
        status=EventStatus.CANCELLED,
        starts_at=at(day),
        ends_at=at(day, 16),
        headcount=99,
    )
    _recordings(kohtaamo)
    return {"users": users, "kohtaamo": kohtaamo, "training": training}


def _kind(tables, kind: EventKind) -> dict:
    return next(row for row in tables.kinds if row["kind"] == kind.value)


def test_the_final_reports_figures(final_report):
    with translation.override("en"):
        tables = final_report_tables(start=START, end=END, as_of=AS_OF)
    kohtaamo = _kind(tables, EventKind.KOHTAAMO)
    assert (kohtaamo["events"], kohtaamo["themes"], kohtaamo["participants"]) == (59, 45, 832)
    assert kohtaamo["text"] == "Kohtaamo sessions: 59 events, 45 themes, 832 participants"
    assert [row["kind"] for row in tables.kinds] == [kind.value for kind in EventKind]
    assert _kind(tables, EventKind.SEMINAR)["events"] == 0  # the cancelled one is left out
    assert _kind(tables, EventKind.TRAINING)["participants"] == 40 + 55 + 62 + 70 + 12 + 50

    lines = {line["title"]: line for line in tables.event_lines}
    assert lines["Työkykyä etsimässä"]["participants"] == 50
    assert lines["Työkykyä etsimässä"]["text"] == "Työkykyä etsimässä training, 50 participants"
    assert not any(line["kind"] == EventKind.KOHTAAMO for line in tables.event_lines)

    assert len(tables.multi_meeting) == 1  # the meeting for a network is another audience
    training = tables.multi_meeting[0]
    assert training["meetings"] == 4
    assert training["registered"] == 75
    assert (training["attended_min"], training["attended_max"]) == (40, 70)
    assert training["text"] == (
        "Osallisuuskoulutus: 4 meetings, 75 registered, 40–70 attended each time"
    )

    videos = {row["key"]: row for row in tables.recordings}
    assert (videos["all"]["videos"], videos["all"]["views"]) == (25, 1210)
    assert round(videos["all"]["average_views"]) == 48
    assert (videos["kohtaamo"]["videos"], videos["kohtaamo"]["views"]) == (21, 454)
    assert round(videos["kohtaamo"]["average_views"]) == 22
    assert videos["kohtaamo_listed"]["videos"] == 20
    assert round(videos["kohtaamo_listed"]["average_views"]) == 23
    assert (videos["unlisted"]["videos"], videos["unlisted"]["views"]) == (1, 0)
    assert tables.captions == {
        "cost": 4800.0,
        "minutes": 1500.0,
        "per_minute": 3.2,
        "per_view": round(4800 / 1210, 2),
    }

    feedback = next(row for row in tables.feedback if row["kind"] == EventKind.KOHTAAMO)
    assert (feedback["answers"], feedback["nps"], feedback["average_usefulness"]) == (10, 80, 4.5)
    assert tables.as_dict()["kinds"][0]["participants"] == 832


def test_deleting_or_anonymising_people_keeps_the_totals(final_report):
    before = final_report_tables(start=START, end=END, as_of=AS_OF).as_dict()
    for user in final_report["users"]:
        user.delete()  # their registrations keep the e-mail
    Registration.objects.filter(event=final_report["kohtaamo"][-1]).update(
        user=None, name="", email="", anonymised_at=timezone.now()
    )  # attended once each: every row still counts
    after = final_report_tables(start=START, end=END, as_of=AS_OF).as_dict()
    for key in ("kinds", "event_lines", "multi_meeting", "recordings", "captions", "feedback"):
        assert after[key] == before[key], key


def _demo(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the demo seeder must not touch the network")

    monkeypatch.setattr(platform, "_extract_raw", no_network)
    monkeypatch.setattr(platform, "_download_text", no_network)
    demo.seed(today=timezone.localdate())


@pytest.mark.django_db
def test_the_tables_on_demo_data_equal_plain_counts(monkeypatch):
    _demo(monkeypatch)
    now = timezone.now()
    start = timezone.localdate(Event.objects.order_by("starts_at").first().starts_at)
    end = timezone.localdate(now)
    tables = final_report_tables(start=start, end=end, as_of=now)
    held = Event.objects.filter(
        status=EventStatus.PUBLISHED, starts_at__gte=at(start, 0), starts_at__lte=now
    )
    for kind in EventKind:
        events = list(held.filter(kind=kind))
        attended = Registration.objects.filter(event__in=events, attended=True).count()
        extra = sum((e.headcount or 0) + e.anonymous_attendees for e in events)
        row = _kind(tables, kind)
        assert row["events"] == len(events), kind
        assert row["themes"] == len({e.theme_id for e in events if e.theme_id}), kind
        assert row["participants"] == attended + extra, kind
        feedback = next(r for r in tables.feedback if r["kind"] == kind.value)
        assert feedback["answers"] == Feedback.objects.filter(event__in=events).count(), kind
    lined = held.filter(kind__in=[EventKind.TRAINING, EventKind.WORKSHOP, EventKind.SEMINAR])
    assert sorted(line["id"] for line in tables.event_lines) == sorted(e.pk for e in lined)
    for line in tables.event_lines:
        event = Event.objects.get(pk=line["id"])
        attended = event.registrations.filter(attended=True).count()
        assert line["participants"] == attended + (event.headcount or 0) + (
            event.anonymous_attendees
        )
    videos = Recording.objects.filter(uploaded_on__gte=start, uploaded_on__lte=end).exclude(
        availability=Availability.PRIVATE
    )
    everything = next(row for row in tables.recordings if row["key"] == "all")
    assert everything["videos"] == videos.count() > 0
    assert everything["views"] == (videos.aggregate(n=Sum("view_count"))["n"] or 0)
    unlisted = next(row for row in tables.recordings if row["key"] == "unlisted")
    assert unlisted["videos"] == videos.filter(availability=Availability.UNLISTED).count()
    cost = sum(o.total for o in CaptionOrder.objects.filter(recording__in=videos))
    assert tables.captions["cost"] == pytest.approx(float(cost), abs=0.01 * videos.count())


def _grow(n: int) -> None:
    """More of everything the tables read: sessions, trainings, registrations, videos."""
    series = SeriesFactory(kind=EventKind.TRAINING)
    for index in range(n):
        day = dt.date(2022, 11, 1) + dt.timedelta(days=index % 50)
        event = EventFactory(
            kind=EventKind.TRAINING if index % 2 else EventKind.WORKSHOP,
            series=series if index % 2 else None,
            starts_at=at(day),
            ends_at=at(day, 16),
        )
        Registration.objects.bulk_create(
            RegistrationFactory.build(event=event, user=None, email=f"g{n}{i}@example.fi",
                                      attended=i % 2 == 0)
            for i in range(3)
        )  # fmt: skip
        RecordingFactory(event=event, view_count=index, uploaded_on=day)


@pytest.mark.parametrize("n", [2, 40])
def test_a_fixed_number_of_queries(final_report, django_assert_num_queries, n):
    _grow(n)
    with django_assert_num_queries(QUERIES):
        final_report_tables(start=START, end=END, as_of=AS_OF)


QUERIES = 11


@pytest.fixture
def staff_client(client, reporting):
    client.force_login(reporting)
    client.cookies["django_language"] = "en"
    return client


def test_the_page_shows_the_tables_when_asked(staff_client, final_report):
    page = staff_client.get(URL, QUERY)
    assert page.context["final"] is None
    assert "final=1" in page.content.decode()
    response = staff_client.get(URL, {**QUERY, "final": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        response.context["final"].as_dict()
        == final_report_tables(
            start=START, end=END, as_of=response.context["report"].generated_at
        ).as_dict()
    )
    assert "Kohtaamo sessions: 59 events, 45 themes, 832 participants" in body
    assert "Osallisuuskoulutus: 4 meetings, 75 registered, 40–70 attended each time" in body
    assert '<caption id="final-recordings-caption">' in body
    assert '<th scope="row">Työkykyä etsimässä</th>' in body
    assert '<td class="num">1210</td>' in body


def test_the_xlsx_has_the_tables_when_asked(staff_client, final_report):
    plain = load_workbook(io.BytesIO(staff_client.get(URL + "export.xlsx", QUERY).content))
    response = staff_client.get(URL + "export.xlsx", {**QUERY, "final": "1"})
    workbook = load_workbook(io.BytesIO(response.content))
    added = workbook.sheetnames[len(plain.sheetnames) :]
    assert added == ["Per kind of event", "Per event", "Multi-meeting trainings", "Recordings",
                     "Feedback"]  # fmt: skip
    kinds = {row[0]: row[1:4] for row in workbook["Per kind of event"].iter_rows(min_row=4,
             values_only=True)}  # fmt: skip
    assert kinds["Kohtaamo sessions"] == (59, 45, 832)
    training = list(workbook["Multi-meeting trainings"].iter_rows(min_row=4, values_only=True))
    assert training == [("Osallisuuskoulutus", 4, 75, 40, 70, 227)]
    videos = {row[0]: row[1:] for row in workbook["Recordings"].iter_rows(min_row=4,
              values_only=True) if row and row[0]}  # fmt: skip
    assert videos["All videos"][:2] == (25, 1210)
    assert videos["Caption cost in total (€)"][0] == 4800


@pytest.mark.django_db
def test_a_period_without_data_gives_zeros():
    tables = final_report_tables(start=START, end=END, as_of=AS_OF)
    assert [row["events"] for row in tables.kinds] == [0] * len(EventKind)
    assert tables.event_lines == [] and tables.multi_meeting == []
    assert {row["videos"] for row in tables.recordings} == {0}
    assert tables.captions == {"cost": 0.0, "minutes": 0.0, "per_minute": None, "per_view": None}
    assert {row["nps"] for row in tables.feedback} == {None}
