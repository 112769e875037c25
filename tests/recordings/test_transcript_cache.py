"""The public transcript parses a track once per version (cached by track and updated_at),
shows the new text after the track changes, and still works with Redis down."""

from __future__ import annotations

import datetime as dt
import socket
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accessibility.checks import transcript_paragraphs
from accessibility.services import publish
from recordings.models import TrackKind, TrackStatus
from tests.conftest import HELSINKI
from tests.factories import CaptionTrackFactory, RecordingFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=HELSINKI)


def _vtt(*texts: str) -> str:
    cues = [
        f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 1:02d}.500\n{text}\n"
        for i, text in enumerate(texts)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


@pytest.fixture
def published(communications):
    with time_machine.travel(NOW, tick=False):
        recording = RecordingFactory(title="Luento")
        track = CaptionTrackFactory(
            recording=recording,
            kind=TrackKind.HUMAN,
            status=TrackStatus.APPROVED,
            checked_at=timezone.now(),
            vtt=_vtt("Tervetuloa Kohtaamoon.", "Aloitetaan."),
        )
        publish(recording=recording, by=communications)
    return recording, track


def test_second_request_does_not_parse_again_and_a_new_version_shows(client, published):
    recording, track = published
    url = reverse("recordings:transcript", args=[recording.pk])
    with mock.patch(
        "recordings.transcripts.transcript_paragraphs", wraps=transcript_paragraphs
    ) as parse:
        first = client.get(url).content.decode()
        second = client.get(url).content.decode()
        assert parse.call_count == 1
        assert "Tervetuloa Kohtaamoon." in first and "Tervetuloa Kohtaamoon." in second

        with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
            track.vtt = _vtt("Korjattu teksti.", "Aloitetaan.")
            track.save()
        third = client.get(url).content.decode()
        assert parse.call_count == 2
    assert "Korjattu teksti." in third and "Tervetuloa Kohtaamoon." not in third


def test_transcript_works_with_the_cache_down(client, published, settings):
    recording, _track = published
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "kohtaamo.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get(reverse("recordings:transcript", args=[recording.pk]))
    assert response.status_code == 200
    assert "Tervetuloa Kohtaamoon." in response.content.decode()
