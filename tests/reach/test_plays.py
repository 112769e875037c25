"""Recording plays: the click-to-load placeholder and /go/play/<pk>/ (counted, forwarded)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events.models import Audience
from reach import services
from reach.models import CountKind, DailyCount, TargetType
from recordings.models import PublicationState
from tests.factories import EventFactory, NetworkFactory, RecordingFactory, UserFactory

from .conftest import BROWSER

pytestmark = pytest.mark.django_db

WATCH = "https://www.youtube.com/watch?v=kOhTaAmO042"
NEW_EVENT = object()


def _recording(event=NEW_EVENT, **fields):
    values = {
        "event": EventFactory() if event is NEW_EVENT else event,
        "url": WATCH,
        "video_id": "kOhTaAmO042",
        "platform": "YouTube",
        "title": "Työkyvyn tuki arjessa",
        "publication_state": PublicationState.PUBLISHED,
    }
    return RecordingFactory(**(values | fields))


def _plays(event) -> int:
    return sum(
        DailyCount.objects.filter(
            kind=CountKind.RECORDING_PLAY, target_type=TargetType.EVENT, target_id=event.pk
        ).values_list("count", flat=True)
    )


def _as(user=None, agent=BROWSER) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def test_the_event_page_shows_a_placeholder_and_loads_nothing_from_youtube(monday):
    recording = _recording()
    with translation.override("en"):
        body = _as().get(recording.event.get_absolute_url()).content.decode()
    assert "<iframe" not in body
    assert f'href="{reverse("reach:play", args=[recording.pk])}"' in body
    assert "Play the video (loads YouTube)" in body
    assert "privacy terms then apply." in body
    assert "Työkyvyn tuki arjessa" in body
    # the script that swaps in the player gets the privacy-enhanced embed address
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/kOhTaAmO042?' in body
    assert "/static/js/play-recording.js" in body


def test_a_play_is_counted_once_and_forwarded_to_the_video(monday):
    recording = _recording()
    response = _as().get(reverse("reach:play", args=[recording.pk]))
    assert response.status_code == 302
    assert response["Location"] == WATCH
    assert "no-store" in response["Cache-Control"]
    services.flush_counts()
    assert _plays(recording.event) == 1
    assert services.flush_counts() == 0
    assert _plays(recording.event) == 1


def test_the_script_counts_the_play_without_being_forwarded(monday):
    recording = _recording()
    response = _as().get(reverse("reach:play", args=[recording.pk]), {"embedded": "1"})
    assert response.status_code == 204
    assert "Location" not in response
    services.flush_counts()
    assert _plays(recording.event) == 1


@pytest.mark.parametrize(
    "agent", ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ""]
)
def test_a_bot_or_a_prefetch_is_forwarded_but_not_counted(monday, agent):
    recording = _recording()
    url = reverse("reach:play", args=[recording.pk])
    assert _as(agent=agent).get(url)["Location"] == WATCH
    assert _as().get(url, headers={"sec-purpose": "prefetch"})["Location"] == WATCH
    services.flush_counts()
    assert _plays(recording.event) == 0


def test_a_recording_the_person_may_not_see_is_404(monday):
    unpublished = _recording(publication_state=PublicationState.NOT_PUBLISHED)
    draft = _recording(event=EventFactory(status="draft"))
    members_only = EventFactory(audience=Audience.NETWORKS)
    members_only.audience_networks.add(NetworkFactory())
    of_a_network = _recording(event=members_only)
    for recording in (unpublished, draft, of_a_network):
        for client in (_as(), _as(UserFactory())):
            response = client.get(reverse("reach:play", args=[recording.pk]))
            assert response.status_code == 404
            assert WATCH not in response.content.decode()
    assert _as().get(reverse("reach:play", args=[draft.pk + 100])).status_code == 404
    services.flush_counts()
    assert not DailyCount.objects.filter(kind=CountKind.RECORDING_PLAY).exists()


def test_a_recording_without_an_event_plays_but_has_no_page_to_count_for(monday):
    recording = _recording(event=None)
    assert _as().get(reverse("reach:play", args=[recording.pk]))["Location"] == WATCH
    assert services.flush_counts() == 0


def test_the_privacy_notice_lists_recording_plays_and_youtube():
    with translation.override("en"):
        body = _as().get(reverse("privacy")).content.decode()
    assert "downloads of materials and plays of recordings" in body
    assert "loaded only when you choose to play a recording" in body
