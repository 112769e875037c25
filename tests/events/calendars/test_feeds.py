"""Feed and invitation content, parsed back with icalendar and independent parsers."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from django.utils import timezone, translation

from events.calendars.feeds import (
    build_calendar,
    event_uid,
    feed_items,
    fold,
    invitation_ics,
    single_event_ics,
)
from events.calendars.selectors import calendar_feed_events
from events.models import Event, EventStatus, RegistrationMode, RegistrationStatus
from events.planning.services import cancel_event, update_event
from tests.factories import (
    EventFactory,
    PresenterFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def _helsinki(year, month, day, hour=14):
    return dt.datetime(year, month, day, hour, tzinfo=HELSINKI)


@pytest.fixture
def winter_and_summer():
    """A winter and a summer event of next year: both ahead, winter first, on any day."""
    theme = ThemeFactory(title="Työkyky ja mielenterveys")
    next_year = timezone.localdate().year + 1
    winter_start = _helsinki(next_year, 1, 14)
    summer_start = _helsinki(next_year, 6, 10)
    winter = EventFactory(
        title="Talven Kohtaamo: ääkköset öljyssä ja pitkä otsikko joka taittuu useammalle riville",
        theme=theme,
        starts_at=winter_start,
        ends_at=winter_start + dt.timedelta(hours=1),
    )
    winter.presenters.add(PresenterFactory(name="Äijälä Örjan"))
    summer = EventFactory(
        title="Kesän Kohtaamo",
        starts_at=summer_start,
        ends_at=summer_start + dt.timedelta(hours=1),
        meeting_url="https://teams.microsoft.com/l/meetup-join/summer",
    )
    return winter, summer


def _feed(**filters) -> bytes:
    with translation.override("en"):
        return build_calendar(
            events=feed_items(calendar_feed_events(**filters)), name="Kohtaamo", description="All"
        )


@pytest.mark.date_sensitive
def test_times_right_in_winter_and_summer_in_two_parsers(winter_and_summer):
    winter, summer = winter_and_summer
    body = _feed()

    cal = icalendar.Calendar.from_ical(body)
    starts = {str(e["uid"]): e.decoded("dtstart") for e in cal.walk("VEVENT")}
    assert starts[event_uid(winter)].astimezone(UTC).hour == 12
    assert starts[event_uid(summer)].astimezone(UTC).hour == 11

    # vobject resolves the TZID through our own VTIMEZONE (yearly RRULE form).
    parsed = vobject.readOne(body.decode("utf-8"))
    by_uid = {v.uid.value: v.dtstart.value for v in parsed.vevent_list}
    assert by_uid[event_uid(winter)].astimezone(UTC) == winter.starts_at.astimezone(UTC)
    assert by_uid[event_uid(winter)].astimezone(UTC).time() == dt.time(12, 0)
    assert by_uid[event_uid(summer)].astimezone(UTC).time() == dt.time(11, 0)

    # recurring-ical-events: the events are found on their days, at the right instant.
    found = recurring_ical_events.of(cal).between(
        winter.starts_at - dt.timedelta(days=1), summer.ends_at + dt.timedelta(days=1)
    )
    instants = sorted(e.decoded("dtstart").astimezone(UTC) for e in found)
    assert instants == [winter.starts_at.astimezone(UTC), summer.starts_at.astimezone(UTC)]


def test_timezone_written_with_yearly_rules_not_rdate_lists(winter_and_summer):
    body = _feed().decode()
    vtimezone = body[body.index("BEGIN:VTIMEZONE") : body.index("END:VTIMEZONE")]
    assert "TZID:Europe/Helsinki" in vtimezone
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in vtimezone
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in vtimezone
    assert "RDATE" not in vtimezone
    assert body.count("BEGIN:VTIMEZONE") == 1


def test_calendar_properties_clients_need(winter_and_summer):
    body = _feed()
    text = body.decode()
    cal = icalendar.Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    assert cal["CALSCALE"] == "GREGORIAN"
    assert cal["METHOD"] == "PUBLISH"
    assert cal["X-WR-CALNAME"] == "Kohtaamo" and cal["NAME"] == "Kohtaamo"
    assert cal["X-WR-TIMEZONE"] == "Europe/Helsinki"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in text
    assert "X-PUBLISHED-TTL:PT6H\r\n" in text


def test_event_properties(winter_and_summer):
    winter, _summer = winter_and_summer
    # A drop-in session: its meeting link is for everyone, so the public feed carries it.
    Event.objects.filter(pk=winter.pk).update(registration_mode=RegistrationMode.DROP_IN)
    winter.refresh_from_db()  # adding the presenter moved updated_at, maybe past a second
    cal = icalendar.Calendar.from_ical(_feed())
    vevents = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    vevent = vevents[event_uid(winter)]
    assert str(vevent["summary"]).startswith("Talven Kohtaamo")
    description = str(vevent["description"])
    assert "Työkyky ja mielenterveys" in description
    assert "Äijälä Örjan" in description
    assert winter.meeting_url in description
    assert f"/events/{winter.pk}/" in description
    assert str(vevent["url"]).endswith(f"/events/{winter.pk}/")
    assert str(vevent["conference"]) == winter.meeting_url
    assert vevent["conference"].params["FEATURE"] == "VIDEO"
    assert vevent["status"] == "CONFIRMED"
    assert vevent["sequence"] == winter.sequence
    assert vevent.decoded("dtstamp") == winter.updated_at.replace(microsecond=0)
    assert vevent.decoded("last-modified") == winter.updated_at.replace(microsecond=0)
    assert "LOCATION" in vevent


def test_lines_crlf_and_folded_at_75_octets_with_finnish_letters(winter_and_summer):
    body = _feed()
    lines = body.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare LF anywhere
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # long lines were folded
    body.decode("utf-8")  # folding never split a two-byte letter in a way that breaks UTF-8
    assert "ääkköset öljyssä" in icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["summary"]


@pytest.mark.date_sensitive
def test_stable_uids_and_identical_bytes_across_builds(winter_and_summer):
    first = _feed()
    second = _feed()
    assert first == second
    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert uids == [event_uid(e) for e in winter_and_summer]
    assert len(set(uids)) == 2


@pytest.mark.date_sensitive
def test_cancelled_event_kept_30_days_as_cancelled(winter_and_summer):
    winter, summer = winter_and_summer
    Event.objects.filter(pk=winter.pk).update(
        status=EventStatus.CANCELLED, cancelled_at=timezone.now() - dt.timedelta(days=29)
    )
    Event.objects.filter(pk=summer.pk).update(
        status=EventStatus.CANCELLED, cancelled_at=timezone.now() - dt.timedelta(days=31)
    )
    body = _feed()
    vevents = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert [str(v["uid"]) for v in vevents] == [event_uid(winter)]
    assert vevents[0]["status"] == "CANCELLED"
    parsed = vobject.readOne(body.decode())
    assert parsed.vevent.status.value == "CANCELLED"


@pytest.mark.date_sensitive
def test_window_is_six_months_back_and_the_whole_future():
    now = timezone.now()
    old = EventFactory(starts_at=now - dt.timedelta(days=200), ends_at=now - dt.timedelta(days=199))
    recent = EventFactory(
        starts_at=now - dt.timedelta(days=150), ends_at=now - dt.timedelta(days=149)
    )
    far = EventFactory(
        starts_at=now + dt.timedelta(days=900), ends_at=now + dt.timedelta(days=900, hours=1)
    )
    assert set(calendar_feed_events()) == {recent, far}
    assert old.pk not in {e.pk for e in calendar_feed_events()}


@pytest.mark.date_sensitive
def test_sequence_raised_after_time_change_reaches_the_feed(winter_and_summer, organiser):
    winter, _ = winter_and_summer
    RegistrationFactory(event=winter)
    before = icalendar.Calendar.from_ical(_feed()).walk("VEVENT")[0]
    update_event(
        event=winter,
        by=organiser,
        starts_at=winter.starts_at + dt.timedelta(hours=1),
        ends_at=winter.ends_at + dt.timedelta(hours=1),
    )
    after = icalendar.Calendar.from_ical(_feed()).walk("VEVENT")[0]
    assert after["uid"] == before["uid"]
    assert after["sequence"] == before["sequence"] + 1
    assert after.decoded("dtstart") - before.decoded("dtstart") == dt.timedelta(hours=1)
    assert after.decoded("dtstart").astimezone(UTC).time() == dt.time(13, 0)
    assert after.decoded("dtstamp") >= before.decoded("dtstamp")


def test_cancel_through_the_service_keeps_the_event_as_cancelled(winter_and_summer, organiser):
    winter, _ = winter_and_summer
    cancel_event(event=winter, by=organiser, reason="Sairastuminen")
    vevent = next(
        v
        for v in icalendar.Calendar.from_ical(_feed()).walk("VEVENT")
        if str(v["uid"]) == event_uid(winter)
    )
    assert vevent["status"] == "CANCELLED"
    assert vevent["sequence"] == 1


def test_personal_events_mark_waitlist():
    confirmed = RegistrationFactory(status=RegistrationStatus.CONFIRMED)
    person = confirmed.user
    waiting = RegistrationFactory(user=person, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(user=person, status=RegistrationStatus.CANCELLED)
    with translation.override("en"):
        body = build_calendar(
            events=feed_items(calendar_feed_events(person=person)), name="Mine", description="Mine"
        )
    vevents = {str(v["uid"]): v for v in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert set(vevents) == {event_uid(confirmed.event), event_uid(waiting.event)}
    assert vevents[event_uid(waiting.event)]["summary"].startswith("[Waitlist] ")
    assert vevents[event_uid(waiting.event)]["status"] == "TENTATIVE"
    assert vevents[event_uid(confirmed.event)]["status"] == "CONFIRMED"
    assert not vevents[event_uid(confirmed.event)]["summary"].startswith("[")


def test_single_event_download_has_no_calendar_name(winter_and_summer):
    winter, _ = winter_and_summer
    cal = icalendar.Calendar.from_ical(single_event_ics(event=winter))
    assert "X-WR-CALNAME" not in cal
    assert [str(v["uid"]) for v in cal.walk("VEVENT")] == [event_uid(winter)]


def test_invitation_request_and_cancel_share_the_feed_uid(winter_and_summer):
    winter, _ = winter_and_summer
    winter.sequence = 3
    registration = RegistrationFactory(event=winter, name="Liisa Ääri", email="liisa@example.fi")
    request = icalendar.Calendar.from_ical(
        invitation_ics(event=winter, method="REQUEST", registration=registration)
    )
    assert request["METHOD"] == "REQUEST"
    vevent = request.walk("VEVENT")[0]
    assert str(vevent["uid"]) == event_uid(winter)
    assert vevent["sequence"] == 3
    assert str(vevent["organizer"]).startswith("mailto:")
    attendee = vevent["attendee"]
    assert str(attendee) == "mailto:liisa@example.fi"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["CN"] == "Liisa Ääri"

    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = winter.updated_at + dt.timedelta(minutes=5)
    cancel_bytes = invitation_ics(event=winter, method="CANCEL", registration=registration)
    cancel = icalendar.Calendar.from_ical(cancel_bytes)
    assert cancel["METHOD"] == "CANCEL"
    cancelled = cancel.walk("VEVENT")[0]
    assert str(cancelled["uid"]) == event_uid(winter)
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["sequence"] == 3
    assert cancelled.decoded("dtstamp") > vevent.decoded("dtstamp")
    assert vobject.readOne(cancel_bytes.decode()).vevent.uid.value == event_uid(winter)


def test_invitation_refuses_unknown_method(winter_and_summer):
    registration = RegistrationFactory(event=winter_and_summer[0])
    with pytest.raises(ValueError, match="Unsupported iTIP method"):
        invitation_ics(event=registration.event, method="PUBLISH", registration=registration)


def test_series_and_theme_filters():
    series = SeriesFactory()
    theme = ThemeFactory()
    in_series = EventFactory(series=series)
    on_theme = EventFactory(theme=theme)
    assert list(calendar_feed_events(series=series)) == [in_series]
    assert list(calendar_feed_events(theme=theme)) == [on_theme]


@pytest.mark.parametrize("letter", ["ä", "€", "🙂"])
def test_folding_never_splits_a_letter_and_unfolds_to_the_original(letter):
    for length in range(60, 200, 7):
        line = "DESCRIPTION:" + (letter + "a") * length
        folded = fold(line)
        parts = folded[:-2].split(b"\r\n")
        assert all(len(part) <= 75 for part in parts)
        for part in parts:
            part.decode("utf-8")  # each physical line is valid UTF-8 by itself
        assert b"".join(p[1:] if i else p for i, p in enumerate(parts)).decode() == line


def test_text_values_escaped_and_read_back(winter_and_summer):
    winter, _ = winter_and_summer
    winter.description = 'Rivi 1; pilkku, kenoviiva \\ ja "lainaus"\nRivi 2: työpaja'
    winter.place = "Kuopio; Puijonkatu 1, 2. krs"
    winter.save()
    cal = icalendar.Calendar.from_ical(_feed())
    vevent = next(v for v in cal.walk("VEVENT") if str(v["uid"]) == event_uid(winter))
    assert winter.description in str(vevent["description"])
    assert str(vevent["location"]) == winter.place
    parsed = vobject.readOne(_feed().decode())
    by_uid = {v.uid.value: v for v in parsed.vevent_list}
    assert winter.description in by_uid[event_uid(winter)].description.value
    assert by_uid[event_uid(winter)].location.value == winter.place
