"""A feed's months stored as spans (joined and compressed once) give the same feed, plain and
gzip, as one joined from entries; a changed month is never read from an old span."""

import datetime as dt
import gzip
import zlib

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from events.calendars.feeds import (
    SPAN_KEPT,
    build_calendar,
    build_feed,
    feed_items,
    feed_months,
    prune_entries,
    store_entries,
    store_spans,
)
from events.calendars.selectors import FEED_PAST, calendar_feed_events, feed_now
from events.calendars.views import forget_local_state
from events.models import CalendarSpan, Event, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="spans are read by PostgreSQL's join"
)
ALL = reverse("calendar:all")


def _events_over_months(count: int = 40) -> list[Event]:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    return [
        EventFactory(title=f"Tapahtuma {i}", starts_at=start + dt.timedelta(days=5 * i))
        for i in range(count)
    ]


def _build(events=None, *, gzipped: bool = False):
    with translation.override("fi"):
        return build_feed(
            events if events is not None else calendar_feed_events(),
            name="K",
            description="D",
            gzipped=gzipped,
        )


def _fresh(events=None) -> bytes:
    with translation.override("fi"):
        return build_calendar(
            events=feed_items(events if events is not None else calendar_feed_events()),
            name="K",
            description="D",
        )


def _store_everything() -> int:
    store_entries(Event.objects.values_list("pk", flat=True), "fi")
    return store_spans(feed_months(calendar_feed_events()), "fi")


def test_the_gzip_body_is_the_plain_body_compressed_however_its_months_were_read():
    events = _events_over_months()
    written = _build(gzipped=True)  # no entries stored: every event written here
    store_entries([event.pk for event in events[::3]], "fi")
    mixed = _build(gzipped=True)
    _store_everything()
    stored = _build(gzipped=True)
    plain = _build()
    assert gzip.decompress(stored.body) == plain.body == _fresh()
    assert written.body == mixed.body == stored.body  # the same bytes for the same ETag
    assert written.etag == mixed.etag == stored.etag == plain.etag
    # One gzip member, as every client reads it, with nothing after it.
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert reader.decompress(stored.body) == plain.body and reader.eof and not reader.unused_data


def test_an_empty_feed_in_gzip():
    assert gzip.decompress(_build(gzipped=True).body) == _build().body == _fresh()


@on_postgres
def test_a_month_with_a_stored_span_is_read_from_it():
    _events_over_months()
    assert _store_everything() >= 6
    first = CalendarSpan.objects.order_by("pk").first()
    # Marked, to see that the build reads the span (found by the digest of its members that
    # PostgreSQL works out) and not the month's entries.
    CalendarSpan.objects.filter(pk=first.pk).update(text=first.text.replace("Tapahtuma", "SPAN"))
    assert b"SUMMARY;LANGUAGE=fi:SPAN" in _build().body


@on_postgres
def test_a_changed_event_is_not_read_from_its_months_old_span():
    events = _events_over_months()
    _store_everything()
    events[7].title = "Siirretty tilaisuus"
    events[7].save()
    plain, packed = _build(), _build(gzipped=True)
    assert b"SUMMARY;LANGUAGE=fi:Siirretty tilaisuus" in plain.body
    assert plain.body == _fresh() == gzip.decompress(packed.body)
    # Once its entry and its month are stored again, the month is read from its new span.
    assert _store_everything() >= 1
    assert _build().body == plain.body and _build(gzipped=True).body == packed.body


@on_postgres
def test_an_event_leaving_a_month_is_not_read_from_its_span():
    events = _events_over_months()
    _store_everything()
    events[4].delete()
    assert _build().body == _fresh()
    assert b"Tapahtuma 4\r\n" not in _build().body


@on_postgres
def test_personal_feeds_are_joined_from_entries_not_spans():
    person = UserFactory()
    events = _events_over_months(12)
    RegistrationFactory(user=person, event=events[2], status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(user=person, event=events[3], status=RegistrationStatus.WAITLISTED)
    _store_everything()
    CalendarSpan.objects.update(text="SPAN")
    mine = calendar_feed_events(person=person)
    built = _build(mine)
    assert b"SPAN" not in built.body
    assert built.body == _fresh(calendar_feed_events(person=person))
    assert gzip.decompress(_build(calendar_feed_events(person=person), gzipped=True).body) == (
        built.body
    )


def test_old_spans_are_pruned_and_current_ones_kept():
    _events_over_months(12)
    now = timezone.now()
    with time_machine.travel(now - SPAN_KEPT - dt.timedelta(hours=1), tick=False):
        old = _store_everything()
    CalendarSpan.objects.update(language="sv")  # stands for spans of an old month
    fresh = _store_everything()
    assert CalendarSpan.objects.count() == old + fresh
    prune_entries(now)
    assert CalendarSpan.objects.count() == fresh
    assert not CalendarSpan.objects.filter(language="sv").exists()


def test_a_calendar_app_asking_for_gzip_gets_the_plain_feed_compressed(client):
    _events_over_months(20)
    plain = client.get(ALL)
    packed = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert "Accept-Encoding" in packed["Vary"]
    # Built again elsewhere (another worker, with no shared cache): the same bytes.
    cache.clear()
    forget_local_state()
    again = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == packed.content and again["ETag"] == packed["ETag"]
    assert (
        client.get(ALL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]).status_code
        == 304
    )


@on_postgres
def test_the_feeds_query_is_prepared_once_per_connection():
    # Django turns psycopg's prepared statements off unless the settings give a threshold;
    # then the feed's query would be planned again on every request.
    _events_over_months(6)
    _store_everything()
    first = _build(gzipped=True).body
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%events_calendarspan%"],
        )
        assert cursor.fetchone()[0] == 1
    assert _build(gzipped=True).body == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 1


def test_a_feed_built_again_within_its_minute_shows_what_changed(client):
    # The worker keeps the feed's compiled statement for the minute: data changes still show.
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 58, 10, tzinfo=dt.UTC), tick=False):
        _events_over_months(3)
        first = client.get(ALL).content
        EventFactory(title="Uusi tapahtuma", starts_at=timezone.now() + dt.timedelta(days=2))
        second = client.get(ALL).content
    assert b"Uusi tapahtuma" not in first
    assert b"Uusi tapahtuma" in second
    assert second.count(b"BEGIN:VEVENT") == first.count(b"BEGIN:VEVENT") + 1


def test_the_feeds_window_moves_a_minute_at_a_time():
    at = dt.datetime(2026, 6, 21, 12, 30, 45, 123456, tzinfo=dt.UTC)
    with time_machine.travel(at, tick=False):
        assert feed_now() == dt.datetime(2026, 6, 21, 12, 30, tzinfo=dt.UTC)
        # An event that started just inside the six months is in the feed all that minute.
        EventFactory(title="Reunalla", starts_at=feed_now() - FEED_PAST + dt.timedelta(seconds=1))
        assert calendar_feed_events().filter(title="Reunalla").exists()


@on_postgres
def test_a_feed_read_from_its_compiled_statement_builds_no_queryset_until_an_entry_is_missing():
    # Building the QuerySet costs a third of a 1,000-event build: only a new entry needs it.
    with time_machine.travel(dt.datetime(2026, 6, 21, 12, 30, 5, tzinfo=dt.UTC), tick=False):
        _events_over_months(4)
        _store_everything()
        built: list[int] = []

        def events():
            built.append(1)
            return calendar_feed_events()

        def build() -> bytes:
            with translation.override("fi"):
                key = ("test-feed", feed_now())
                return build_feed(events, name="K", description="D", statement_key=key).body

        first = build()
        assert build() == first and len(built) == 1
        EventFactory(title="Ilman merkintää", starts_at=timezone.now() + dt.timedelta(days=2))
        assert b"Ilman merkint" in build()
        assert len(built) == 2
