"""Query counts of the events lists, feeds and list API endpoints: few rows and many rows,
one fixed count (issue 16).

Every test builds FEW or MANY rows with more than one of every relation the page shows
(themes, series, presenters, people, organisations), asks once to warm the session and the
role caches, then measures one request and checks that a row is in the answer, so that an
empty page cannot pass. URLs are reached by name only (the views are moving into rooms).

Lists already measured elsewhere: the event list, archive and theme page and the organiser
home (test_public_pages.py), the event page (test_registration_pages.py), participants and
check-in (test_participants.py), the public and personal feeds and the subscribe page
(test_calendar_views.py), the event API list (test_api.py, test_availability.py) and the
attendance report page (tests/reports/test_views.py).
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.calendars.views import forget_local_state
from events.models import (
    AttendanceImport,
    Audience,
    Event,
    EventChange,
    EventKind,
    EventMaterial,
    Feedback,
    RegistrationStatus,
)
from tests.factories import (
    HELSINKI,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PresenterFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 25
SIZES = [FEW, MANY]

# Storing a feed's missing entries is queued as one outbox row: one INSERT … ON CONFLICT
# (outbox.services.enqueue), whatever the feed's size.
OUTBOX_ROW = 1


def _person(**fields):
    """A person without a password: hashing one per row would only slow the test down."""
    return UserFactory(password=None, **fields)


def _events(n: int, *, past: bool = False, **fields) -> list[Event]:
    """n events without their own title (the theme names them), each with its own theme,
    in two series, with two presenters each out of n."""
    now = timezone.now()
    series = [SeriesFactory(), SeriesFactory()]
    presenters = PresenterFactory.create_batch(n)
    events = []
    for i in range(n):
        starts = now + (dt.timedelta(days=-i - 2) if past else dt.timedelta(days=i + 1))
        event = EventFactory(
            title="",
            theme=ThemeFactory(title=f"Theme of session {i}"),
            series=series[i % 2],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            **fields,
        )
        event.presenters.add(presenters[i], presenters[(i + 1) % n])
        events.append(event)
    return events


@pytest.fixture
def staff_client(client, organiser):
    client.cookies["django_language"] = "en"
    client.force_login(organiser)
    return client


@pytest.fixture
def api():
    client = APIClient()
    client.cookies["django_language"] = "en"
    return client


def _text(response) -> str:
    return response.content.decode()


# --- Pages ------------------------------------------------------------------------------


# Anonymous: the first eight upcoming events with their themes and series (no presenters:
# a card shows none).
HOME_QUERIES = 1


@pytest.mark.parametrize("n", SIZES)
def test_home_page(client, django_assert_num_queries, n):
    _events(n)
    client.get(reverse("home"))
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))
    assert "Theme of session 0" in _text(response)


# session, user, the registrations with their events and themes, the person's roles
MY_REGISTRATIONS_QUERIES = 4


@pytest.mark.parametrize("n", SIZES)
def test_my_registrations(client, django_assert_num_queries, n):
    person = _person()
    for event in _events(n) + _events(n, past=True):
        RegistrationFactory(event=event, user=person, attended=True)
    client.force_login(person)
    client.get(reverse("events:mine"))
    with django_assert_num_queries(MY_REGISTRATIONS_QUERIES):
        response = client.get(reverse("events:mine"))
    assert len(response.context["upcoming"]) == len(response.context["past"]) == n
    assert "Theme of session 0" in _text(response)


# session, user, roles, the count and one page (themes with their number of sessions)
RECORD_LIST_QUERIES = {"theme": 5, "presenter": 5, "series": 5}


@pytest.mark.parametrize("kind", ["theme", "presenter", "series"])
@pytest.mark.parametrize("n", SIZES)
def test_organiser_record_lists(staff_client, django_assert_num_queries, kind, n):
    _events(n)
    url = reverse(f"events:organise_{kind}_list")
    staff_client.get(url)
    with django_assert_num_queries(RECORD_LIST_QUERIES[kind]):
        response = staff_client.get(url)
    first = response.context["page"].object_list[0]
    assert str(first) in _text(response)
    assert len(response.context["page"].object_list) == {"series": 2}.get(kind, n)


# session, user, roles, the event, its presenters and networks (initial values), the
# choices of series, theme, presenters and networks, the last 20 changes with who made them
EVENT_EDIT_QUERIES = 11


@pytest.mark.parametrize("n", SIZES)
def test_event_change_history(staff_client, django_assert_num_queries, n):
    event = _events(1)[0]
    EventChange.objects.bulk_create(
        EventChange(event=event, changed_by=_person(), changes={"place": ["", f"Room {i}"]})
        for i in range(n)
    )
    url = reverse("events:organise_event_edit", kwargs={"pk": event.pk})
    staff_client.get(url)
    with django_assert_num_queries(EVENT_EDIT_QUERIES):
        response = staff_client.get(url)
    changes = response.context["changes"]
    assert len(changes) == min(n, 20)
    assert changes[0].changes["place"][1] in _text(response)


# session, user, roles, the event, its theme (the page's title), the materials
MATERIALS_QUERIES = 6


@pytest.mark.parametrize("n", SIZES)
def test_event_materials(staff_client, django_assert_num_queries, n):
    event = _events(1)[0]
    EventMaterial.objects.bulk_create(
        EventMaterial(event=event, title=f"Slides {i}", url=f"https://example.fi/{i}")
        for i in range(n)
    )
    url = reverse("events:organise_event_materials", kwargs={"pk": event.pk})
    staff_client.get(url)
    with django_assert_num_queries(MATERIALS_QUERIES):
        response = staff_client.get(url)
    assert "Slides 0" in _text(response)


# session, user, roles, the series, its sessions, their presenters, and the theme and
# presenter choices once for all rows
ASSIGN_THEMES_QUERIES = 8


@pytest.mark.parametrize("n", SIZES)
def test_assign_themes(staff_client, django_assert_num_queries, n):
    events = _events(n)
    series = events[0].series
    url = reverse("events:organise_assign_themes", kwargs={"pk": series.pk})
    staff_client.get(url)
    with django_assert_num_queries(ASSIGN_THEMES_QUERIES):
        response = staff_client.get(url)
    assert len(response.context["rows"]) == (n + 1) // 2
    assert "Theme of session 0" in _text(response)


# session, user, roles, the event with its theme, the imported files
ATTENDANCE_IMPORT_QUERIES = 5


@pytest.mark.parametrize("n", SIZES)
def test_attendance_imports(staff_client, django_assert_num_queries, n):
    event = _events(1, past=True)[0]
    AttendanceImport.objects.bulk_create(
        AttendanceImport(
            event=event,
            file_sha256=f"{i:064d}",
            file_name=f"report-{i}.csv",
            imported_by=_person(),
            counted=i,
        )
        for i in range(n)
    )
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    staff_client.get(url)
    with django_assert_num_queries(ATTENDANCE_IMPORT_QUERIES):
        response = staff_client.get(url)
    assert "report-0.csv" in _text(response)


# session, user, roles, the event with its theme, the summary, the count and one page of
# comments
FEEDBACK_RESULTS_QUERIES = 7


@pytest.mark.parametrize("n", SIZES)
def test_feedback_results(staff_client, django_assert_num_queries, n):
    event = _events(1, past=True)[0]
    for i in range(n):
        registration = RegistrationFactory(event=event, user=_person())
        Feedback.objects.create(
            event=event,
            registration=registration,
            usefulness=1 + i % 5,
            recommend=i % 11,
            comment=f"Comment {i}",
        )
    url = reverse("events:organise_feedback_results", kwargs={"pk": event.pk})
    staff_client.get(url)
    with django_assert_num_queries(FEEDBACK_RESULTS_QUERIES):
        response = staff_client.get(url)
    assert "Comment 0" in _text(response)


# session, user, roles, the event, the registrations with their organisations, and the
# access log line (an INSERT)
PARTICIPANTS_EXPORT_QUERIES = 6


@pytest.mark.parametrize("n", SIZES)
def test_participants_export(staff_client, django_assert_num_queries, n):
    event = _events(1)[0]
    event.capacity = None
    event.save()
    for i in range(n):
        RegistrationFactory(
            event=event, user=_person(), organisation=OrganisationFactory(name=f"Org {i}")
        )
    url = reverse("events:participants_export", kwargs={"pk": event.pk, "fmt": "csv"})
    staff_client.get(url)
    with django_assert_num_queries(PARTICIPANTS_EXPORT_QUERIES):
        response = staff_client.get(url)
    assert "Org 0" in response.content.decode("utf-8-sig")


# --- Feeds ------------------------------------------------------------------------------


def _uids(response) -> set[str]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(vevent["uid"]) for vevent in calendar.walk("VEVENT")}


def _feed_url(kind: str, events: list[Event], network=None) -> str:
    event = events[0]
    if kind == "kind":
        return reverse("calendar:kind", kwargs={"kind": event.kind})
    if kind == "series":
        return reverse("calendar:series", kwargs={"slug": event.series.slug})
    if kind == "theme":
        return reverse("calendar:theme", kwargs={"slug": event.theme.slug})
    return reverse(
        "calendar:network", kwargs={"slug": network.slug, "token": network.calendar_token}
    )


def _feed_events(kind: str, n: int):
    """n events in the feed of this kind (one series, one theme or one network)."""
    if kind == "network":
        network = NetworkFactory()
        events = _events(n, audience=Audience.NETWORKS)
        for event in events:
            event.audience_networks.add(network)
        return events, network
    events = _events(n, kind=EventKind.KOHTAAMO)
    if kind == "series":
        Event.objects.filter(pk__in=[e.pk for e in events]).update(series=events[0].series)
    if kind == "theme":
        Event.objects.filter(pk__in=[e.pk for e in events]).update(theme=events[0].theme)
    return events, None


# First build of a feed, its lookup first (the series, theme or network; none for a kind):
# the events with their stored entries (none yet), the events to write and their
# presenters; storing the entries is queued, an outbox row. Once the worker has stored the
# entries, a build is the lookup and one read.
FEED_LOOKUP = {"kind": 0, "series": 1, "theme": 1, "network": 1}


@pytest.mark.parametrize("kind", ["kind", "series", "theme", "network"])
@pytest.mark.parametrize("n", SIZES)
def test_feeds(client, django_assert_num_queries, django_capture_on_commit_callbacks, kind, n):
    events, network = _feed_events(kind, n)
    url = _feed_url(kind, events, network)
    lookup = FEED_LOOKUP[kind]
    with (
        django_capture_on_commit_callbacks() as queued,
        django_assert_num_queries(lookup + 3 + OUTBOX_ROW),
    ):
        first = client.get(url)
    assert len(_uids(first)) == n
    for callback in queued:
        callback()
    cache.clear()  # measure the build from stored entries, not the cached body
    forget_local_state()  # nor this worker's memo of the feed's version
    # Joined from the stored entries; on PostgreSQL storing its months as spans is queued.
    spans = OUTBOX_ROW if connection.vendor == "postgresql" else 0
    with (
        django_capture_on_commit_callbacks() as queued,
        django_assert_num_queries(lookup + 1 + spans),
    ):
        rebuilt = client.get(url)
    assert rebuilt.content == first.content
    for callback in queued:
        callback()
    cache.clear()
    forget_local_state()
    with django_assert_num_queries(lookup + 1):  # joined from the stored spans
        assert client.get(url).content == first.content


# session, user, the event with its theme and series, the person's registration, the
# presenters
EVENT_ICS_QUERIES = 5


@pytest.mark.parametrize("n", SIZES)
def test_single_event_ics(client, django_assert_num_queries, n):
    event = _events(1)[0]
    event.presenters.add(*PresenterFactory.create_batch(n))
    person = _person()
    RegistrationFactory(event=event, user=person)
    client.force_login(person)
    url = reverse("calendar:event", kwargs={"pk": event.pk})
    client.get(url)
    with django_assert_num_queries(EVENT_ICS_QUERIES):
        response = client.get(url)
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert "teams.microsoft.com" in str(vevent["description"])  # registered: the link is in
    assert all(p.name in str(vevent["description"]) for p in event.presenters.all())


# --- API --------------------------------------------------------------------------------


# Anonymous: the count and one page
THEMES_API_QUERIES = 2


@pytest.mark.parametrize("n", SIZES)
def test_themes_api(api, django_assert_num_queries, n):
    _events(n)
    with django_assert_num_queries(THEMES_API_QUERIES):
        body = api.get("/api/v1/themes/").json()
    assert body["count"] == n
    assert "Theme of session 0" in {theme["title"] for theme in body["results"]}


# Authenticated without a session: the count, one page of registrations with their events
REGISTRATIONS_API_QUERIES = 2


@pytest.mark.parametrize("n", SIZES)
def test_registrations_api(api, django_assert_num_queries, n):
    person = _person()
    for event in _events(n):
        RegistrationFactory(event=event, user=person)
    api.force_authenticate(person)
    with django_assert_num_queries(REGISTRATIONS_API_QUERIES):
        body = api.get("/api/v1/registrations/").json()
    assert body["count"] == n
    assert body["results"][0]["event_title"].startswith("Theme of session")


# roles, the event (with its confirmed count and presenters, as every event of the API),
# the registrations with their organisations, the access log line
PARTICIPANTS_API_QUERIES = 5


@pytest.mark.parametrize("n", SIZES)
def test_participants_api(api, organiser, django_assert_num_queries, n):
    event = _events(1)[0]
    event.capacity = None
    event.save()
    for i in range(n):
        RegistrationFactory(
            event=event,
            user=_person(),
            organisation=OrganisationFactory(name=f"Org {i}"),
            status=RegistrationStatus.CONFIRMED if i % 2 else RegistrationStatus.WAITLISTED,
        )
    api.force_authenticate(organiser)
    url = f"/api/v1/events/{event.pk}/participants/"
    with django_assert_num_queries(PARTICIPANTS_API_QUERIES):
        body = api.get(url).json()
    assert len(body["participants"]) == n
    assert "Org 0" in {p["organisation"] for p in body["participants"]}


# session, user, roles, then the report's reads, the same as the page's
# (tests/events/reports/test_views.py): the events, feedback, recordings, caption orders,
# the registrations (one raw SQL read), the themes, organisations, networks of
# the breakdowns (4) and the theme names of the comparison
REPORT_API_QUERIES = 13


@pytest.mark.parametrize("n", SIZES)
def test_attendance_report_api(client, reporting, django_assert_num_queries, n):
    start = dt.datetime(2025, 3, 3, 14, tzinfo=HELSINKI)
    network = NetworkFactory()
    for i in range(n):
        event = EventFactory(
            theme=ThemeFactory(title=f"Theme of session {i}"),
            series=SeriesFactory(),
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=1),
        )
        event.audience_networks.add(network)
        RegistrationFactory(
            event=event,
            user=_person(),
            organisation=OrganisationFactory(name=f"Org {i}"),
            attended=True,
        )
    client.force_login(reporting)
    url = "/api/v1/reports/attendance/"
    query = {
        "start": "2025-03-01",
        "end": "2025-04-30",
        "breakdown": ["kind", "theme", "organisation", "network"],
    }
    client.get(url, query)
    with django_assert_num_queries(REPORT_API_QUERIES):
        body = client.get(url, query).json()
    assert body["totals"]["events"] == n
    assert "Theme of session 0" in str(body)
