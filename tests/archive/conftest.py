import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import (
    HELSINKI,
    CaptionTrackFactory,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RecordingFactory,
    RegistrationFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 5, 20, 12, 0, tzinfo=HELSINKI)
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nTervetuloa kohtaamoon!\n"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def programme(db, clock):
    """A small programme: a held event with a member and a guest, a network, a recording."""
    person = UserFactory(
        email="Anna.Virtanen@example.fi", display_name="Anna Virtanen", phone="+358 40 1234567"
    )
    start = timezone.now() - dt.timedelta(days=10)
    event = EventFactory(
        title="Työkykyaamu", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    registration = RegistrationFactory(event=event, user=person, attended=True)
    guest = RegistrationFactory(
        event=event, user=None, name="Ville Vieras", email="ville.vieras@example.fi"
    )
    network = NetworkFactory(name="Hyvinvointiverkosto")
    membership = MembershipFactory(network=network, user=person)
    recording = RecordingFactory(event=event, title="Työkykyaamu tallenne")
    track = CaptionTrackFactory(recording=recording, language="fi", vtt=VTT)
    return {
        "person": person,
        "event": event,
        "registration": registration,
        "guest": guest,
        "network": network,
        "membership": membership,
        "recording": recording,
        "track": track,
    }
