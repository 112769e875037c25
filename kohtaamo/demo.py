"""Load the demo data: run the seeders that settings.DEMO_SEEDERS lists, in that order, once.

Each app keeps its own demo rows in `<app>/demo.py`, whose `seed(context) -> dict[str, int]`
creates them and returns counts of what exists. The seeders share one DemoContext: one
random stream, drawn from in the listed order, so the same seed gives the same data; a
later seeder finds what earlier ones made by query (the demo's people by their e-mail
addresses, the networks by slug). The first seeder raises DemoAlreadyLoadedError when its rows
exist; then nothing is created. The seeders are imported by their dotted paths, so this
configuration package imports no domain app.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import holidays
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

# Every year's Finnish public holidays, filled in as they are asked for.
FINNISH_HOLIDAYS = holidays.country_holidays("FI")


@dataclass(frozen=True)
class DemoContext:
    today: dt.date
    rng: random.Random

    def working_day(self, day: dt.date) -> dt.date:
        """`day`, or the first day after it that an organiser would pick: Monday to Friday
        and not a Finnish public holiday (the eves of Christmas and Midsummer included)."""
        while day.weekday() >= 5 or day in FINNISH_HOLIDAYS:
            day += dt.timedelta(days=1)
        return day


class DemoAlreadyLoadedError(Exception):
    """Raised by a seeder that finds its demo rows already in the database."""


def seed(*, today: dt.date | None = None, seed_value: int = 2022) -> dict[str, int]:
    """Build the demo data once, in one transaction. Returns the seeders' counts, or {}
    when the demo was already loaded."""
    seeders = [import_string(path) for path in settings.DEMO_SEEDERS]
    context = DemoContext(today=today or timezone.localdate(), rng=random.Random(seed_value))  # noqa: S311 - demo data
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for seeder in seeders:
                counts.update(seeder(context))
    except DemoAlreadyLoadedError:
        return {}
    return counts
