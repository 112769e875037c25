"""Query count of the accessibility statement, whose list of recordings without compliant
captions is computed from every recording: few rows and many rows, one fixed count
(issue 16). The recordings dashboard is measured in tests/recordings/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from recordings.models import Availability, PublicationState, TrackKind, TrackStatus
from tests.factories import CaptionTrackFactory, EventFactory, RecordingFactory, ThemeFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 25


def _recordings(n: int) -> None:
    """n recordings the public can reach without compliant captions (automatic ones only, or
    a human track not yet approved), a third published with an override; and n private ones
    that the statement leaves out."""
    today = timezone.localdate()
    for i in range(n):
        event = EventFactory(title="", theme=ThemeFactory(title=f"Theme {i}"))
        published = i % 3 == 0
        recording = RecordingFactory(
            event=event,
            title=f"Open recording {i}",
            availability=Availability.PUBLIC if i % 2 else Availability.UNLISTED,
            publication_state=PublicationState.PUBLISHED
            if published
            else PublicationState.NOT_PUBLISHED,
            override_reason=f"Reason {i}" if published else "",
            uploaded_on=today - dt.timedelta(days=i),
            recorded_on=today - dt.timedelta(days=i),
        )
        CaptionTrackFactory(recording=recording, language="fi", kind=TrackKind.AUTOMATIC)
        CaptionTrackFactory(
            recording=recording, language="sv", kind=TrackKind.HUMAN, status=TrackStatus.RECEIVED
        )
        RecordingFactory(title=f"Private recording {i}", availability=Availability.PRIVATE)


# Anonymous: the statement, the caption policy, every recording with its event and theme,
# their tracks and their caption orders
STATEMENT_QUERIES = 5


@pytest.mark.parametrize("n", [FEW, MANY])
def test_accessibility_statement(client, django_assert_num_queries, n):
    _recordings(n)
    client.cookies["django_language"] = "en"
    url = reverse("accessibility:statement")
    client.get(url)
    with django_assert_num_queries(STATEMENT_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert len(response.context["inaccessible"]) == n
    assert "Open recording 0" in html and "Reason 0" in html
    assert "Private recording" not in html
