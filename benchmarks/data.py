"""Data for the benchmarks, written straight into the bench database (bulk inserts)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

HELSINKI = ZoneInfo("Europe/Helsinki")
KINDS = ["kohtaamo", "workshop", "training", "info_session", "network_meeting", "coffee_hour"]


@transaction.atomic
def upcoming_events(count: int, *, seed: int = 8) -> int:
    """`count` published future events with themes, series and presenters, like real ones."""
    from events.models import (  # noqa: PLC0415 - models load after django.setup() in run.py
        Event,
        EventStatus,
        Presenter,
        RegistrationMode,
        Series,
        Theme,
    )

    rng = random.Random(seed)
    themes = Theme.objects.bulk_create(
        Theme(title=f"Teema {n}: työkyky ja hyvinvointi", slug=f"teema-{n}", description="Kuvaus")
        for n in range(45)
    )
    series = Series.objects.bulk_create(
        Series(name=f"Sarja {n}", slug=slugify(f"sarja-{n}"), kind=KINDS[n % len(KINDS)])
        for n in range(6)
    )
    presenters = Presenter.objects.bulk_create(
        Presenter(
            name=f"Esiintyjä {n}", title="Työkykykoordinaattori", organisation="Hyvinvointialue"
        )
        for n in range(100)
    )
    first = timezone.now().astimezone(HELSINKI).replace(hour=14, minute=0, second=0, microsecond=0)
    events = []
    for n in range(count):
        starts = first + dt.timedelta(days=1 + n * 2 // 3, hours=n % 3)
        events.append(
            Event(
                kind=KINDS[n % len(KINDS)],
                series=series[n % len(series)],
                theme=themes[n % len(themes)],
                title="" if n % 4 else f"Tapahtuma {n}",
                description="Tervetuloa! " * 20,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=1),
                meeting_url="https://teams.microsoft.com/l/meetup-join/bench",
                capacity=rng.choice([None, 30, 60]),
                registration_mode=RegistrationMode.WAITLIST,
                status=EventStatus.PUBLISHED,
            )
        )
    events = Event.objects.bulk_create(events)
    through = Event.presenters.through
    through.objects.bulk_create(
        through(event_id=event.pk, presenter_id=presenters[(i * 7 + k) % len(presenters)].pk)
        for i, event in enumerate(events)
        for k in range(1 + i % 2)
    )
    return len(events)


@transaction.atomic
def contested_event(*, seats: int):
    """One event with `seats` seats and a waitlist, opening now."""
    from events.models import Event, EventStatus, RegistrationMode  # noqa: PLC0415 - models load after django.setup() in run.py

    starts = timezone.now() + dt.timedelta(days=30)
    return Event.objects.create(
        kind="workshop",
        title="Suosittu työpaja",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        meeting_url="https://teams.microsoft.com/l/meetup-join/bench",
        capacity=seats,
        registration_mode=RegistrationMode.WAITLIST,
        status=EventStatus.PUBLISHED,
    )


@transaction.atomic
def people_with_tokens(count: int) -> list[str]:
    """`count` verified people, each with a DRF token; returns the tokens in order."""
    from allauth.account.models import EmailAddress  # noqa: PLC0415 - models load after django.setup() in run.py
    from rest_framework.authtoken.models import Token  # noqa: PLC0415 - models load after django.setup() in run.py

    user_model = get_user_model()
    users = []
    for n in range(count):
        user = user_model(email=f"kuormittaja{n}@example.fi", display_name=f"Kuormittaja {n}")
        user.set_unusable_password()
        users.append(user)
    users = user_model.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    tokens = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in users)
    return [token.key for token in tokens]


def registration_outcome(event_id: int) -> dict[str, int]:
    from events.models import Registration  # noqa: PLC0415 - models load after django.setup() in run.py

    rows = Registration.objects.filter(event_id=event_id).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def three_hour_webvtt(cues: int = 3000, *, seconds: int = 3 * 3600) -> str:
    """A realistic three-hour caption file: two short lines per cue, 3.6 s each."""
    words = [
        "työkyky",
        "hyvinvointi",
        "kuntoutus",
        "ohjaus",
        "verkosto",
        "asiakas",
        "tavoite",
        "arki",
        "tuki",
        "työpaikka",
        "palvelu",
        "yhteistyö",
        "osaaminen",
        "kokemus",
        "keskustelu",
        "ratkaisu",
    ]
    rng = random.Random(5)
    step = seconds * 1000 // cues
    lines = ["WEBVTT", ""]
    for n in range(cues):
        start, end = n * step, n * step + step - 120
        first = " ".join(rng.choice(words) for _ in range(3)).capitalize()
        second = " ".join(rng.choice(words) for _ in range(3)) + "."
        lines += [str(n + 1), f"{_stamp(start)} --> {_stamp(end)}", first, second, ""]
    return "\n".join(lines)


def _stamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
