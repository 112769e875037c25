"""The events API: list with filters, detail, register and cancel, organiser endpoints."""

import datetime as dt

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from events.models import EventKind, Registration, RegistrationMode, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.cookies["django_language"] = "en"
    return client


def test_list_filters_like_the_list_page(api):
    theme = ThemeFactory(title="Työkyky")
    wanted = EventFactory(kind=EventKind.TRAINING, theme=theme, title="Koulutus A")
    EventFactory(kind=EventKind.WORKSHOP, title="Paja B")
    EventFactory(kind=EventKind.TRAINING, status="draft")
    start = timezone.now() - dt.timedelta(days=20)
    EventFactory(kind=EventKind.TRAINING, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    response = api.get("/api/v1/events/", {"kind": "training"})
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [wanted.pk]
    assert api.get("/api/v1/events/", {"theme": theme.slug}).json()["count"] == 1
    assert api.get("/api/v1/events/", {"q": "työkyky"}).json()["count"] == 1
    past = api.get("/api/v1/events/", {"from": (start - dt.timedelta(days=1)).date()}).json()
    assert past["count"] == 3


def test_bad_filter_is_a_400_with_the_message(api):
    response = api.get("/api/v1/events/", {"from": "23.11.2026"})
    assert response.status_code == 400
    assert "is not a date" in response.json()["errors"]["from"][0]
    assert api.get("/api/v1/events/", {"kind": "party"}).status_code == 400


def test_detail_hides_meeting_link_until_confirmed(api):
    event = EventFactory(capacity=3, meeting_url="https://teams.example/x")
    body = api.get(f"/api/v1/events/{event.pk}/").json()
    assert body["meeting_url"] is None
    assert body["seats_left"] == 3
    person = UserFactory()
    RegistrationFactory(event=event, user=person)
    api.force_authenticate(person)
    body = api.get(f"/api/v1/events/{event.pk}/").json()
    assert body["meeting_url"] == "https://teams.example/x"
    assert body["my_registration_status"] == "confirmed"
    assert body["seats_left"] == 2


def test_register_and_cancel_own(api):
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.WAITLIST)
    first, second = UserFactory(), UserFactory()
    api.force_authenticate(first)
    response = api.post(f"/api/v1/events/{event.pk}/register/")
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    again = api.post(f"/api/v1/events/{event.pk}/register/")
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    api.force_authenticate(second)
    assert api.post(f"/api/v1/events/{event.pk}/register/").json()["status"] == "waitlisted"
    api.force_authenticate(first)
    cancelled = api.post(f"/api/v1/registrations/{response.json()['id']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(event=event, user=second).status == "confirmed"


def test_cannot_touch_another_persons_registration(api):
    theirs = RegistrationFactory()
    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/registrations/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/registrations/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.CONFIRMED
    assert api.get("/api/v1/registrations/").json()["count"] == 0


def test_anonymous_cannot_register(api):
    event = EventFactory()
    assert api.post(f"/api/v1/events/{event.pk}/register/").status_code in (401, 403)
    assert not event.registrations.exists()


def test_register_closed_event_is_a_400_with_reason(api, user):
    event = EventFactory(status="cancelled")
    api.force_authenticate(user)
    response = api.post(f"/api/v1/events/{event.pk}/register/")
    assert response.status_code == 400
    assert response.json() == {"detail": "This event has been cancelled.", "reason": "cancelled"}


def test_participants_and_attendance_for_organisers_only(api, user, organiser):
    event = EventFactory(capacity=5)
    regs = RegistrationFactory.create_batch(3, event=event)
    api.force_authenticate(user)
    assert api.get(f"/api/v1/events/{event.pk}/participants/").status_code == 403
    assert api.post(f"/api/v1/events/{event.pk}/attendance/", {}).status_code == 403
    api.force_authenticate(organiser)
    body = api.get(f"/api/v1/events/{event.pk}/participants/").json()
    assert body["counts"]["confirmed"] == 3
    assert {p["id"] for p in body["participants"]} == {r.pk for r in regs}
    marked = api.post(
        f"/api/v1/events/{event.pk}/attendance/",
        {"registrations": [regs[0].pk, regs[1].pk], "attended": True},
        format="json",
    )
    assert marked.status_code == 200
    assert marked.json()["changed"] == 2
    assert marked.json()["counts"]["attended"] == 2
    bad = api.post(f"/api/v1/events/{event.pk}/attendance/", {"headcount": 4}, format="json")
    assert bad.status_code == 400
    assert "drop-in" in bad.json()["detail"]


def test_themes_are_listed(api):
    ThemeFactory(title="Osallisuus")
    assert "Osallisuus" in [t["title"] for t in api.get("/api/v1/themes/").json()["results"]]


@pytest.mark.parametrize("rows", [10, 500])
def test_event_list_query_count(api, django_assert_num_queries, rows):
    for _ in range(3):
        event = EventFactory(theme=ThemeFactory())
    Registration.objects.bulk_create(
        Registration(event=event, name=f"P{i}", email=f"p{i}@example.fi") for i in range(rows)
    )
    with django_assert_num_queries(3):
        response = api.get("/api/v1/events/")
    assert response.json()["count"] == 3


def test_openapi_schema_has_the_event_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "post" in paths["/api/v1/events/{id}/register/"]
    assert "post" in paths["/api/v1/registrations/{id}/cancel/"]
    assert {"get", "post"} <= set(paths["/api/v1/events/{id}/attendance/"])
    assert "get" in paths["/api/v1/events/{id}/participants/"]
    list_parameters = {p["name"] for p in paths["/api/v1/events/"]["get"]["parameters"]}
    assert {"kind", "theme", "series", "format", "from", "to", "q"} <= list_parameters
    components = schema["components"]["schemas"]
    assert "RegistrationStatusEnum" in components
