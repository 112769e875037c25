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
# Past events begin further back than the feeds reach (events/calendars/selectors.FEED_PAST).
PAST_FROM_DAYS = 190
KINDS = ["kohtaamo", "workshop", "training", "info_session", "network_meeting", "coffee_hour"]


@transaction.atomic
def upcoming_events(count: int, *, seed: int = 8) -> int:
    """`count` published future events with themes, series and presenters, like real ones."""
    return grow_events(upcoming=count, past=0, seed=seed)


@transaction.atomic
def grow_events(*, upcoming: int, past: int, seed: int = 8) -> int:
    """Add events until `upcoming` future and `past` past published events exist.

    The themes, series and presenters are made once and shared, so a benchmark can grow
    the same database from one size to the next. Past events go back from PAST_FROM_DAYS
    ago (the archive; older than the feeds' six months, so a feed holds only the `upcoming`
    events), future ones start tomorrow; three a day, at 9, 12 and 14.
    """
    from events.models import Event  # noqa: PLC0415 - models load after django.setup() in run.py

    themes, series, presenters = _catalogue()
    now = timezone.now()
    have_upcoming = Event.objects.filter(starts_at__gte=now, series__isnull=False).count()
    have_past = Event.objects.filter(starts_at__lt=now, series__isnull=False).count()
    rng = random.Random(seed + have_upcoming + have_past)
    today = now.astimezone(HELSINKI).replace(hour=0, minute=0, second=0, microsecond=0)
    events = [
        _event(n, today, +1, rng, themes=themes, series=series)
        for n in range(have_upcoming, upcoming)
    ] + [_event(n, today, -1, rng, themes=themes, series=series) for n in range(have_past, past)]
    events = Event.objects.bulk_create(events)
    through = Event.presenters.through
    through.objects.bulk_create(
        through(event_id=event.pk, presenter_id=presenters[(event.pk * 7 + k) % len(presenters)].pk)
        for event in events
        for k in range(1 + event.pk % 2)
    )
    return len(events)


def _catalogue():
    from events.models import Presenter, Series, Theme  # noqa: PLC0415 - models load after django.setup() in run.py

    if not Theme.objects.filter(slug="teema-0").exists():
        Theme.objects.bulk_create(
            Theme(
                title=f"Teema {n}: työkyky ja hyvinvointi", slug=f"teema-{n}", description="Kuvaus"
            )
            for n in range(45)
        )
        Series.objects.bulk_create(
            Series(name=f"Sarja {n}", slug=slugify(f"sarja-{n}"), kind=KINDS[n % len(KINDS)])
            for n in range(6)
        )
        Presenter.objects.bulk_create(
            Presenter(
                name=f"Esiintyjä {n}", title="Työkykykoordinaattori", organisation="Hyvinvointialue"
            )
            for n in range(100)
        )
    return (
        list(Theme.objects.filter(slug__startswith="teema-").order_by("pk")),
        list(Series.objects.filter(slug__startswith="sarja-").order_by("pk")),
        list(Presenter.objects.filter(name__startswith="Esiintyjä ").order_by("pk")),
    )


def _event(n: int, today: dt.datetime, direction: int, rng: random.Random, *, themes, series):
    from events.models import Event, EventStatus, RegistrationMode  # noqa: PLC0415 - models load after django.setup() in run.py

    day, slot = divmod(n, 3)
    first = 1 if direction > 0 else PAST_FROM_DAYS
    date = today + dt.timedelta(days=direction * (first + day))
    starts = date.replace(hour=(9, 12, 14)[slot])
    return Event(
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


def burst_people():
    """The people people_with_tokens made, in the order of their tokens."""
    return get_user_model().objects.filter(email__startswith="kuormittaja").order_by("pk")


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
