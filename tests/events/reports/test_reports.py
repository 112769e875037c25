"""attendance_report against independent plain counts on a generated data set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from events.models import Event, EventKind, Registration, RegistrationStatus, Theme
from events.reports.compute import FIGURE_KEYS, attendance_report
from events.reports.periods import (
    ReportInputError,
    previous_period,
    two_month_period,
    year_earlier,
    year_period,
)
from networks.models import Membership
from tests.factories import EventFactory, PresenterFactory, RegistrationFactory

from .conftest import END, START, at, held_events, plain_totals

ALL = ["kind", "series", "theme", "format", "network", "presenter", "organisation", "sector"]


def _report(**kwargs):
    kwargs.setdefault("breakdowns", ALL)
    return attendance_report(start=kwargs.pop("start", START), end=kwargs.pop("end", END), **kwargs)


def test_every_total_matches_a_plain_count(dataset):
    report = _report()
    expected = plain_totals(START, END)
    assert expected["events"] > 3 and expected["headcount"] > 0 and expected["no_shows"] > 0
    assert expected["anonymous_attendees"] > 0 and expected["waitlisted"] > 0
    assert expected["feedback_answers"] > 0 and expected["caption_cost"] > 0
    for figure in FIGURE_KEYS:
        assert report.totals[figure] == pytest.approx(expected[figure]), figure


def test_cancelled_draft_and_outside_events_are_not_counted(dataset):
    report = _report()
    assert report.totals["events"] == held_events(START, END).count()
    assert (
        report.totals["events"]
        < Event.objects.filter(
            starts_at__gte=at(START, 0), starts_at__lt=at(END + dt.timedelta(days=1), 0)
        ).count()
    )


def test_kind_breakdown_and_summary_lines_match_plain_counts(dataset):
    report = _report()
    by_kind = {row["key"]: row for row in report.tables["kind"]}
    for kind in EventKind:
        events = held_events(START, END).filter(kind=kind)
        if not events.exists():
            assert kind.value not in by_kind
            continue
        expected = plain_totals(START, END, events)
        for figure in FIGURE_KEYS:
            assert by_kind[kind.value][figure] == pytest.approx(expected[figure]), (kind, figure)
    lines = {line["kind"]: line for line in report.summary_lines}
    assert set(lines) == set(by_kind)
    for kind, line in lines.items():
        assert (line["events"], line["themes"], line["participants"]) == (
            by_kind[kind]["events"],
            by_kind[kind]["themes"],
            by_kind[kind]["attendance"],
        )
        assert str(line["events"]) in line["text"] and str(line["participants"]) in line["text"]


@pytest.mark.parametrize(("name", "field"), [("theme", "theme"), ("series", "series")])
def test_event_attribute_breakdowns_match_plain_counts(dataset, name, field):
    report = _report()
    for row in report.tables[name]:
        events = held_events(START, END).filter(**{f"{field}_id": row["key"]})
        if row["key"] is None:
            events = held_events(START, END).filter(**{f"{field}__isnull": True})
        expected = plain_totals(START, END, events)
        for figure in FIGURE_KEYS:
            assert row[figure] == pytest.approx(expected[figure]), (row["label"], figure)
    assert sum(row["attendance"] for row in report.tables[name]) == report.totals["attendance"]


@pytest.mark.parametrize(
    ("name", "relation"), [("network", "audience_networks"), ("presenter", "presenters")]
)
def test_many_to_many_breakdowns_match_plain_counts(dataset, name, relation):
    report = _report()
    rows = {row["key"]: row for row in report.tables[name]}
    for key, row in rows.items():
        if key is None:
            events = held_events(START, END).filter(**{f"{relation}__isnull": True})
        else:
            events = held_events(START, END).filter(**{relation: key})
        expected = plain_totals(START, END, events)
        for figure in ("events", "attendance", "identified_attendees", "unique_participants",
                       "headcount", "feedback_answers", "no_shows"):  # fmt: skip
            assert row[figure] == pytest.approx(expected[figure]), (row["label"], figure)


def test_attendee_breakdowns_add_up_to_the_totals(dataset):
    report = _report()
    for name in ("organisation", "sector"):
        rows = report.tables[name]
        for figure in ("attendance", "identified_attendees", "registrations", "confirmed",
                       "waitlisted", "headcount", "anonymous_attendees", "no_shows"):  # fmt: skip
            assert sum(row[figure] for row in rows) == report.totals[figure], (name, figure)
    for row in report.tables["organisation"]:
        attended = Registration.objects.filter(
            event__in=held_events(START, END), attended=True, organisation_id=row["key"]
        )
        assert row["identified_attendees"] == attended.count()


def test_people_who_left_a_network_still_count(dataset):
    before = _report()
    Membership.objects.update(status="left", left_on=timezone.localdate())
    after = _report()
    assert after.totals == before.totals
    assert after.tables["network"] == before.tables["network"]


def test_deleting_accounts_and_anonymising_changes_no_total(dataset):
    before = _report()
    # One person deletes the account: registrations keep their e-mail, user becomes NULL.
    for person in dataset.people[:3]:
        person.delete()
    # Someone else's single attended registration is anonymised completely.
    once = (
        Registration.objects.filter(event__in=held_events(START, END), attended=True)
        .exclude(user=None)
        .values("user")
        .order_by()
    )
    counts: dict = {}
    for row in once:
        counts[row["user"]] = counts.get(row["user"], 0) + 1
    single_user = next(user for user, n in counts.items() if n == 1)
    Registration.objects.filter(user_id=single_user).update(
        user=None, name="", email="", anonymised_at=timezone.now()
    )
    # Guests are anonymised in place when they attended one event in the period.
    after = _report()
    for figure in FIGURE_KEYS:
        assert after.totals[figure] == before.totals[figure], figure
    for name in ALL:
        assert after.tables[name] == before.tables[name], name


def test_anonymised_registration_keeps_its_organisation(dataset):
    before = _report(breakdowns=["organisation"])
    Registration.objects.update(name="", anonymised_at=timezone.now())
    after = _report(breakdowns=["organisation"])
    assert after.tables == before.tables


def test_a_period_without_data_is_all_zeros(db):
    report = _report(start=dt.date(2031, 1, 1), end=dt.date(2031, 2, 28))
    assert report.totals["events"] == 0
    assert report.totals["attendance"] == 0
    assert report.totals["unique_participants"] == 0
    assert report.totals["nps"] is None
    assert report.summary_lines == []
    assert all(report.tables[name] == [] for name in ALL if name not in ("organisation", "sector"))
    assert report.timelines["kind"]["rows"] == [["2031-01"], ["2031-02"]]


def test_bad_input_is_refused_with_a_message(db):
    with translation.override("fi"), pytest.raises(ReportInputError, match="Alkamispäivä"):
        attendance_report(start=END, end=START, breakdowns=[])
    with translation.override("en"):
        with pytest.raises(ReportInputError, match="start date"):
            attendance_report(start=END, end=START, breakdowns=[])
        with pytest.raises(ReportInputError, match="colour"):
            attendance_report(start=START, end=END, breakdowns=["colour"])


@pytest.mark.date_sensitive
def test_future_events_in_the_period_are_not_yet_held(db):
    today = timezone.localdate()
    EventFactory(
        starts_at=at(today + dt.timedelta(days=3)), ends_at=at(today + dt.timedelta(days=3), 15)
    )
    report = attendance_report(start=today, end=today + dt.timedelta(days=30), breakdowns=[])
    assert report.totals["events"] == 0


def test_comparisons_with_previous_period_and_a_year_earlier(db):
    EventFactory(
        starts_at=at(dt.date(2025, 3, 5)),
        ends_at=at(dt.date(2025, 3, 5), 15),
        anonymous_attendees=10,
    )
    EventFactory(
        starts_at=at(dt.date(2025, 1, 5)),
        ends_at=at(dt.date(2025, 1, 5), 15),
        anonymous_attendees=4,
    )
    EventFactory(
        starts_at=at(dt.date(2024, 4, 5)),
        ends_at=at(dt.date(2024, 4, 5), 15),
        anonymous_attendees=5,
    )
    report = _report(breakdowns=[])
    previous, earlier = report.comparisons
    assert (previous["period"]["start"], previous["period"]["end"]) == ("2025-01-01", "2025-02-28")
    assert (earlier["period"]["start"], earlier["period"]["end"]) == ("2024-03-01", "2024-04-30")
    assert previous["totals"]["attendance"] == 4
    assert previous["changes"]["attendance"] == {"change": 6, "percent": 150.0}
    assert earlier["changes"]["attendance"] == {"change": 5, "percent": 100.0}


def test_period_helpers():
    assert two_month_period(year=2025, number=1).end == dt.date(2025, 2, 28)
    assert two_month_period(year=2024, number=1).end == dt.date(2024, 2, 29)
    assert two_month_period(year=2025, number=6).start == dt.date(2025, 11, 1)
    assert previous_period(two_month_period(year=2025, number=1)).start == dt.date(2024, 11, 1)
    assert previous_period(year_period(year=2025)).start == dt.date(2024, 1, 1)
    leap = two_month_period(year=2024, number=1)
    assert year_earlier(leap).end == dt.date(2023, 2, 28)


def test_registration_from_a_guest_and_a_user_with_same_email_per_event(db):
    """Unique participants: one person with several attended events counts once."""
    presenter = PresenterFactory()
    first = EventFactory(starts_at=at(dt.date(2025, 3, 5)), ends_at=at(dt.date(2025, 3, 5), 15))
    second = EventFactory(starts_at=at(dt.date(2025, 3, 12)), ends_at=at(dt.date(2025, 3, 12), 15))
    first.presenters.add(presenter)
    person = RegistrationFactory(event=first, attended=True).user
    RegistrationFactory(event=second, user=person, attended=True)
    RegistrationFactory(event=second, user=None, email="guest@example.fi", attended=True)
    RegistrationFactory(
        event=second, user=None, email="g2@example.fi", status=RegistrationStatus.CANCELLED
    )
    report = _report(breakdowns=["presenter"])
    assert report.totals["identified_attendees"] == 3
    assert report.totals["unique_participants"] == 2
    assert report.totals["registrations"] == 3
    rows = {row["key"]: row for row in report.tables["presenter"]}
    assert rows[presenter.pk]["unique_participants"] == 1
    assert rows[None]["unique_participants"] == 2


def test_timelines_name_the_largest_themes_and_add_up(dataset):
    report = _report(breakdowns=["theme"])
    top = next(row for row in report.tables["theme"] if row["key"] is not None)
    theme_timeline = report.timelines["theme"]
    assert Theme.objects.get(pk=top["key"]).title in theme_timeline["columns"]
    for name in ("kind", "theme"):
        timeline = report.timelines[name]
        assert [row[0] for row in timeline["rows"]] == ["2025-03", "2025-04"]
        assert sum(sum(row[1:]) for row in timeline["rows"]) == report.totals["attendance"]


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.date(2025, 3, 15), dt.date(2025, 4, 30)), (dt.date(2025, 2, 1), dt.date(2026, 3, 31))],
)
def test_comparison_columns_equal_the_report_of_that_period(dataset, start, end):
    """The comparison periods are read together with the period (and may overlap it, as a
    year earlier does for a period longer than a year); each column still shows exactly
    what that period's own report shows."""
    report = _report(start=start, end=end)
    for comparison in report.comparisons:
        other = comparison["period"]
        alone = _report(
            start=dt.date.fromisoformat(other["start"]),
            end=dt.date.fromisoformat(other["end"]),
            breakdowns=[],
            compare=False,
        )
        assert comparison["totals"] == alone.totals, comparison["key"]
    assert any(c["totals"]["unique_participants"] for c in report.comparisons)
