"""A generated data set for the attendance report, and independent plain counts over it."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import pytest

from events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Feedback,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from networks.models import MembershipStatus, Sector
from recordings.models import CaptionOrder, Recording
from tests.factories import (
    HELSINKI,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    PresenterFactory,
    RecordingFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

START = dt.date(2025, 3, 1)
END = dt.date(2025, 4, 30)


@dataclass
class DataSet:
    start: dt.date
    end: dt.date
    people: list
    organisations: list
    networks: list


def at(day: dt.date, hour: int = 14) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=HELSINKI)


def _event(rng: random.Random, day: dt.date, **kwargs) -> Event:
    starts = at(day, rng.choice([9, 13, 14]))
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **kwargs)


def build_dataset(seed: int = 7, *, n_events: int = 24) -> DataSet:
    """Several kinds, cancelled and draft events, drop-in headcounts, anonymous Teams
    attendees, waitlists, no-shows, guests, people who left a network, feedback,
    recordings and caption orders — inside and just outside March–April 2025."""
    rng = random.Random(seed)
    organisations = [
        OrganisationFactory(sector=Sector.COUNTY),
        OrganisationFactory(sector=Sector.NGO),
        OrganisationFactory(sector=Sector.KELA),
    ]
    networks = [NetworkFactory(), NetworkFactory()]
    people = [UserFactory(verified=False) for _ in range(12)]
    for index, person in enumerate(people[:6]):
        MembershipFactory(
            network=networks[index % 2],
            user=person,
            organisation=organisations[index % 3],
            status=MembershipStatus.LEFT if index == 0 else MembershipStatus.ACTIVE,
        )
    themes = [ThemeFactory() for _ in range(5)]
    presenters = [PresenterFactory() for _ in range(3)]
    series = SeriesFactory()
    days = [START - dt.timedelta(days=20) + dt.timedelta(days=4 * i) for i in range(n_events)]
    days.append(END)  # the last day of the period counts
    days.append(END + dt.timedelta(days=1))  # the day after does not
    for index, day in enumerate(days):
        kind = rng.choice(list(EventKind))
        status = EventStatus.PUBLISHED
        if index % 7 == 3:
            status = EventStatus.CANCELLED
        elif index % 11 == 5:
            status = EventStatus.DRAFT
        drop_in = kind == EventKind.KOHTAAMO and index % 2 == 0
        event = _event(
            rng,
            day,
            kind=kind,
            status=status,
            theme=rng.choice([*themes, None]),
            series=series if kind == EventKind.KOHTAAMO else None,
            format=rng.choice(list(EventFormat)),
            place="Kuopio",
            registration_mode=RegistrationMode.DROP_IN if drop_in else RegistrationMode.WAITLIST,
            headcount=rng.randint(3, 30) if drop_in else None,
            anonymous_attendees=rng.choice([0, 0, 2, 5]),
            capacity=6,
        )
        event.presenters.set(rng.sample(presenters, rng.randint(0, 2)))
        event.audience_networks.set(rng.sample(networks, rng.randint(0, 2)))
        if not drop_in:
            _registrations(rng, event, people, organisations)
        _feedback(rng, event)
        if index % 3 == 0:
            recording = RecordingFactory(event=event, view_count=rng.randint(0, 40))
            CaptionOrder.objects.create(
                recording=recording,
                vendor="Tekstitys Oy",
                ordered_on=day,
                minutes=Decimal(rng.choice(["55.50", "61.00", "30.25"])),
                price_per_minute=Decimal("3.20"),
            )
    RecordingFactory(event=None, view_count=99)  # not linked to any event
    return DataSet(START, END, people, organisations, networks)


def _registrations(rng, event, people, organisations) -> None:
    recorded = rng.random() < 0.8
    for person in rng.sample(people, rng.randint(2, 9)):
        status = rng.choice(
            [RegistrationStatus.CONFIRMED] * 4
            + [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED]
            + [RegistrationStatus.PENDING]
        )
        attended = None
        if recorded and status == RegistrationStatus.CONFIRMED:
            attended = rng.random() < 0.75
        RegistrationFactory(
            event=event,
            user=person,
            status=status,
            attended=attended,
            organisation=rng.choice([*organisations, None]),
        )
    for n in range(rng.randint(0, 2)):  # guests without an account
        RegistrationFactory(
            event=event,
            user=None,
            name=f"Guest {n}",
            email=f"guest{n}@example.fi",
            attended=True if recorded else None,
            organisation=organisations[1],
        )


def _feedback(rng, event) -> None:
    for n in range(rng.randint(0, 4)):
        Feedback.objects.create(
            event=event,
            usefulness=rng.randint(1, 5),
            recommend=rng.randint(0, 10),
            session_key=f"s{event.pk}-{n}",
        )


@pytest.fixture
def dataset(db) -> DataSet:
    return build_dataset()


# --- independent plain counts through the ORM and Python -----------------------------------


def held_events(start: dt.date, end: dt.date):
    return Event.objects.filter(
        status=EventStatus.PUBLISHED,
        starts_at__gte=at(start, 0),
        starts_at__lt=at(end + dt.timedelta(days=1), 0),
    )


def plain_totals(start: dt.date, end: dt.date, events=None) -> dict:
    """Every total of the report, counted the slow, obvious way."""
    events = list(events if events is not None else held_events(start, end))
    ids = [e.pk for e in events]
    regs = list(Registration.objects.filter(event_id__in=ids))
    live = [r for r in regs if r.status != RegistrationStatus.CANCELLED]
    attended = [r for r in regs if r.attended is True]
    recorded = {r.event_id for r in regs if r.attended is not None}
    confirmed_recorded = [
        r for r in regs if r.event_id in recorded and r.status == RegistrationStatus.CONFIRMED
    ]
    no_shows = [r for r in confirmed_recorded if r.attended is not True]
    headcount = sum(e.headcount or 0 for e in events)
    anonymous = sum(e.anonymous_attendees for e in events)
    feedback = list(Feedback.objects.filter(event_id__in=ids))
    promoters = sum(1 for f in feedback if f.recommend >= 9)
    detractors = sum(1 for f in feedback if f.recommend <= 6)
    recordings = Recording.objects.filter(event_id__in=ids)
    cost = sum(o.total for o in CaptionOrder.objects.filter(recording__event_id__in=ids))
    attendance = len(attended) + headcount + anonymous
    waitlisted = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    return {
        "events": len(events),
        "themes": len({e.theme_id for e in events if e.theme_id}),
        "registrations": len(live),
        "confirmed": sum(1 for r in regs if r.status == RegistrationStatus.CONFIRMED),
        "waitlisted": len(waitlisted),
        "events_with_waitlist": len({r.event_id for r in waitlisted}),
        "identified_attendees": len(attended),
        "headcount": headcount,
        "anonymous_attendees": anonymous,
        "attendance": attendance,
        "unique_participants": len({person_key(r) for r in attended}),
        "average_attendance": round(attendance / len(events), 1) if events else 0,
        "no_shows": len(no_shows),
        "no_show_rate": round(len(no_shows) / len(confirmed_recorded) * 100, 1)
        if confirmed_recorded
        else 0.0,
        "feedback_answers": len(feedback),
        "average_usefulness": round(sum(f.usefulness for f in feedback) / len(feedback), 2)
        if feedback
        else None,
        "nps": round((promoters - detractors) / len(feedback) * 100) if feedback else None,
        "recording_views": sum(r.view_count or 0 for r in recordings),
        "caption_cost": float(cost),
    }


def person_key(registration: Registration) -> str:
    if registration.user_id:
        return f"user {registration.user_id}"
    if registration.email:
        return f"email {registration.email.lower()}"
    return f"row {registration.pk}"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The data set makes many users; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
