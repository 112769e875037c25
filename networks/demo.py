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
    return {"announcements": len(ANNOUNCEMENTS), "networks": 1}


demo.EXTRA_SEEDERS.append(seed_networks)
