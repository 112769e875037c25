"""A feed's ETag is worked out from its entries' stored digests: it follows the bytes."""

import pytest
from django.utils import translation

from events.calendars.feeds import (
    build_calendar,
    build_feed,
    entry_hash,
    feed_items,
    feed_months,
    store_entries,
    store_spans,
)
from events.calendars.selectors import calendar_feed_events
from events.models import CalendarEntry, Event, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _build(events=None):
    with translation.override("fi"):
        return build_feed(
            events if events is not None else calendar_feed_events(), name="K", description="D"
        )


def _fresh(events=None):
    events = events if events is not None else calendar_feed_events()
    with translation.override("fi"):
        return build_calendar(events=feed_items(events), name="K", description="D")


def test_the_etag_is_the_same_whether_entries_are_stored_or_written_here():
    events = [EventFactory(title=f"Tapahtuma {i}") for i in range(5)]
    written = _build()
    store_entries([events[1].pk, events[3].pk], "fi")  # some stored, some not
    mixed = _build()
    store_entries([event.pk for event in events], "fi")
    stored = _build()
    assert written.body == mixed.body == stored.body == _fresh()
    assert written.etag == mixed.etag == stored.etag
    assert _build().etag == stored.etag  # and it stays put


def test_the_etag_changes_when_an_entry_changes():
    event = EventFactory(title="Vanha otsikko")
    EventFactory()
    store_entries(Event.objects.values_list("pk", flat=True), "fi")
    before = _build()
    event.title = "Uusi otsikko"
    event.save()
    changed = _build()
    assert changed.body != before.body and changed.etag != before.etag
    store_entries([event.pk], "fi")
    assert _build() == changed


def test_stored_digests_are_of_the_stored_bytes():
    person = UserFactory()
    RegistrationFactory(user=person, status=RegistrationStatus.CONFIRMED)
    store_entries(Event.objects.values_list("pk", flat=True), "fi")
    for entry in CalendarEntry.objects.all():
        assert bytes(entry.text_hash) == entry_hash(entry.text.encode())
        assert bytes(entry.waitlisted_hash) == entry_hash(entry.waitlisted_text.encode())
        expected = (
            None if entry.confirmed_text is None else entry_hash(entry.confirmed_text.encode())
        )
        assert (None if entry.confirmed_hash is None else bytes(entry.confirmed_hash)) == expected


def test_a_personal_feed_mixing_stored_and_written_variants():
    person = UserFactory()
    waiting = RegistrationFactory(user=person, status=RegistrationStatus.WAITLISTED).event
    confirmed = RegistrationFactory(user=person, status=RegistrationStatus.CONFIRMED).event
    RegistrationFactory(user=person, status=RegistrationStatus.CONFIRMED)
    events = calendar_feed_events(person=person)
    written = _build(events)
    store_entries([waiting.pk, confirmed.pk], "fi")
    mixed = _build(calendar_feed_events(person=person))
    assert mixed.body == written.body == _fresh(calendar_feed_events(person=person))
    assert mixed.etag == written.etag
    assert b"STATUS:TENTATIVE" in mixed.body  # the waitlisted variant


def test_a_feed_over_several_months_keeps_its_order(django_assert_num_queries):
    for i in range(130):  # a row a month: 130 events over about four months
        EventFactory(title=f"Tapahtuma {i}")
    store_entries(Event.objects.values_list("pk", flat=True), "fi")
    from_entries = _build()
    assert store_spans(feed_months(calendar_feed_events()), "fi") >= 4
    with django_assert_num_queries(1):
        built = _build()
    assert built.body == from_entries.body == _fresh()
    assert built.etag == from_entries.etag
