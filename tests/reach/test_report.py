"""The reach report: per page and period, with the previous period compared."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reach import services
from reach.models import CountKind, DailyCount, TargetType
from reach.selectors import reach_report
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

from .conftest import BROWSER, MONDAY

pytestmark = pytest.mark.django_db

DAY = MONDAY.date()


def _count(day, kind, target, number):
    target_type, target_id = (
        (TargetType.UPCOMING, 0) if target is None else (target._reach_type, target.pk)
    )
    DailyCount.objects.create(
        day=day, kind=kind, target_type=target_type, target_id=target_id, count=number
    )


def _data(events: int = 2):
    theme = ThemeFactory(title="Työkyky")
    theme._reach_type = TargetType.THEME
    made = []
    for _ in range(events):
        event = EventFactory(theme=theme)
        event._reach_type = TargetType.EVENT
        _count(DAY, CountKind.PAGE_VIEW, event, 40)
        _count(DAY, CountKind.UNIQUE_VISITOR, event, 25)
        _count(DAY, CountKind.MEETING_LINK, event, 10)
        _count(DAY, CountKind.SLIDES, event, 4)
        _count(DAY - dt.timedelta(days=30), CountKind.PAGE_VIEW, event, 30)  # previous period
        made.append(event)
    _count(DAY, CountKind.PAGE_VIEW, theme, 7)
    _count(DAY, CountKind.PAGE_VIEW, None, 100)
    _count(DAY - dt.timedelta(days=60), CountKind.PAGE_VIEW, None, 500)  # before both periods
    return theme, made


def test_the_report_gives_visits_shares_and_the_previous_period(monday):
    theme, (event, _other) = _data()
    report = reach_report(DAY - dt.timedelta(days=29), DAY)
    assert report.previous_start == DAY - dt.timedelta(days=59)
    assert report.previous_end == DAY - dt.timedelta(days=30)
    rows = {(row.target_type, row.target_id): row for row in report.rows}
    row = rows[TargetType.EVENT, event.pk]
    assert (row.label, row.visits, row.unique_visitors) == (event.title, 40, 25)
    assert (row.meeting_share, row.slides_share) == (25.0, 10.0)
    assert (row.previous_visits, row.change) == (30, 10)
    assert rows[TargetType.THEME, theme.pk].visits == 7
    assert rows[TargetType.UPCOMING, 0].previous_visits == 0  # day 60 back is outside both
    assert report.rows[0].target_type == TargetType.UPCOMING  # most visits first
    assert (report.total.visits, report.total.meeting_link, report.total.previous_visits) == (
        187,
        20,
        60,
    )


def test_counted_clicks_reach_the_report_page(monday, reporting):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    visitor = Client(HTTP_USER_AGENT=BROWSER)
    visitor.force_login(registration.user)
    visitor.get(reverse("events:detail", args=[event.pk]))
    visitor.get(reverse("reach:meeting", args=[event.pk]))
    services.flush_counts()

    client = Client()
    client.force_login(reporting)
    body = client.get(reverse("reach:report"))
    row = reach_report(DAY, DAY).rows[0]
    assert (row.visits, row.unique_visitors, row.meeting_share) == (1, 1, 100.0)
    assert event.title in body.content.decode()


@pytest.mark.parametrize("events", [1, 6])
def test_the_report_page_makes_a_fixed_number_of_queries(
    monday, reporting, django_assert_num_queries, events
):
    _data(events)
    client = Client()
    client.force_login(reporting)
    client.get(reverse("reach:report"))  # session and roles warmed alike for both sizes
    # session, user, roles, the sums, the event titles, the theme titles
    with django_assert_num_queries(6):
        response = client.get(reverse("reach:report"), {"start": "2026-10-18", "end": "2026-11-16"})
    assert response.status_code == 200


def test_a_start_after_the_end_is_shown_as_an_error(monday, reporting):
    client = Client()
    client.force_login(reporting)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(reverse("reach:report"), {"start": "2026-11-16", "end": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "The start date must not be after the end date." in response.content.decode()


def test_the_report_needs_the_reporting_ability(monday, user):
    client = Client()
    client.force_login(user)
    assert client.get(reverse("reach:report")).status_code == 403


def test_the_privacy_notice_says_what_is_counted():
    client = Client()
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        body = client.get(reverse("privacy"))
    assert "without cookies or third-party trackers" in body.content.decode()


def test_the_report_shows_recording_plays_and_their_share_of_visits(monday, reporting):
    event = EventFactory(title="Palautuminen työpäivästä")
    event._reach_type = TargetType.EVENT
    _count(DAY, CountKind.PAGE_VIEW, event, 40)
    _count(DAY, CountKind.RECORDING_PLAY, event, 10)
    row = reach_report(DAY, DAY).rows[0]
    assert (row.recording_plays, row.plays_share) == (10, 25.0)

    client = Client()
    client.force_login(reporting)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        body = client.get(reverse("reach:report")).content.decode()
    assert '<th scope="col">Played a recording</th>' in body
    assert "<td>25.0 % (10)</td>" in body


def test_a_two_month_period_is_one_choice_compared_with_the_two_months_before(monday, reporting):
    client = Client()
    client.force_login(reporting)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(
            reverse("reach:report"), {"period": "two_months", "two_months": "5", "year": "2026"}
        )
    report = response.context["report"]
    assert (report.start, report.end) == (dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    assert (report.previous_start, report.previous_end) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 31),
    )
    body = response.content.decode()
    assert "<h1>Reach of the event pages: September–October 2026</h1>" in body
    assert '<option value="5" selected>September–October</option>' in body


def test_without_a_period_the_report_covers_the_last_30_days(monday, reporting):
    client = Client()
    client.force_login(reporting)
    report = client.get(reverse("reach:report")).context["report"]
    assert (report.start, report.end) == (DAY - dt.timedelta(days=29), DAY)
    assert report.previous_end == DAY - dt.timedelta(days=30)


def test_the_attendance_report_links_the_reach_of_the_same_period(monday, reporting):
    client = Client()
    client.force_login(reporting)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        body = client.get(
            reverse("reports:attendance"),
            {"period": "two_months", "two_months": "5", "year": "2026"},
        ).content.decode()
    link = f"{reverse('reach:report')}?period=two_months&amp;two_months=5&amp;year=2026"
    assert f'<a href="{link}">Reach of the event pages in the same period</a>' in body

    with translation.override("en"):
        body = client.get(
            reverse("reports:attendance"),
            {"period": "range", "start": "2026-10-05", "end": "2026-11-16"},
        ).content.decode()
    assert f"{reverse('reach:report')}?period=range&amp;start=2026-10-05&amp;end=2026-11-16" in body
    following = client.get(
        reverse("reach:report"), {"period": "range", "start": "2026-10-05", "end": "2026-11-16"}
    )
    assert following.context["report"].start == dt.date(2026, 10, 5)


def test_a_year_of_the_attendance_report_is_the_same_year_here(monday, reporting):
    client = Client()
    client.force_login(reporting)
    body = client.get(
        reverse("reports:attendance"), {"period": "year", "year": "2025"}
    ).content.decode()
    assert f"{reverse('reach:report')}?period=year&amp;year=2025" in body
    report = client.get(reverse("reach:report"), {"period": "year", "year": "2025"}).context[
        "report"
    ]
    assert (report.start, report.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (report.previous_start, report.previous_end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
