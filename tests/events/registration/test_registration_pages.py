"""The event page, registering and cancelling in the browser, guest links, my registrations."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import Registration, RegistrationMode, RegistrationStatus
from tests.factories import (
    EventFactory,
    PresenterFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    return client


def page(client, event):
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_event_page_shows_time_theme_presenters_and_seats(client):
    theme = ThemeFactory(title="Osatyökyky")
    event = EventFactory(theme=theme, title="", capacity=10, description="Tervetuloa!")
    event.presenters.add(PresenterFactory(name="Anna Alustaja", organisation="Kela"))
    RegistrationFactory.create_batch(3, event=event)
    html = page(client, event)
    local = timezone.localtime(event.starts_at)
    assert f"{local.day}.{local.month}.{local.year} klo {local.hour}.{local.minute:02d}" in html
    assert "<h1>Osatyökyky</h1>" in html
    assert theme.get_absolute_url() in html
    assert "Anna Alustaja" in html and "Kela" in html
    assert "7 / 10" in html or "7 of 10" in html or ">7" in html
    assert f"/calendar/event/{event.pk}.ics" in html


def test_meeting_link_only_for_confirmed_in_registration_events(client):
    event = EventFactory(capacity=10, meeting_url="https://teams.example/secret-link")
    assert "secret-link" not in page(client, event)
    person = UserFactory()
    client.force_login(person)
    assert "secret-link" not in page(client, event)
    RegistrationFactory(event=event, user=person)
    assert "secret-link" in page(client, event)


def test_meeting_link_for_everyone_in_drop_in(client):
    event = EventFactory(
        registration_mode=RegistrationMode.DROP_IN, meeting_url="https://teams.example/open"
    )
    html = page(client, event)
    assert "https://teams.example/open" in html
    assert 'name="email"' not in html


def test_one_click_registration_and_cancel(en_client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=10)
    person = UserFactory()
    en_client.force_login(person)
    assert "Register" in page(en_client, event)
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(f"/events/{event.pk}/register/", follow=True)
    assert "You are registered" in response.content.decode()
    registration = Registration.objects.get(event=event, user=person)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert "Cancel my registration" in page(en_client, event)
    en_client.post(f"/events/{event.pk}/cancel/")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_register_get_is_not_allowed(client, user):
    event = EventFactory()
    client.force_login(user)
    assert client.get(f"/events/{event.pk}/register/").status_code == 405
    assert not event.registrations.exists()


def test_closed_reason_is_shown_instead_of_the_button(en_client, user):
    event = EventFactory(registration_opens_at=timezone.now() + dt.timedelta(days=1))
    en_client.force_login(user)
    html = page(en_client, event)
    assert "Registration has not opened yet." in html
    response = en_client.post(f"/events/{event.pk}/register/", follow=True)
    assert "Registration has not opened yet." in response.content.decode()
    assert not event.registrations.exists()


def test_guest_form_errors_are_named_and_nothing_is_saved(en_client):
    event = EventFactory(capacity=5)
    response = en_client.post(
        f"/events/{event.pk}/register/", {"name": "", "email": "not-an-address"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Enter a valid email address." in html
    assert not event.registrations.exists()


def test_guest_registration_from_the_page(
    en_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(
            f"/events/{event.pk}/register/",
            {"name": "Guest", "email": "guest@example.fi", "organisation": "TYP"},
            follow=True,
        )
    assert "open the link we sent to guest@example.fi" in response.content.decode()
    registration = event.registrations.get()
    assert registration.status == RegistrationStatus.PENDING
    assert registration.organisation_name == "TYP"
    assert len(mailoutbox) == 1


def test_guest_link_page_shows_and_post_confirms(en_client):
    registration = RegistrationFactory(
        user=None, email="g@example.fi", name="Guest", status=RegistrationStatus.PENDING
    )
    url = f"/events/registration/{registration.token}/"
    response = en_client.get(url)
    assert response.status_code == 200
    assert "Confirm my registration" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    en_client.post(url, {"action": "confirm"})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_wrong_guest_token_is_404(client):
    assert client.get("/events/registration/not-a-token/").status_code == 404
    assert client.post("/events/registration/not-a-token/", {"action": "cancel"}).status_code == 404


def test_my_registrations_lists_only_mine(en_client, user):
    mine = RegistrationFactory(user=user, event=EventFactory(title="Mine upcoming"))
    start = timezone.now() - dt.timedelta(days=10)
    RegistrationFactory(
        user=user,
        event=EventFactory(
            title="Mine past", starts_at=start, ends_at=start + dt.timedelta(hours=1)
        ),
    )
    RegistrationFactory(event=EventFactory(title="Someone else's"))
    en_client.force_login(user)
    html = en_client.get("/events/mine/").content.decode()
    assert "Mine upcoming" in html and "Mine past" in html
    assert "Someone else" not in html
    en_client.post(f"/events/{mine.event_id}/cancel/", {"next": "mine"})
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CANCELLED


def test_my_registrations_needs_sign_in(client):
    assert client.get("/events/mine/").status_code == 302


def test_draft_event_is_hidden_from_the_public_but_not_from_organisers(client, organiser):
    event = EventFactory(status="draft")
    assert client.get(f"/events/{event.pk}/").status_code == 404
    client.force_login(organiser)
    assert client.get(f"/events/{event.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [10, 500])
def test_event_page_query_count_does_not_grow(client, django_assert_num_queries, rows):
    event = EventFactory(capacity=1000, theme=ThemeFactory())
    event.presenters.add(*PresenterFactory.create_batch(3))
    person = UserFactory()
    Registration.objects.bulk_create(
        Registration(event=event, name=f"P{i}", email=f"p{i}@example.fi") for i in range(rows)
    )
    RegistrationFactory(event=event, user=person)
    client.force_login(person)
    client.get(f"/events/{event.pk}/")  # warm up session and caches
    with django_assert_num_queries(EVENT_PAGE_QUERIES):
        response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200


EVENT_PAGE_QUERIES = 8


def test_full_event_without_waitlist_says_so_instead_of_a_button(en_client, user):
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.REGISTRATION)
    RegistrationFactory(event=event)
    en_client.force_login(user)
    html = page(en_client, event)
    assert "The event is full and has no waitlist." in html
    assert f'action="/events/{event.pk}/register/"' not in html


def test_full_waitlist_event_offers_the_waitlist(en_client, user):
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.WAITLIST)
    RegistrationFactory(event=event)
    en_client.force_login(user)
    assert "Join the waitlist" in page(en_client, event)
