"""Planning a term with sessions of their own (start time, link) and as many breaks as
needed; the change history of a published event in plain language (issue 21)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from events.models import Event, EventChange, EventStatus
from events.planning import services as planning_services
from tests.factories import EventFactory, RegistrationFactory, SeriesFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
D = dt.date
NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=HELSINKI)
SERIES_LINK = "https://teams.microsoft.com/l/meetup-join/demo"
OWN_LINK = "https://teams.microsoft.com/l/meetup-join/guest-speaker"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _login(client, user, language):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _plan(series, **extra):
    data = {
        "series": series.pk,
        "first_date": "2026-05-01",
        "last_date": "2026-05-31",
        "breaks-TOTAL_FORMS": "1",
        "breaks-INITIAL_FORMS": "0",
        "action": "preview",
    }
    data.update(extra)
    return data


def test_a_session_with_its_own_time_and_link_is_previewed_and_created(clock, client, organiser):
    series = SeriesFactory(weekday=3, start_time=dt.time(14, 0), meeting_url=SERIES_LINK)
    _login(client, organiser, "en")
    url = reverse("events:organise_plan_term")

    first = client.post(url, _plan(series))  # Thursdays 7.5, 21.5, 28.5 (14.5 a holiday)
    assert first.status_code == 200
    body = first.content.decode()
    assert 'name="o-2026-05-21-start_time" value="14:00"' in body  # the series' time
    assert "Start time on 21.5.2026" in body  # each field labelled by its date
    assert "Own start time" not in body

    own = {
        "o-2026-05-07-start_time": "14:00",
        "o-2026-05-07-meeting_url": SERIES_LINK,
        "o-2026-05-21-start_time": "09:30",
        "o-2026-05-21-meeting_url": OWN_LINK,
        "o-2026-05-28-start_time": "14:00",
        "o-2026-05-28-meeting_url": SERIES_LINK,
    }
    preview = client.post(url, _plan(series, **own))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert body.count("Own start time") == 1 and body.count("Own meeting link") == 1
    assert 'name="o-2026-05-21-start_time" value="09:30"' in body
    assert not Event.objects.filter(series=series).exists()

    created = client.post(url, _plan(series, **own, action="confirm"))
    assert created.status_code == 302
    sessions = {
        e.starts_at.astimezone(HELSINKI).date(): e for e in Event.objects.filter(series=series)
    }
    assert sorted(sessions) == [D(2026, 5, 7), D(2026, 5, 21), D(2026, 5, 28)]
    moved = sessions[D(2026, 5, 21)]
    assert moved.starts_at.astimezone(HELSINKI).time() == dt.time(9, 30)
    assert moved.ends_at - moved.starts_at == dt.timedelta(minutes=60)
    assert moved.meeting_url == OWN_LINK
    other = sessions[D(2026, 5, 28)]
    assert other.starts_at.astimezone(HELSINKI).time() == dt.time(14, 0)
    assert other.meeting_url == SERIES_LINK


def test_a_bad_own_link_is_explained_and_nothing_is_created(clock, client, organiser):
    series = SeriesFactory(weekday=3)
    _login(client, organiser, "en")
    data = _plan(series, action="confirm", **{"o-2026-05-21-meeting_url": "not a link"})
    response = client.post(reverse("events:organise_plan_term"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Check the start times and links of the sessions." in body
    assert "Enter a valid URL." in body
    assert not Event.objects.filter(series=series).exists()


def test_five_breaks_are_accepted(clock, client, organiser):
    series = SeriesFactory(weekday=3)
    _login(client, organiser, "en")
    breaks = {"breaks-TOTAL_FORMS": "5"}
    for i, day in enumerate(range(4, 9)):  # five one-day breaks, 4.–8.5.
        breaks[f"breaks-{i}-name"] = f"Break {i + 1}"
        breaks[f"breaks-{i}-start"] = f"2026-05-0{day}"
        breaks[f"breaks-{i}-end"] = f"2026-05-0{day}"
    response = client.post(reverse("events:organise_plan_term"), _plan(series, **breaks))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Break 4" in body  # Thursday 7.5 is skipped for the fourth break
    assert "Create 2 sessions" in body  # 21.5 and 28.5


def test_add_a_break_without_javascript_adds_a_row_and_keeps_what_was_typed(
    clock, client, organiser
):
    series = SeriesFactory(weekday=3)
    _login(client, organiser, "en")
    data = _plan(
        series,
        action="add_break",
        **{
            "breaks-0-name": "Summer break",
            "breaks-0-start": "2026-06-15",
            "breaks-0-end": "2026-08-09",
        },
    )
    response = client.post(reverse("events:organise_plan_term"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="breaks-TOTAL_FORMS" value="2"' in body
    assert 'value="Summer break"' in body
    assert 'id="id_breaks-1-name"' in body
    assert "Name of the break (2)" in body
    assert "Please correct" not in body  # adding a row is no error
    assert 'value="2026-05-01"' in body  # the dates typed stay


def _capacity_edit(client, event, capacity):
    return client.post(reverse("events:capacity", args=[event.pk]), {"seats-capacity": capacity})


def test_a_capacity_change_appears_in_the_history_in_finnish(client, organiser):
    with time_machine.travel(dt.datetime(2026, 11, 23, 14, 5, tzinfo=HELSINKI), tick=False):
        event = EventFactory(
            status=EventStatus.PUBLISHED,
            capacity=20,
            starts_at=dt.datetime(2026, 12, 3, 14, 0, tzinfo=HELSINKI),
            ends_at=dt.datetime(2026, 12, 3, 15, 0, tzinfo=HELSINKI),
        )
        RegistrationFactory(event=event)
        _login(client, organiser, "fi")
        assert _capacity_edit(client, event, "25").status_code == 302  # the participants page
    assert EventChange.objects.get(event=event).changes == {"capacity": [20, 25]}
    page = client.get(reverse("events:organise_event_edit", args=[event.pk]))
    body = page.content.decode()
    assert "Paikkamäärä: 20 → 25" in body  # the field's Finnish name, not "capacity"
    assert "23.11.2026 klo 14.05" in body  # when, the Finnish way in Helsinki time


def test_the_history_shows_labels_local_times_choices_yes_no_and_names(client, organiser):
    event = EventFactory(status=EventStatus.PUBLISHED)
    EventChange.objects.create(
        event=event,
        changed_by=organiser,
        changes={
            "starts_at": ["2026-12-03T14:00:00+02:00", "2026-12-03T12:30:00+00:00"],
            "format": ["online", "in_person"],
            "teams_meeting_wanted": [True, False],
            "theme": [None, "Työkyvyn tuki"],
            "presenters": [[], ["Maija Meikäläinen"]],
            "capacity": [None, 30],
        },
    )
    _login(client, organiser, "fi")
    body = client.get(reverse("events:organise_event_edit", args=[event.pk])).content.decode()
    assert "Alkaa: 3.12.2026 klo 14.00 → 3.12.2026 klo 14.30" in body
    assert "2026-12-03T" not in body
    assert "Toteutustapa: Verkossa → Paikan päällä" in body
    assert "kyllä → ei" in body
    assert "Teema: – → Työkyvyn tuki" in body
    assert "Alustajat: – → Maija Meikäläinen" in body
    history = body.split("<caption>")[-1]  # the history table, after the form
    assert "starts_at" not in history and "in_person" not in history
    client.cookies["django_language"] = "en"
    body = client.get(reverse("events:organise_event_edit", args=[event.pk])).content.decode()
    assert "Format: Online → In person" in body
    assert "Capacity: no limit → 30" in body


def test_an_event_form_edit_of_capacity_is_kept_once(client, organiser):
    """The event form records capacity with its other changes, in one history entry."""
    event = EventFactory(status=EventStatus.PUBLISHED, capacity=20, title="Old")
    planning_services.update_event(event=event, by=organiser, capacity=25, title="New")
    change = EventChange.objects.get(event=event)
    assert change.changes == {"capacity": [20, 25], "title": ["Old", "New"]}
