"""/go/meeting/<pk>/ forwards to the link only for those the one rule allows; materials."""

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Audience, EventMaterial, RegistrationMode, RegistrationStatus
from reach import services
from reach.models import CountKind, DailyCount
from tests.factories import EventFactory, NetworkFactory, RegistrationFactory, UserFactory

from .conftest import BROWSER

pytestmark = pytest.mark.django_db

LINK = "https://teams.microsoft.com/l/meetup-join/workshop-secret"


def _clicks(kind=CountKind.MEETING_LINK) -> int:
    return sum(DailyCount.objects.filter(kind=kind).values_list("count", flat=True))


def _as(user=None) -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER)
    if user is not None:
        client.force_login(user)
    return client


def _assert_refused(response, event):
    assert response.status_code == 302
    assert response["Location"] == reverse("events:detail", args=[event.pk])
    assert LINK not in response.content.decode()


def test_a_confirmed_participant_is_forwarded_and_the_click_counted(monday):
    event = EventFactory(meeting_url=LINK)
    registration = RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
    response = _as(registration.user).get(reverse("reach:meeting", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"] == LINK
    assert "no-store" in response["Cache-Control"]
    services.flush_counts()
    assert _clicks() == 1


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
def test_a_waitlisted_or_cancelled_person_gets_the_event_page_without_the_link(monday, status):
    event = EventFactory(meeting_url=LINK)
    registration = RegistrationFactory(event=event, status=status)
    client = _as(registration.user)
    response = client.get(reverse("reach:meeting", args=[event.pk]))
    _assert_refused(response, event)
    assert LINK not in client.get(response["Location"]).content.decode()
    services.flush_counts()
    assert _clicks() == 0


def test_an_anonymous_visitor_and_an_outsider_are_refused(monday):
    event = EventFactory(meeting_url=LINK)
    RegistrationFactory(event=event)  # someone else's registration grants nothing
    for client in (_as(), _as(UserFactory())):
        _assert_refused(client.get(reverse("reach:meeting", args=[event.pk])), event)
    services.flush_counts()
    assert _clicks() == 0


def test_a_cancelled_event_forwards_no_one(monday):
    event = EventFactory(meeting_url=LINK, status="cancelled")
    registration = RegistrationFactory(event=event)
    _assert_refused(_as(registration.user).get(reverse("reach:meeting", args=[event.pk])), event)


def test_a_drop_in_session_forwards_everyone(monday):
    event = EventFactory(meeting_url=LINK, registration_mode=RegistrationMode.DROP_IN)
    assert _as().get(reverse("reach:meeting", args=[event.pk]))["Location"] == LINK


def test_an_event_the_person_may_not_see_is_404_without_the_link(monday):
    network = NetworkFactory()
    event = EventFactory(meeting_url=LINK, audience=Audience.NETWORKS)
    event.audience_networks.add(network)
    response = _as(UserFactory()).get(reverse("reach:meeting", args=[event.pk]))
    assert response.status_code == 404
    assert LINK not in response.content.decode()
    assert _as().get(reverse("reach:meeting", args=[event.pk + 100])).status_code == 404


def test_the_event_page_links_the_meeting_through_the_redirect(monday):
    event = EventFactory(meeting_url=LINK)
    registration = RegistrationFactory(event=event)
    body = _as(registration.user).get(reverse("events:detail", args=[event.pk])).content.decode()
    assert f'href="{reverse("reach:meeting", args=[event.pk])}"' in body
    assert f'href="{LINK}"' not in body


def test_a_material_download_is_counted_and_forwarded(monday):
    event = EventFactory()
    material = EventMaterial.objects.create(event=event, title="Kalvot", url="https://x.fi/a.pdf")
    body = _as().get(reverse("events:detail", args=[event.pk])).content.decode()
    assert reverse("reach:material", args=[material.pk]) in body
    response = _as().get(reverse("reach:material", args=[material.pk]))
    assert response.status_code == 302
    assert response["Location"] == "https://x.fi/a.pdf"
    Client(HTTP_USER_AGENT="Googlebot/2.1").get(reverse("reach:material", args=[material.pk]))
    services.flush_counts()
    assert _clicks(CountKind.SLIDES) == 1


def test_a_material_of_a_hidden_event_is_404(monday):
    event = EventFactory(status="draft")
    material = EventMaterial.objects.create(event=event, title="Kalvot", url="https://x.fi/a.pdf")
    response = _as().get(reverse("reach:material", args=[material.pk]))
    assert response.status_code == 404
    assert "x.fi" not in response.content.decode()
