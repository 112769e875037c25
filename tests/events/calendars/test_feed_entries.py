"""Stored feed entries and remembered ETags: fast feeds that still follow every change."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core.cache import cache
from django.db.models import F
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from events.calendars.feeds import (
    ETAG_TRUSTED_SECONDS,
    FEED_FORMAT_VERSION,
    build_calendar,
    event_uid,
    feed_body,
    feed_items,
    store_entries,
)
from events.calendars.selectors import calendar_feed_events
from events.calendars.tasks import prune_calendar_entries
from events.calendars.views import _remembered_key, forget_local_state
from events.models import CalendarEntry, Event, RegistrationStatus
from events.planning.services import save_planning_record, update_event
from tests.factories import (
    EventFactory,
    PresenterFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALL = reverse("calendar:all")


def _store_all(language: str) -> None:
    store_entries(Event.objects.values_list("pk", flat=True), language)


def _vevents(body: bytes) -> dict[str, icalendar.Event]:
    return {str(v["uid"]): v for v in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _fresh_get(client, url: str = ALL, **headers):
    """A request that cannot be answered from the cached body or fingerprint."""
    cache.clear()
    forget_local_state()  # and this worker's memo: as in another worker
    return client.get(url, **headers)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_feed_from_stored_entries_is_byte_identical_to_a_fresh_build(language):
    theme = ThemeFactory(title="Työkyky ja jaksaminen")
    first = EventFactory(theme=theme, title="", description="Rivi 1; pilkku, ja ä" * 9)
    first.presenters.add(PresenterFactory(name="Åsa Öberg"), PresenterFactory(name="Pekka"))
    EventFactory(place="Kuopio", meeting_url="")
    _store_all(language)
    events = calendar_feed_events()
    with translation.override(language):
        stored = feed_body(events, name="Kohtaamo", description="Kaikki")
        fresh = build_calendar(events=feed_items(events), name="Kohtaamo", description="Kaikki")
    assert stored == fresh
    assert CalendarEntry.objects.filter(language=language).count() == 2


def test_personal_feed_uses_the_waitlisted_variant_of_an_entry():
    person = UserFactory()
    waiting = RegistrationFactory(user=person, status=RegistrationStatus.WAITLISTED).event
    confirmed = RegistrationFactory(user=person, status=RegistrationStatus.CONFIRMED).event
    _store_all("en")
    events = calendar_feed_events(person=person)
    with translation.override("en"):
        body = feed_body(events, name="Mine", description="Mine")
        assert body == build_calendar(events=feed_items(events), name="Mine", description="Mine")
    vevents = _vevents(body)
    assert vevents[event_uid(waiting)]["summary"].startswith("[Waitlist] ")
    assert vevents[event_uid(waiting)]["status"] == "TENTATIVE"
    assert vevents[event_uid(confirmed)]["status"] == "CONFIRMED"


def test_a_changed_event_is_written_again_not_read_from_its_old_entry(client, organiser):
    event = EventFactory(title="Vanha otsikko")
    _store_all("fi")
    etag = client.get(ALL)["ETag"]
    update_event(event=event, by=organiser, title="Uusi otsikko")
    response = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert _vevents(response.content)[event_uid(event)]["summary"] == "Uusi otsikko"


def test_renaming_a_theme_reaches_the_feed_at_once(client, organiser):
    theme = ThemeFactory(title="Vanha teema")
    event = EventFactory(theme=theme, title="")
    _store_all("fi")
    etag = client.get(ALL)["ETag"]
    theme.title = "Uusi teema"
    save_planning_record(instance=theme, by=organiser)
    response = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert _vevents(response.content)[event_uid(event)]["summary"] == "Uusi teema"


def test_renaming_removing_and_adding_presenters_reach_the_feed(client):
    event = EventFactory()
    presenter = PresenterFactory(name="Maija Meikäläinen")
    event.presenters.add(presenter)
    _store_all("fi")
    assert "Maija Meikäläinen" in str(
        _vevents(client.get(ALL).content)[event_uid(event)]["description"]
    )

    presenter.name = "Maija Virtanen"
    presenter.save()
    assert "Maija Virtanen" in str(
        _vevents(client.get(ALL).content)[event_uid(event)]["description"]
    )

    _store_all("fi")
    presenter.events.remove(event)  # from the presenter's side
    assert "Maija" not in str(_vevents(client.get(ALL).content)[event_uid(event)]["description"])

    _store_all("fi")
    event.presenters.add(PresenterFactory(name="Ville Vieras"))
    assert "Ville Vieras" in str(_vevents(client.get(ALL).content)[event_uid(event)]["description"])


def test_a_new_site_address_is_not_served_from_old_entries(client):
    event = EventFactory()
    _store_all("fi")
    with override_settings(SITE_URL="https://kohtaamo.example.fi"):
        vevent = _vevents(_fresh_get(client).content)[event_uid(event)]
    assert str(vevent["url"]) == f"https://kohtaamo.example.fi/events/{event.pk}/"
    assert str(vevent["uid"]) == f"event-{event.pk}@kohtaamo.example.fi"


def test_a_registration_changes_the_personal_feed_at_once(client):
    person = UserFactory()
    url = reverse("calendar:personal", kwargs={"token": person.calendar_token})
    first = client.get(url)
    event = EventFactory()
    RegistrationFactory(user=person, event=event, status=RegistrationStatus.CONFIRMED)
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert event_uid(event) in _vevents(response.content)


def test_storing_is_idempotent_and_follows_the_request(client, django_capture_on_commit_callbacks):
    EventFactory()
    EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(ALL, HTTP_ACCEPT_LANGUAGE="sv")
    assert set(CalendarEntry.objects.values_list("language", flat=True)) == {"sv"}
    _store_all("sv")  # a second worker storing the same entries
    assert CalendarEntry.objects.count() == 2
    assert _fresh_get(client, HTTP_ACCEPT_LANGUAGE="sv").content == first.content


def test_a_change_the_signals_cannot_see_is_picked_up_when_the_etag_is_no_longer_trusted(client):
    event = EventFactory(place="Kuopio")
    etag = client.get(ALL)["ETag"]
    # QuerySet.update() goes around the models: no signal, no new generation.
    Event.objects.filter(pk=event.pk).update(
        place="Iisalmi", updated_at=F("updated_at") + dt.timedelta(seconds=1)
    )
    assert client.get(ALL, HTTP_IF_NONE_MATCH=etag).status_code == 304  # remembered
    later = timezone.now() + dt.timedelta(seconds=ETAG_TRUSTED_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        response = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert _vevents(response.content)[event_uid(event)]["location"] == "Iisalmi"


def test_an_unchanged_feed_keeps_its_etag_and_last_modified_after_a_rebuild(client):
    EventFactory()
    first = client.get(ALL)
    later = timezone.now() + dt.timedelta(seconds=ETAG_TRUSTED_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        since = client.get(ALL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
        assert since["ETag"] == first["ETag"]


@pytest.mark.date_sensitive
def test_entries_of_events_older_than_any_feed_are_pruned_daily():
    old = EventFactory(
        starts_at=timezone.now() - dt.timedelta(days=200),
        ends_at=timezone.now() - dt.timedelta(days=200) + dt.timedelta(hours=1),
    )
    recent = EventFactory(
        starts_at=timezone.now() - dt.timedelta(days=10),
        ends_at=timezone.now() - dt.timedelta(days=10) + dt.timedelta(hours=1),
    )
    _store_all("fi")
    _store_all("sv")
    assert prune_calendar_entries.delay().get() == 2
    assert set(CalendarEntry.objects.values_list("event_id", flat=True)) == {recent.pk}
    assert Event.objects.filter(pk=old.pk).exists()  # the event itself stays


@pytest.mark.parametrize(
    "left_by_another_release",
    [("v1", "etag"), (FEED_FORMAT_VERSION + 1, "g", "d"), (FEED_FORMAT_VERSION, "g"), "text"],
)
def test_a_remembered_version_from_another_release_is_built_again(client, left_by_another_release):
    event = EventFactory()
    cache.set(_remembered_key("all", "fi"), left_by_another_release)
    response = client.get(ALL)
    assert response.status_code == 200
    assert event_uid(event) in _vevents(response.content)
