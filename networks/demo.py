"""Demo rows of the networks app: the work-coaching network with 96 active members (and
some who left or wait for approval), its announcements, a members-only second network of
experts by experience with an open invitation, and an upcoming meeting for each network.

After accounts.demo in settings.DEMO_SEEDERS (its people are found by query), before
events.demo (whose network meetings and coffee hours are for the main network).
Deterministic: memberships come from the context's rng, the invitation token from the
invited address.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from accounts.demo import MEMBER_EMAIL, ORGANISER_EMAIL, demo_people, demo_user
from accounts.models import User
from events.models import Audience, Event, EventFormat, EventKind, EventStatus
from kohtaamo.demo import DemoContext

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

MAIN_NETWORK_SLUG = "tyohonvalmennus"
ANNOUNCEMENTS = [
    (
        9,
        "Verkostotapaamisen muistiinpanot ja materiaalit",
        (
            "Kiitos kaikille syksyn verkostotapaamiseen osallistuneille! Muistiinpanot ja "
            "esitysmateriaalit löytyvät verkoston sivulta tapaamisen kohdalta."
        ),
    ),
    (
        2,
        "Ilmoittaudu joulukuun työpajaan",
        (
            "Joulukuun työpajan aiheena on IPS-työhönvalmennus. Ilmoittautuminen on auki "
            "tapahtumasivulla. Tervetuloa!"
        ),
    ),
]
INVITED_EMAIL = "uusi.kokija@example.fi"


def seed(context: DemoContext) -> dict[str, int]:
    people = demo_people()
    coordinator = demo_user(ORGANISER_EMAIL)
    member = demo_user(MEMBER_EMAIL)
    network = _main_network(context, people, coordinator, member)
    _announcements(context, network, coordinator)
    experts = _experts_network(people, coordinator, member)
    _meetings(context, [network, experts])
    return {
        "members": network.memberships.filter(status=MembershipStatus.ACTIVE).count(),
        "networks": Network.objects.count(),
        "announcements": len(ANNOUNCEMENTS),
    }


def _main_network(
    context: DemoContext, people: list[User], coordinator: User, member: User
) -> Network:
    rng = context.rng
    network = Network.objects.create(
        name="Työ- ja työhönvalmennuksen verkosto",
        slug=MAIN_NETWORK_SLUG,
        description="Työhönvalmennuksen ammattilaisten, kokemusasiantuntijoiden ja johdon "
        "verkosto: jäseniä hyvinvointialueelta, kunnista, TE-toimistosta, Kelasta, "
        "TYP:stä, järjestöistä, oppilaitoksista ja työnantajista.",
    )
    network.coordinators.add(coordinator)
    memberships = [
        Membership(
            network=network,
            user=person,
            organisation=person.organisation,
            role=rng.choices(list(MemberRole), weights=[2, 12, 3, 1])[0],
            status=MembershipStatus.ACTIVE,
            joined_on=dt.date(2022, 1, 10) + dt.timedelta(days=rng.randrange(600)),
            show_email=rng.random() < 0.6,
            show_phone=rng.random() < 0.2,
            message_preference=rng.choices(list(MessagePreference), weights=[2, 6, 1])[0],
        )
        for person in people[:96]
    ]
    memberships += [
        Membership(
            network=network,
            user=person,
            status=MembershipStatus.LEFT,
            organisation=person.organisation,
            joined_on=dt.date(2022, 2, 1),
            left_on=dt.date(2023, 6, 1),
        )
        for person in people[96:100]
    ]
    memberships += [
        Membership(
            network=network,
            user=person,
            organisation=person.organisation,
            status=MembershipStatus.PENDING,
        )
        for person in people[100:103]
    ]
    memberships.append(
        Membership(
            network=network,
            user=member,
            organisation=member.organisation,
            status=MembershipStatus.ACTIVE,
            joined_on=dt.date(2022, 3, 1),
            show_email=True,
        )
    )
    Membership.objects.bulk_create(memberships)
    return network


def _announcements(context: DemoContext, network: Network, coordinator: User) -> None:
    for days_ago, subject, body in ANNOUNCEMENTS:
        announcement = Announcement.objects.create(
            network=network, author=coordinator, subject=subject, body=body
        )
        sent_at = timezone.make_aware(
            dt.datetime.combine(context.today - dt.timedelta(days=days_ago), dt.time(10, 0))
        )
        Announcement.objects.filter(pk=announcement.pk).update(sent_at=sent_at)


def _experts_network(people: list[User], coordinator: User, member: User) -> Network:
    experts = Network.objects.create(
        name="Kokemusasiantuntijoiden verkosto",
        slug="kokemusasiantuntijat",
        description="Kokemusasiantuntijoiden oma verkosto: vertaistukea, koulutusta ja "
        "yhteisiä tehtäviä hyvinvointialueen työkykypalveluissa. Vain jäsenille.",
        join_policy=JoinPolicy.INVITATION,
        visibility=Visibility.MEMBERS,
    )
    experts.coordinators.add(coordinator)
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
        invited_email=INVITED_EMAIL,
        invited_name="Uusi Kokija",
        role=MemberRole.EXPERIENCE_EXPERT,
        status=MembershipStatus.INVITED,
        # Like the demo's TOTP secrets: the same on every seed, and public.
        invitation_token=hashlib.sha256(
            f"kohtaamo-demo-invitation:{INVITED_EMAIL}".encode()
        ).hexdigest()[:48],
    )
    return experts


def _meetings(context: DemoContext, networks: list[Network]) -> None:
    """An upcoming meeting for each network."""
    titles = ["Verkostotapaaminen: työhönvalmennuksen laatu", "Kokijoiden vertaistapaaminen"]
    for offset, (network, title) in enumerate(zip(networks, titles, strict=True)):
        starts = timezone.make_aware(
            dt.datetime.combine(
                context.working_day(context.today + dt.timedelta(days=10 + 7 * offset)),
                dt.time(13, 0),
            )
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
