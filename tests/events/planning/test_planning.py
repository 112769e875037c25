"""Organiser planning pages and services: events, themes, presenters, series, materials."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Event, EventChange, EventMaterial, EventStatus, Presenter, Series, Theme
from events.planning import services as planning_services
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def staff_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def _event_post(**overrides):
    start = (timezone.localtime() + dt.timedelta(days=10)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    data = {
        "kind": "workshop",
        "title": "",
        "description": "Hands-on",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "format": "online",
        "meeting_url": "https://teams.microsoft.com/l/meetup-join/x",
        "place": "",
        "capacity": "20",
        "registration_mode": "waitlist",
        "audience": "everyone",
        "status": "draft",
        "language": "fi",
    }
    data.update(overrides)
    return data


def test_organiser_pages_need_the_ability(client, user):
    url = reverse("events:organiser_home")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("events:organise_event_create")).status_code == 403


def test_home_lists_upcoming_events_with_counts(staff_client):
    event = EventFactory(capacity=5, title="Työpaja A")
    RegistrationFactory.create_batch(2, event=event)
    response = staff_client.get(reverse("events:organiser_home"))
    body = response.content.decode()
    assert "Työpaja A" in body and "2 / 5" in body
    assert reverse("events:organise_plan_term") in body
    assert reverse("events:organise_attendance_import", kwargs={"pk": event.pk}) in body


def test_create_event_title_defaults_to_theme(staff_client):
    theme = ThemeFactory(title="Osatyökykyisen työnhaku")
    response = staff_client.post(
        reverse("events:organise_event_create"), _event_post(theme=theme.pk)
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.display_title == "Osatyökykyisen työnhaku"
    assert event.starts_at.astimezone(dt.UTC).hour in (11, 12)  # 14.00 Helsinki
    assert AuditEntry.objects.filter(action="event.created").exists()


def test_end_before_start_is_refused_and_nothing_saved(staff_client):
    data = _event_post()
    data["ends_at"], data["starts_at"] = data["starts_at"], data["ends_at"]
    response = staff_client.post(reverse("events:organise_event_create"), data)
    assert response.status_code == 400
    assert "The event must end after it starts." in response.content.decode()
    assert not Event.objects.exists()


def test_in_person_event_needs_a_place(staff_client):
    response = staff_client.post(
        reverse("events:organise_event_create"), _event_post(format="in_person")
    )
    assert response.status_code == 400
    assert "needs a place" in response.content.decode()


def test_editing_a_published_event_keeps_history_and_raises_sequence(
    staff_client, organiser, monkeypatch
):
    told = []
    monkeypatch.setattr(planning_services, "notify_event_changed", lambda **kw: told.append(kw))
    event = EventFactory(status=EventStatus.PUBLISHED, capacity=10)
    start = timezone.localtime(event.starts_at) + dt.timedelta(hours=1)
    data = _event_post(
        status="published",
        title=event.title,
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        capacity="10",
        meeting_url=event.meeting_url,
        description="",
        registration_mode=event.registration_mode,
        kind=event.kind,
    )
    response = staff_client.post(reverse("events:organise_event_edit", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    change = EventChange.objects.get(event=event)
    assert set(change.changes) == {"starts_at", "ends_at"}
    assert change.changed_by == organiser
    assert told and set(told[0]["changes"]) == {"starts_at", "ends_at"}

    # A change of description only: history, but no new sequence.
    planning_services.update_event(event=event, by=organiser, description="New text")
    event.refresh_from_db()
    assert event.sequence == 1
    assert EventChange.objects.filter(event=event).count() == 2


def test_draft_changes_keep_no_history(organiser):
    event = EventFactory(status=EventStatus.DRAFT)
    planning_services.update_event(event=event, by=organiser, place="Kuopio", meeting_url="")
    assert not EventChange.objects.exists()


def test_capacity_below_confirmed_is_refused_with_nothing_half_saved(staff_client):
    event = EventFactory(status=EventStatus.PUBLISHED, capacity=5, title="Old title")
    RegistrationFactory.create_batch(3, event=event)
    data = _event_post(
        status="published",
        title="New title",
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        capacity="2",
    )
    response = staff_client.post(reverse("events:organise_event_edit", args=[event.pk]), data)
    assert response.status_code == 400
    assert "3 people are already confirmed" in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Old title", 5)
    assert not EventChange.objects.exists()


def test_cancel_event_notifies_and_raises_sequence(staff_client, monkeypatch):
    told = []
    monkeypatch.setattr(planning_services, "notify_event_cancelled", lambda **kw: told.append(kw))
    event = EventFactory(status=EventStatus.PUBLISHED)
    url = reverse("events:organise_event_cancel", args=[event.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == 400
    assert staff_client.post(url, {"reason": "The presenter is ill"}).status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.cancelled_at and event.sequence == 1
    assert told[0]["event"].pk == event.pk
    assert EventChange.objects.get(event=event).changes["reason"] == ["", "The presenter is ill"]
    with pytest.raises(planning_services.PlanningError):
        planning_services.cancel_event(event=event, by=None, reason="again")
    with pytest.raises(planning_services.PlanningError):
        planning_services.update_event(event=event, by=None, status=EventStatus.PUBLISHED)
    # The edit page of a cancelled event still saves other fields and keeps it cancelled.
    planning_services.update_event(event=event, by=None, description="Korvaava tilaisuus keväällä")
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED


def test_a_draft_cannot_be_cancelled_into_the_public_lists(staff_client, client):
    """A cancelled event is listed publicly (marked cancelled); a draft never was public, so
    "cancelling" it would publish its working title and text: refused, and not offered."""
    draft = EventFactory(status=EventStatus.DRAFT, title="Työnimi: sisäinen luonnos")
    edit = staff_client.get(reverse("events:organise_event_edit", args=[draft.pk]))
    cancel_url = reverse("events:organise_event_cancel", args=[draft.pk])
    assert cancel_url not in edit.content.decode()
    response = staff_client.post(cancel_url, {"reason": "Ei tarvita"})
    assert response.status_code == 400
    assert "nothing to cancel" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == EventStatus.DRAFT and draft.cancelled_at is None
    assert "Työnimi" not in client.get(reverse("events:list")).content.decode()


def test_publish_event(staff_client):
    event = EventFactory(status=EventStatus.DRAFT)
    staff_client.post(reverse("events:organise_event_publish", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_pdf_is_checked_by_content_not_name(staff_client, settings):
    event = EventFactory()
    url = reverse("events:organise_event_materials", args=[event.pk])
    fake = SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = staff_client.post(url, {"title": "Slides", "file": fake})
    assert response.status_code == 400
    assert "expected a PDF document" in response.content.decode()
    assert not EventMaterial.objects.exists()

    real = SimpleUploadedFile("kalvot.bin", PDF, content_type="application/octet-stream")
    assert staff_client.post(url, {"title": "Kalvot", "file": real}).status_code == 302
    material = EventMaterial.objects.get()
    assert material.file.read().startswith(b"%PDF-")
    assert material.file.name.endswith(".pdf")  # never served under another type

    html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>%PDF-1.4</html>")
    response = staff_client.post(url, {"title": "Polyglot", "file": html})
    assert response.status_code == 400

    settings.MAX_UPLOAD_BYTES = 10
    big = SimpleUploadedFile("big.pdf", PDF)
    response = staff_client.post(url, {"title": "Big", "file": big})
    assert response.status_code == 400 and "too large" in response.content.decode()

    link = {"title": "Recording", "url": "https://www.youtube.com/watch?v=x"}
    assert staff_client.post(url, link).status_code == 302
    assert EventMaterial.objects.count() == 2


def test_themes_presenters_and_series_pages(staff_client, organiser):
    response = staff_client.post(
        reverse("events:organise_theme_create"),
        {"title": "Työkyky", "description": "d", "keywords": "työ, kyky"},
    )
    assert response.status_code == 302
    theme = Theme.objects.get()
    assert theme.slug == "tyokyky"
    response = staff_client.post(
        reverse("events:organise_presenter_create"),
        {"name": "Liisa", "title": "", "organisation": "", "bio": "", "user_email": "nobody@x.fi"},
    )
    assert response.status_code == 400
    assert "No account has this e-mail address." in response.content.decode()
    response = staff_client.post(
        reverse("events:organise_presenter_create"),
        {"name": "Liisa", "user_email": organiser.email.upper()},
    )
    assert Presenter.objects.get().user == organiser
    response = staff_client.post(
        reverse("events:organise_series_create"),
        {
            "name": "Kohtaamo",
            "kind": "kohtaamo",
            "weekday": "2",
            "start_time": "14:00",
            "duration_minutes": "60",
            "format": "online",
            "registration_mode": "drop_in",
            "organisers": [organiser.pk],
        },
    )
    assert response.status_code == 302
    assert list(Series.objects.get().organisers.all()) == [organiser]
    assert AuditEntry.objects.filter(action__in=["theme.created", "series.created"]).count() == 2
    listing = staff_client.get(reverse("events:organise_theme_list"))
    assert "Työkyky" in listing.content.decode()


def test_every_organiser_page_opens(staff_client):
    event = EventFactory(theme=ThemeFactory(), capacity=3)
    series = Series.objects.create(name="Kohtaamo")
    presenter = Presenter.objects.create(name="P")
    urls = [
        reverse("events:organiser_home"),
        reverse("events:organise_theme_list"),
        reverse("events:organise_theme_create"),
        reverse("events:organise_theme_edit", args=[event.theme_id]),
        reverse("events:organise_presenter_list"),
        reverse("events:organise_presenter_edit", args=[presenter.pk]),
        reverse("events:organise_series_list"),
        reverse("events:organise_series_edit", args=[series.pk]),
        reverse("events:organise_assign_themes", args=[series.pk]),
        reverse("events:organise_plan_term") + f"?series={series.pk}",
        reverse("events:organise_event_create") + f"?series={series.pk}",
        reverse("events:organise_event_edit", args=[event.pk]),
        reverse("events:organise_event_cancel", args=[event.pk]),
        reverse("events:organise_event_materials", args=[event.pk]),
        reverse("events:organise_attendance_import", args=[event.pk]),
        reverse("events:organise_feedback_results", args=[event.pk]),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url
    staff_client.cookies["django_language"] = "fi"
    edit = reverse("events:organise_event_edit", args=[event.pk])
    assert staff_client.get(edit).status_code == 200
