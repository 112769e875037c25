"""Weekly series dates around Finnish public holidays and named breaks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from events.models import Event, EventStatus
from events.planning import scheduling
from events.planning import services as planning_services
from tests.factories import SeriesFactory, ThemeFactory

HELSINKI = ZoneInfo("Europe/Helsinki")
D = dt.date


def test_ascension_day_is_skipped_with_its_finnish_name():
    plan = scheduling.preview_series_sessions(
        first_date=D(2026, 5, 1), last_date=D(2026, 5, 31), weekday=3
    )
    assert plan.dates == [D(2026, 5, 7), D(2026, 5, 21), D(2026, 5, 28)]
    assert [(s.day, s.reason, s.kind) for s in plan.skipped] == [
        (D(2026, 5, 14), "Helatorstai", "holiday")
    ]


def test_holiday_names_follow_the_language():
    plan = scheduling.preview_series_sessions(
        first_date=D(2026, 5, 14), last_date=D(2026, 5, 14), weekday=3, language="en"
    )
    assert plan.skipped[0].reason == "Ascension Day"
    plan = scheduling.preview_series_sessions(
        first_date=D(2026, 5, 14), last_date=D(2026, 5, 14), weekday=3, language="sv"
    )
    assert plan.skipped[0].reason == "Kristi himmelsfärdsdag"


def test_independence_day_and_christmas_across_years():
    # 6.12.2027 is a Monday; so are 27.12.2027 (not a holiday) and 1.1.2029.
    plan = scheduling.preview_series_sessions(
        first_date=D(2027, 11, 29), last_date=D(2027, 12, 27), weekday=0
    )
    assert D(2027, 12, 6) not in plan.dates
    assert plan.skipped[0].reason == "Itsenäisyyspäivä"
    assert D(2027, 12, 27) in plan.dates
    plan = scheduling.preview_series_sessions(
        first_date=D(2028, 12, 25), last_date=D(2029, 1, 8), weekday=0
    )
    assert [s.reason for s in plan.skipped] == ["Joulupäivä", "Uudenvuodenpäivä"]
    assert plan.dates == [D(2029, 1, 8)]


def test_summer_break_and_midsummer():
    summer = scheduling.BreakPeriod("Kesätauko", D(2026, 6, 22), D(2026, 8, 9))
    plan = scheduling.preview_series_sessions(
        first_date=D(2026, 6, 1), last_date=D(2026, 8, 31), weekday=4, breaks=[summer]
    )
    # Fridays: 19.6.2026 is Midsummer Eve (a holiday in the library), 26.6.–7.8. the break.
    reasons = {s.day: s.reason for s in plan.skipped}
    assert reasons[D(2026, 6, 19)] == "Juhannusaatto"
    assert reasons[D(2026, 7, 3)] == "Kesätauko"
    assert plan.dates == [D(2026, 6, 5), D(2026, 6, 12), D(2026, 8, 14), D(2026, 8, 21),
                          D(2026, 8, 28)]  # fmt: skip
    assert len(plan.rows) == len(plan.dates) + len(plan.skipped)


def test_days_that_already_have_a_session_are_skipped():
    plan = scheduling.preview_series_sessions(
        first_date=D(2026, 9, 1),
        last_date=D(2026, 9, 30),
        weekday=2,
        existing_dates=[D(2026, 9, 9)],
    )
    assert D(2026, 9, 9) not in plan.dates
    assert plan.skipped[0].kind == "exists"


def test_last_before_first_is_refused():
    with pytest.raises(scheduling.ScheduleError):
        scheduling.preview_series_sessions(
            first_date=D(2026, 9, 30), last_date=D(2026, 9, 1), weekday=2
        )


@pytest.mark.django_db
def test_create_sessions_in_helsinki_time_without_duplicates(organiser):
    series = SeriesFactory(weekday=2, start_time=dt.time(14, 0), duration_minutes=60)
    dates = [D(2026, 3, 18), D(2026, 4, 1)]  # winter time and summer time
    created = planning_services.create_series_sessions(series=series, dates=dates, by=organiser)
    assert [e.starts_at.astimezone(dt.UTC).hour for e in created] == [12, 11]
    assert all(e.starts_at.astimezone(HELSINKI).hour == 14 for e in created)
    again = planning_services.create_series_sessions(
        series=series, dates=[*dates, D(2026, 4, 8)], by=organiser
    )
    assert [e.starts_at.date() for e in again] == [D(2026, 4, 8)]
    assert Event.objects.filter(series=series).count() == 3


@pytest.mark.django_db
def test_moving_or_cancelling_one_session_leaves_the_others(organiser):
    series = SeriesFactory(weekday=2)
    sessions = planning_services.create_series_sessions(
        series=series,
        dates=[D(2030, 1, 9), D(2030, 1, 16), D(2030, 1, 23)],
        by=organiser,
        status=EventStatus.PUBLISHED,
    )
    moved = sessions[1]
    planning_services.update_event(
        event=moved,
        by=organiser,
        starts_at=moved.starts_at + dt.timedelta(days=1),
        ends_at=moved.ends_at + dt.timedelta(days=1),
    )
    planning_services.cancel_event(event=sessions[2], by=organiser, reason="Ill")
    fresh = {e.pk: e for e in Event.objects.filter(series=series)}
    assert fresh[sessions[0].pk].starts_at == sessions[0].starts_at
    assert fresh[sessions[0].pk].sequence == 0
    assert fresh[sessions[0].pk].status == EventStatus.PUBLISHED
    assert fresh[moved.pk].sequence == 1
    assert fresh[sessions[2].pk].status == EventStatus.CANCELLED


@pytest.mark.django_db
def test_plan_a_term_page_previews_then_creates(client, organiser):
    series = SeriesFactory(weekday=3, name="Kohtaamo")
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    url = reverse("events:organise_plan_term")
    data = {
        "series": series.pk,
        "first_date": "2026-05-01",
        "last_date": "2026-06-30",
        "breaks-TOTAL_FORMS": "3",
        "breaks-INITIAL_FORMS": "0",
        "breaks-0-name": "Summer break",
        "breaks-0-start": "2026-06-15",
        "breaks-0-end": "2026-08-09",
        "action": "preview",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ascension Day" in body
    assert "Summer break" in body
    assert "Create 5 sessions" in body  # 7.5, 21.5, 28.5, 4.6, 11.6
    assert not Event.objects.filter(series=series).exists()  # the preview creates nothing

    response = client.post(url, {**data, "action": "confirm"})
    assert response.status_code == 302
    created = list(Event.objects.filter(series=series).order_by("starts_at"))
    assert [e.starts_at.astimezone(HELSINKI).date() for e in created] == [
        D(2026, 5, 7), D(2026, 5, 21), D(2026, 5, 28), D(2026, 6, 4), D(2026, 6, 11),
    ]  # fmt: skip
    assert all(e.status == EventStatus.DRAFT for e in created)
    client.post(url, {**data, "action": "confirm"})  # confirming twice
    assert Event.objects.filter(series=series).count() == 5

    # One screen to assign themes and presenters
    assign = client.get(response["Location"])
    assert assign.status_code == 200
    assert "Theme for 7.5.2026" in assign.content.decode()
    themes = ThemeFactory.create_batch(2)
    post = {}
    for i, event in enumerate(created):
        post[f"s{i}-event_id"] = event.pk
        post[f"s{i}-theme"] = themes[i % 2].pk
    response = client.post(response["Location"], post)
    assert response.status_code == 302
    assert [e.theme_id for e in Event.objects.filter(series=series).order_by("starts_at")] == [
        themes[0].pk, themes[1].pk, themes[0].pk, themes[1].pk, themes[0].pk,
    ]  # fmt: skip


@pytest.mark.django_db
def test_plan_a_term_bad_break_is_explained(client, organiser):
    series = SeriesFactory()
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("events:organise_plan_term"),
        {
            "series": series.pk,
            "first_date": "2026-05-01",
            "last_date": "2026-04-01",
            "breaks-TOTAL_FORMS": "1",
            "breaks-INITIAL_FORMS": "0",
            "breaks-0-name": "Summer",
            "breaks-0-start": "2026-06-15",
            "action": "preview",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The last date must not be before the first date." in body
    assert "A break needs a start and an end date." in body
    assert not Event.objects.exists()
