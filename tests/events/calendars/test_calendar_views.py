"""Calendar feeds over HTTP: headers, conditional requests, tokens, leaks and query counts."""

import datetime as dt
import gzip
import time

import icalendar
import pytest
import vobject
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from events.calendars import feeds, views
from events.calendars.feeds import event_uid
from events.calendars.views import forget_local_state
from events.models import Audience, Event, EventKind, EventStatus, RegistrationStatus
from events.planning.services import cancel_event
from tests.factories import (
    EventFactory,
    NetworkFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALL = reverse("calendar:all")


def _uids(response) -> set[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return {str(v["uid"]) for v in icalendar.Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
def private_events():
    """A draft, a network-only event and a public one, all in the same series and theme."""
    series = SeriesFactory(slug="kohtaamot")
    theme = ThemeFactory(slug="tyokyky")
    network = NetworkFactory(slug="valmennus")
    common = {"series": series, "theme": theme, "kind": EventKind.KOHTAAMO}
    public = EventFactory(**common)
    draft = EventFactory(status=EventStatus.DRAFT, **common)
    members_only = EventFactory(audience=Audience.NETWORKS, **common)
    members_only.audience_networks.add(network)
    return public, draft, members_only, network


def test_public_feed_headers(client):
    EventFactory()
    response = client.get(ALL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=900"
    assert b"BEGIN:VCALENDAR\r\n" in response.content


def test_conditional_request_gets_304_until_something_changes(client):
    event = EventFactory()
    EventFactory()
    first = client.get(ALL)
    etag = first["ETag"]

    again = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    since = client.get(ALL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304

    event.place = "Kuopio, Puijonkatu 1"
    event.save()
    changed = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Puijonkatu" in changed.content


def test_deleting_an_event_changes_the_etag(client):
    EventFactory()
    gone = EventFactory()
    etag = client.get(ALL)["ETag"]
    gone.delete()
    response = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert event_uid(gone) not in _uids(response)


def test_cancellation_reaches_the_feed_and_changes_etag(client, organiser):
    event = EventFactory()
    etag = client.get(ALL)["ETag"]
    cancel_event(event=event, by=organiser, reason="")
    response = client.get(ALL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    vevent = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert vevent["status"] == "CANCELLED"


def test_language_from_query_parameter(client):
    EventFactory()
    english = client.get(ALL, {"lang": "en"})
    assert icalendar.Calendar.from_ical(english.content)["X-WR-CALNAME"] == "Kohtaamo events"
    swedish = client.get(ALL, {"lang": "sv"})
    assert swedish["ETag"] != english["ETag"]


def test_unknown_series_theme_kind_give_404(client):
    for url in (
        reverse("calendar:series", kwargs={"slug": "no-such"}),
        reverse("calendar:theme", kwargs={"slug": "no-such"}),
        reverse("calendar:kind", kwargs={"kind": "no-such"}),
    ):
        assert client.get(url).status_code == 404


def test_series_theme_kind_feeds(client, private_events):
    public, _draft, _members_only, _ = private_events
    for url in (
        reverse("calendar:series", kwargs={"slug": "kohtaamot"}),
        reverse("calendar:theme", kwargs={"slug": "tyokyky"}),
        reverse("calendar:kind", kwargs={"kind": EventKind.KOHTAAMO}),
        ALL,
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert _uids(response) == {event_uid(public)}, url


def test_no_public_feed_or_download_leaks_drafts_or_network_events(client, private_events):
    public, draft, members_only, _ = private_events
    assert client.get(reverse("calendar:event", kwargs={"pk": public.pk})).status_code == 200
    for hidden in (draft, members_only):
        assert client.get(reverse("calendar:event", kwargs={"pk": hidden.pk})).status_code == 404


def test_network_feed_needs_its_token(client, private_events):
    _public, _draft, members_only, network = private_events
    url = reverse(
        "calendar:network", kwargs={"slug": network.slug, "token": network.calendar_token}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert _uids(response) == {event_uid(members_only)}
    parsed = vobject.readOne(response.content.decode())
    assert parsed.vevent.uid.value == event_uid(members_only)

    wrong = reverse("calendar:network", kwargs={"slug": network.slug, "token": "x" * 43})
    assert client.get(wrong).status_code == 404
    other = NetworkFactory()
    crossed = reverse(
        "calendar:network", kwargs={"slug": other.slug, "token": network.calendar_token}
    )
    assert client.get(crossed).status_code == 404
    unknown = reverse("calendar:network", kwargs={"slug": "nope", "token": network.calendar_token})
    assert client.get(unknown).status_code == 404


def test_personal_feed_holds_confirmed_and_waitlisted_events(client, private_events):
    public, draft, members_only, _ = private_events
    person = UserFactory(language="en")
    RegistrationFactory(user=person, event=public, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(user=person, event=members_only, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(user=person, event=draft, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(user=person, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(status=RegistrationStatus.CONFIRMED)  # someone else's

    response = client.get(reverse("calendar:personal", kwargs={"token": person.calendar_token}))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    cal = icalendar.Calendar.from_ical(response.content)
    vevents = {str(v["uid"]): v for v in cal.walk("VEVENT")}
    assert set(vevents) == {event_uid(public), event_uid(members_only)}
    waiting = vevents[event_uid(members_only)]
    assert waiting["summary"].startswith("[Waitlist] ")  # the person's language: English
    assert waiting["status"] == "TENTATIVE"


def test_personal_feed_changes_when_a_registration_is_cancelled(client):
    registration = RegistrationFactory()
    url = reverse("calendar:personal", kwargs={"token": registration.user.calendar_token})
    etag = client.get(url)["ETag"]
    registration.status = RegistrationStatus.CANCELLED
    registration.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert _uids(response) == set()


def test_personal_feed_refuses_wrong_and_revoked_tokens(client):
    registration = RegistrationFactory()
    person = registration.user
    assert client.get(reverse("calendar:personal", kwargs={"token": "x" * 43})).status_code == 404
    old = person.calendar_token
    type(person).objects.filter(pk=person.pk).update(calendar_token="rotated-" + "y" * 35)
    assert client.get(reverse("calendar:personal", kwargs={"token": old})).status_code == 404
    person.is_active = False
    person.save()
    assert (
        client.get(
            reverse("calendar:personal", kwargs={"token": "rotated-" + "y" * 35})
        ).status_code
        == 404
    )


def test_single_event_download(client):
    event = EventFactory(title="Yksi tapahtuma")
    response = client.get(reverse("calendar:event", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert _uids(response) == {event_uid(event)}
    again = client.get(
        reverse("calendar:event", kwargs={"pk": event.pk}), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def _many_events(n: int) -> None:
    start = timezone.now() + dt.timedelta(days=3)
    Event.objects.bulk_create(
        Event(
            title=f"Tapahtuma {i}",
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=1),
            status=EventStatus.PUBLISHED,
            meeting_url="https://teams.microsoft.com/l/meetup-join/demo",
        )
        for i in range(n)
    )


# Queueing the storing of entries writes one outbox row: one INSERT … ON CONFLICT
# (outbox.services.enqueue), whatever the feed's size.
OUTBOX_ROW = 1


@pytest.mark.parametrize("n", [10, 500])
def test_fixed_query_count(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, n
):
    _many_events(n)
    # First build: the events with their stored entries (none yet), the events to write
    # and their presenters. Storing the entries is queued for later: an outbox row.
    with django_capture_on_commit_callbacks() as queued, django_assert_num_queries(3 + OUTBOX_ROW):
        first = client.get(ALL)
    assert len(_uids(first)) == n
    # Unchanged feed: its ETag and body come from the cache, no query at all.
    with django_assert_num_queries(0):
        cached = client.get(ALL)
    assert cached.content == first.content
    with django_assert_num_queries(0):
        assert client.get(ALL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Once the worker has stored the entries, a build is one read, and storing its months
    # as spans is queued; once they are stored, a build is one read.
    for callback in queued:
        callback()
    cache.clear()
    forget_local_state()  # and this worker's memo: as in another worker
    spans = 1 if connection.vendor == "postgresql" else 0  # spans are PostgreSQL's
    with (
        django_capture_on_commit_callbacks() as queued,
        django_assert_num_queries(1 + spans * OUTBOX_ROW),
    ):
        rebuilt = client.get(ALL)
    assert rebuilt.content == first.content
    for callback in queued:
        callback()
    cache.clear()
    forget_local_state()
    with django_assert_num_queries(1):
        from_spans = client.get(ALL)
    assert from_spans.content == first.content


@pytest.mark.parametrize("n", [10, 500])
def test_fixed_query_count_personal(client, django_assert_num_queries, n):
    person = UserFactory()
    _many_events(n)
    RegistrationFactory(user=person, event=Event.objects.first())
    url = reverse("calendar:personal", kwargs={"token": person.calendar_token})
    # Person, events with entries, the event to write, its presenters; the outbox row.
    with django_assert_num_queries(4 + OUTBOX_ROW):
        assert client.get(url).status_code == 200
    # Then only the person: ETag and body are cached.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_subscribe_page(client):
    series = SeriesFactory(name="Kohtaamot")
    theme = ThemeFactory(title="Mielenterveys")
    EventFactory(series=series, theme=theme)
    EventFactory(status=EventStatus.DRAFT, theme=ThemeFactory(title="Salainen"))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("calendar:subscribe"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "webcal://" in html
    assert reverse("calendar:series", kwargs={"slug": series.slug}) in html
    assert reverse("calendar:theme", kwargs={"slug": theme.slug}) in html
    assert reverse("calendar:kind", kwargs={"kind": EventKind.WORKSHOP}) in html
    assert "Salainen" not in html
    for client_name in ("Outlook", "Google Calendar", "Apple Calendar", "Thunderbird"):
        assert client_name in html
    assert "Subscribe from web" in html and "From URL" in html
    assert "New Calendar Subscription" in html and "On the Network" in html


@pytest.mark.parametrize("n", [10, 100])
def test_subscribe_page_query_count(client, django_assert_num_queries, n):
    for _ in range(n):
        EventFactory(series=SeriesFactory(), theme=ThemeFactory())
    with django_assert_num_queries(2):
        assert client.get(reverse("calendar:subscribe")).status_code == 200


def test_profile_shows_personal_feed_and_makes_a_new_link(client):
    registration = RegistrationFactory()
    person = registration.user
    client.force_login(person)
    client.cookies["django_language"] = "en"
    old_url = reverse("calendar:personal", kwargs={"token": person.calendar_token})
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'for="personal-feed-url"' in page
    assert f'readonly value="http://127.0.0.1:8000{old_url}"' in page
    assert f"webcal://127.0.0.1:8000{old_url}" in page
    assert client.get(old_url).status_code == 200

    assert client.get(reverse("accounts:new_calendar_link")).status_code == 405
    response = client.post(reverse("accounts:new_calendar_link"))
    assert response.status_code == 302
    person.refresh_from_db()
    new_url = reverse("calendar:personal", kwargs={"token": person.calendar_token})
    assert new_url != old_url
    assert len(person.calendar_token) >= 22  # at least 128 bits, URL-safe
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert new_url in client.get(reverse("accounts:profile")).content.decode()


def test_new_link_needs_sign_in(client):
    response = client.post(reverse("accounts:new_calendar_link"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_head_and_unknown_language_and_no_accept_header(client):
    EventFactory()
    head = client.head(ALL)
    assert head.status_code == 200
    assert head["ETag"]
    odd = client.get(ALL, {"lang": "xx"}, HTTP_ACCEPT="")
    assert odd.status_code == 200
    assert client.post(ALL).status_code == 405


# --- Speed without changing what is served (issue 20) -------------------------------------


def test_gzip_body_for_clients_that_accept_it(client):
    EventFactory(title="Työkykykahvila")
    plain = client.get(ALL)
    packed = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Content-Encoding" not in plain
    for response in (plain, packed):
        assert "Accept-Encoding" in response["Vary"]
    # Other bytes, so another strong ETag; each answers its own conditional request.
    assert packed["ETag"] != plain["ETag"]
    again = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304
    assert "Accept-Encoding" in again["Vary"]
    assert client.get(ALL, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_gzip_body_is_the_same_when_built_for_a_gzip_client(client):
    EventFactory()
    packed = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip")  # built and compressed at once
    cache.clear()
    forget_local_state()  # and this worker's memo: as in another worker
    plain = client.get(ALL)
    assert gzip.decompress(packed.content) == plain.content


def test_etag_stays_while_nothing_changes_and_moves_with_an_event(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    EventFactory()
    with django_capture_on_commit_callbacks() as queued:
        first = client.get(ALL)
    for callback in queued:  # the worker stores the entries
        callback()
    cache.clear()
    forget_local_state()  # and this worker's memo: as in another worker
    rebuilt = client.get(ALL)  # now joined from stored entries
    assert rebuilt.content == first.content
    assert rebuilt["ETag"] == first["ETag"]
    event.title = "Uusi otsikko"
    event.save()
    changed = client.get(ALL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"Uusi otsikko" in changed.content


def test_personal_feed_etag_follows_the_registration(client):
    person = UserFactory()
    registration = RegistrationFactory(user=person, status=RegistrationStatus.CONFIRMED)
    url = reverse("calendar:personal", kwargs={"token": person.calendar_token})
    confirmed = client.get(url)
    registration.status = RegistrationStatus.WAITLISTED
    registration.save()
    waitlisted = client.get(url, HTTP_IF_NONE_MATCH=confirmed["ETag"])
    assert waitlisted.status_code == 200
    assert waitlisted["ETag"] != confirmed["ETag"]


@pytest.mark.parametrize("n", [10, 500])
def test_cached_and_304_answers_make_no_query(client, django_assert_num_queries, n):
    _many_events(n)
    first = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_num_queries(0):
        cached = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip")
    assert cached.content == first.content
    with django_assert_num_queries(0):
        conditional = client.get(ALL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert conditional.status_code == 304


def test_a_change_made_in_another_worker_reaches_this_one_within_a_second(client, monkeypatch):
    event = EventFactory(title="Vanha otsikko")
    first = client.get(ALL)
    # Another worker's change: the shared generation moves, this process saw no signal.
    Event.objects.filter(pk=event.pk).update(title="Uusi otsikko", sequence=event.sequence + 1)
    cache.set(feeds.GENERATION_KEY, "another-worker", None)
    assert client.get(ALL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    later = time.monotonic() + settings.CALENDAR_FEED_LOCAL_TRUST_SECONDS + 0.1
    monkeypatch.setattr(views.time, "monotonic", lambda: later)
    changed = client.get(ALL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert b"Uusi otsikko" in changed.content
