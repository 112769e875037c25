"""Feedback after an event: personal and public links, one answer each, NPS."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.feedback import selectors as feedback_selectors
from events.feedback import services as feedback_services
from events.models import Event, EventStatus, Feedback, RegistrationMode
from kohtaamo import demo
from recordings import platform
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _past_event(**kwargs):
    start = timezone.now() - dt.timedelta(days=1)
    return EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1), **kwargs)


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_personal_link_takes_one_answer(client):
    registration = RegistrationFactory(event=_past_event())
    url = reverse("events:feedback", kwargs={"token": registration.token})
    assert url == f"/events/feedback/{registration.token}/"
    _english(client)
    assert client.get(url).status_code == 200
    response = client.post(url, {"usefulness": "5", "recommend": "10", "comment": "Hyvä!"})
    assert "Thank you for your feedback!" in response.content.decode()
    response = client.post(url, {"usefulness": "1", "recommend": "0", "comment": "again"})
    assert "already been given" in response.content.decode()
    assert Feedback.objects.get().comment == "Hyvä!"
    with pytest.raises(feedback_services.FeedbackAlreadyGivenError):
        feedback_services.submit_feedback(
            event=registration.event, registration=registration, usefulness=3, recommend=5
        )


def test_unknown_or_cancelled_registration_link_is_404(client):
    assert client.get(reverse("events:feedback", kwargs={"token": "nope"})).status_code == 404
    registration = RegistrationFactory(event=_past_event(), status="cancelled")
    url = reverse("events:feedback", kwargs={"token": registration.token})
    assert client.get(url).status_code == 404


def test_public_link_one_answer_per_browser_session():
    event = _past_event(registration_mode=RegistrationMode.DROP_IN)
    url = reverse("events:public_feedback", kwargs={"pk": event.pk, "token": event.feedback_token})
    first, second = _english(Client()), _english(Client())
    answer = {"usefulness": "4", "recommend": "9", "comment": ""}
    assert "Thank you" in first.post(url, answer).content.decode()
    assert "already been given" in first.post(url, answer).content.decode()
    assert "Thank you" in second.post(url, answer).content.decode()
    assert Feedback.objects.filter(event=event).count() == 2
    wrong = reverse("events:public_feedback", kwargs={"pk": event.pk, "token": "wrong"})
    assert first.get(wrong).status_code == 404


def test_feedback_before_the_event_or_bad_values_is_refused(client):
    event = EventFactory()  # in the future
    url = reverse("events:public_feedback", kwargs={"pk": event.pk, "token": event.feedback_token})
    _english(client)
    response = client.post(url, {"usefulness": "4", "recommend": "9"})
    assert response.status_code == 400
    assert "Feedback opens when the event starts." in response.content.decode()
    past = _past_event()
    url = reverse("events:public_feedback", kwargs={"pk": past.pk, "token": past.feedback_token})
    assert client.post(url, {"usefulness": "6", "recommend": "11"}).status_code == 400
    cancelled = _past_event(status=EventStatus.CANCELLED)
    with pytest.raises(feedback_services.FeedbackError):
        feedback_services.submit_feedback(
            event=cancelled, session_key="x", usefulness=3, recommend=3
        )
    assert not Feedback.objects.exists()


def _answers(event, scores):
    for n, score in enumerate(scores):
        Feedback.objects.create(
            event=event, usefulness=1 + n % 5, recommend=score, session_key=f"s{n}"
        )


def test_nps_promoters_minus_detractors():
    one, two = _past_event(), _past_event()
    _answers(one, [10, 10, 10, 9, 3])  # 4 promoters, 1 detractor of 5 → 60
    _answers(two, [10, 9, 8, 7, 6, 0])  # 2 - 2 → 0
    summary = feedback_selectors.feedback_summary(Event.objects.filter(pk=one.pk))
    assert (summary["answers"], summary["nps"]) == (5, 60)
    assert summary["usefulness"] == 3.0
    both = feedback_selectors.feedback_summary(Event.objects.all())
    assert (both["answers"], both["promoters"], both["detractors"]) == (11, 6, 3)
    assert both["nps"] == round(100 * 3 / 11)
    assert feedback_selectors.feedback_summary(Event.objects.none())["nps"] is None


def test_organiser_sees_results(client, organiser):
    event = _past_event()
    _answers(event, [10, 9, 2])
    Feedback.objects.filter(recommend=2).update(comment="Liian lyhyt")
    client.force_login(organiser)
    _english(client)
    response = client.get(reverse("events:organise_feedback_results", args=[event.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Liian lyhyt" in body
    assert "<dd>33</dd>" in body  # NPS (2 - 1) / 3
    assert event.feedback_token in body


def test_demo_data_has_feedback_with_a_high_nps(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the demo seeder must not touch the network")

    monkeypatch.setattr(platform, "_extract_raw", no_network)
    monkeypatch.setattr(platform, "_download_text", no_network)
    demo.seed(today=timezone.localdate())
    summary = feedback_selectors.feedback_summary(Event.objects.all())
    assert summary["answers"] > 50
    assert 60 <= summary["nps"] <= 95
