"""Demo-like objects and signed-in clients for the permission matrix and guessing tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client
from django.utils import timezone

from accounts.roles import Role, grant_role
from events.models import EventMaterial, Feedback, RegistrationStatus
from networks.models import Membership, MembershipStatus, Visibility
from recordings.models import CaptionOrder, CaptionTrackVersion, TrackKind
from tests.factories import (
    CaptionTrackFactory,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    PresenterFactory,
    RecordingFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

ROLES = (
    "anonymous",
    "guest",
    "member",
    "coordinator",
    "organiser",
    "communications",
    "reporting",
    "admin",
)


@dataclass
class World:
    people: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    world = World()
    people = world.people
    people["member"] = UserFactory(email="member@example.fi")
    # Staff have a second factor (accounts.rules); members and outsiders need none.
    people["coordinator"] = UserFactory(email="coordinator@example.fi", with_totp=True)
    for role in ("organiser", "communications", "reporting"):
        people[role] = UserFactory(email=f"{role}@example.fi", with_totp=True)
        grant_role(people[role], Role(role))
    people["admin"] = UserFactory(
        email="admin@example.fi", is_staff=True, is_superuser=True, with_totp=True
    )
    people["outsider"] = UserFactory(email="outsider@example.fi")

    theme = ThemeFactory(title="Työkyky", slug="tyokyky")
    series = SeriesFactory(name="Kohtaamot", slug="kohtaamot")
    presenter = PresenterFactory()
    event = EventFactory(theme=theme, series=series, kind="workshop")
    past_start = timezone.now() - dt.timedelta(days=3)
    past = EventFactory(
        theme=theme, starts_at=past_start, ends_at=past_start + dt.timedelta(hours=1)
    )
    network = NetworkFactory(name="Verkosto", slug="verkosto", visibility=Visibility.PUBLIC)
    network.coordinators.add(people["coordinator"])
    membership = MembershipFactory(network=network, user=people["member"])
    MembershipFactory(network=network, user=people["coordinator"])
    pending = MembershipFactory(network=network, status=MembershipStatus.PENDING)
    invited = Membership.objects.create(
        network=network,
        invited_email="invitee@example.fi",
        status=MembershipStatus.INVITED,
        invitation_token="i" * 43,
    )
    registration = RegistrationFactory(event=event, user=people["member"])
    guest = RegistrationFactory(
        event=event,
        user=None,
        name="Guest",
        email="guest@example.fi",
        status=RegistrationStatus.CONFIRMED,
    )
    past_registration = RegistrationFactory(event=past, user=people["member"], attended=True)
    Feedback.objects.create(event=past, registration=None, usefulness=4, recommend=9)
    material = EventMaterial.objects.create(event=event, title="Kalvot", url="https://x.fi/a")
    recording = RecordingFactory(event=past)
    track = CaptionTrackFactory(recording=recording, kind=TrackKind.HUMAN, vtt="WEBVTT\n")
    CaptionTrackVersion.objects.create(track=track, number=1, kind="uploaded", vtt=track.vtt)
    order = CaptionOrder.objects.create(
        recording=recording, vendor="V", ordered_on=timezone.localdate(), minutes=10
    )
    world.objects.update(
        theme=theme, series=series, presenter=presenter, event=event, past=past,
        network=network, membership=membership, pending=pending, invited=invited,
        registration=registration, guest=guest, past_registration=past_registration,
        material=material, recording=recording, track=track, order=order,
    )  # fmt: skip
    world.objects["authenticator"] = people["organiser"].authenticator_set.get()
    return world


def client_for(world: World, role: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    if role == "guest":
        client.get(f"/events/registration/{world.guest.token}/")
    elif role != "anonymous":
        client.force_login(world.people[role])
    return client
