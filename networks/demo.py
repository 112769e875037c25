"""Demo rows of the networks app: announcements and a members-only second network.

Appended to kohtaamo.demo.EXTRA_SEEDERS; deterministic (uses the seed's rng and today).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from kohtaamo import demo

from .models import (
    Announcement,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    MessagePreference,
    Network,
    Visibility,
)

ANNOUNCEMENTS = [
    (
        9,
        "Verkostotapaamisen muistiinpanot ja materiaalit",
        "Kiitos kaikille syksyn verkostotapaamiseen osallistuneille! Muistiinpanot ja "
        "esitysmateriaalit löytyvät verkoston sivulta tapaamisen kohdalta.",
    ),
    (
        2,
        "Ilmoittaudu joulukuun työpajaan",
        "Joulukuun työpajan aiheena on IPS-työhönvalmennus. Ilmoittautuminen on auki "
        "tapahtumasivulla. Tervetuloa!",
    ),
]


def seed_networks(*, rng, today: dt.date, events, people) -> dict[str, int]:
    coordinator = User.objects.get(email="jarjestaja@kohtaamo.example")
    network = Network.objects.get(slug="tyohonvalmennus")
    for days_ago, subject, body in ANNOUNCEMENTS:
        announcement = Announcement.objects.create(
            network=network, author=coordinator, subject=subject, body=body
        )
        sent_at = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10, 0))
        )
        Announcement.objects.filter(pk=announcement.pk).update(sent_at=sent_at)
    experts = Network.objects.create(
        name="Kokemusasiantuntijoiden verkosto",
        slug="kokemusasiantuntijat",
        description="Kokemusasiantuntijoiden oma verkosto: vertaistukea, koulutusta ja "
        "yhteisiä tehtäviä hyvinvointialueen työkykypalveluissa. Vain jäsenille.",
        join_policy=JoinPolicy.INVITATION,
        visibility=Visibility.MEMBERS,
    )
    experts.coordinators.add(coordinator)
    member = User.objects.get(email="jasen@kohtaamo.example")
    chosen = [member, *people[110:122]]
    Membership.objects.bulk_create(
        Membership(
            network=experts,
            user=person,
            organisation=person.organisation,
            role=MemberRole.EXPERIENCE_EXPERT,
            status=MembershipStatus.ACTIVE,
            joined_on=dt.date(2023, 1, 16) + dt.timedelta(days=7 * index),
            show_email=index % 3 == 0,
            message_preference=MessagePreference.EACH
            if index % 4 == 0
            else MessagePreference.DIGEST,
        )
        for index, person in enumerate(chosen)
    )
    Membership.objects.create(
        network=experts,
        invited_email="uusi.kokija@example.fi",
        invited_name="Uusi Kokija",
        role=MemberRole.EXPERIENCE_EXPERT,
        status=MembershipStatus.INVITED,
        invitation_token=f"{rng.getrandbits(192):048x}",
    )
    _meetings(today=today, networks=[network, experts])
    return {"announcements": len(ANNOUNCEMENTS), "networks": 1}


def _meetings(*, today: dt.date, networks: list[Network]) -> None:
    """An upcoming meeting for each network, and slides on the latest past one."""
    from events.models import (
        Audience,
        Event,
        EventFormat,
        EventKind,
        EventMaterial,
        EventStatus,
    )

    titles = ["Verkostotapaaminen: työhönvalmennuksen laatu", "Kokijoiden vertaistapaaminen"]
    for offset, (network, title) in enumerate(zip(networks, titles, strict=True)):
        starts = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=10 + 7 * offset), dt.time(13, 0))
        )
        event = Event.objects.create(
            kind=EventKind.NETWORK_MEETING,
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            format=EventFormat.ONLINE,
            meeting_url="https://teams.microsoft.com/l/meetup-join/demo-network",
            capacity=60,
            audience=Audience.NETWORKS,
            status=EventStatus.PUBLISHED,
        )
        event.audience_networks.add(network)
    latest = (
        Event.objects.filter(
            audience_networks=networks[0],
            ends_at__lt=timezone.make_aware(dt.datetime.combine(today, dt.time())),
        )
        .order_by("-starts_at")
        .first()
    )
    if latest is not None:
        EventMaterial.objects.create(
            event=latest,
            title="Tapaamisen diat (PDF)",
            url="https://example.fi/materiaalit/verkostotapaaminen.pdf",
        )


demo.EXTRA_SEEDERS.append(seed_networks)
