"""Query counts of the recordings lists and list API endpoints: few rows and many rows, one
fixed count (issue 16).

Each test builds FEW or MANY rows with more than one of every relation the page shows,
asks once to warm the session, the role caches and the caption policy, measures one
request and checks that a row is in the answer. Measured elsewhere: the dashboard
(test_views.py) and the staff API (test_api.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accessibility.checks import check_vtt
from recordings.models import CaptionOrder, PublicationState, TrackKind, TrackStatus
from tests.factories import (
    CaptionTrackFactory,
    EventFactory,
    RecordingFactory,
    ThemeFactory,
    UserFactory,
)

from .conftest import vtt_bytes

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 25
SIZES = [FEW, MANY]
# What the checks found in a saved file with too long lines (each track shows them).
FINDINGS = check_vtt(vtt_bytes("too_long_line.vtt")).as_dict()["findings"]


def _person(**fields):
    """A person without a password: hashing one per row would only slow the test down."""
    return UserFactory(password=None, **fields)


# session, user, roles, the recording with its event, theme and publisher, its tracks with
# reviewers and orders, its orders, the caption policy
DETAIL_QUERIES = 7


@pytest.mark.parametrize("n", SIZES)
def test_recording_page(en_client, communications, django_assert_num_queries, n):
    event = EventFactory(title="", theme=ThemeFactory(title="Theme of the recording"))
    recording = RecordingFactory(event=event, title="", published_by=_person())
    for i in range(n):
        order = CaptionOrder.objects.create(
            recording=recording,
            vendor=f"Vendor {i}",
            language=f"l{i}",
            ordered_on=timezone.localdate() - dt.timedelta(days=i),
            minutes=Decimal(30),
            delivered_on=timezone.localdate() if i % 2 else None,
        )
        for kind in (TrackKind.HUMAN, TrackKind.AUTOMATIC):
            CaptionTrackFactory(
                recording=recording,
                language=f"l{i}",
                kind=kind,
                status=TrackStatus.APPROVED,
                file_name=f"captions-{i}-{kind}.vtt",
                findings=FINDINGS,
                reviewed_by=_person(display_name=f"Reviewer {i}"),
                reviewed_at=timezone.now(),
                order=order if kind == TrackKind.HUMAN else None,
            )
    en_client.force_login(communications)
    url = reverse("recordings:detail", kwargs={"pk": recording.pk})
    en_client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = en_client.get(url)
    html = response.content.decode()
    assert len(response.context["human_tracks"]) == len(response.context["orders"]) == n
    assert "Theme of the recording" in html
    assert "captions-0-human.vtt" in html and "Reviewer 0" in html and "Vendor 0" in html
    assert f"<code>{FINDINGS[0]['code']}</code>" in html


def _published(n: int) -> None:
    for i in range(n):
        event = EventFactory(title="", theme=ThemeFactory(title=f"Theme of recording {i}"))
        recording = RecordingFactory(
            event=event,
            video_id=f"kOhTaAmO{i:03d}",
            platform="Youtube",
            publication_state=PublicationState.PUBLISHED,
            recorded_on=timezone.localdate() - dt.timedelta(days=i),
        )
        for language in ("fi", "sv"):
            CaptionTrackFactory(
                recording=recording,
                language=language,
                kind=TrackKind.HUMAN,
                status=TrackStatus.APPROVED,
                vtt=vtt_bytes("good.vtt").decode(),
            )


# Anonymous: the count, one page of recordings with their events and themes, their human
# tracks
PUBLISHED_API_QUERIES = 3


@pytest.mark.parametrize("n", SIZES)
def test_published_recordings_api(client, django_assert_num_queries, n):
    _published(n)
    RecordingFactory(title="Not published")
    with django_assert_num_queries(PUBLISHED_API_QUERIES):
        body = client.get("/api/v1/published-recordings/").json()
    assert body["count"] == n
    assert "Theme of recording 0" in {r["event_title"] for r in body["results"]}
