"""Hand the outbox's pending rows to Celery now (what the beat task does every minute)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from outbox import selectors, services


class Command(BaseCommand):
    help = (
        "Hand pending outbox messages (and those whose worker died) to Celery; "
        "print the counts. --now ignores the grace delay."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Also hand over rows younger than the grace delay (OUTBOX_GRACE_SECONDS).",
        )

    def handle(self, *args, now: bool = False, **options):
        result = services.dispatch_pending(older_than=dt.timedelta(0) if now else None)
        self.stdout.write(
            f"pending: {result['pending']}, stale: {result['stale']}, "
            f"handed over: {result['handed_over']}"
        )
        status = selectors.counts()
        self.stdout.write(
            "outbox: " + ", ".join(f"{name} {count}" for name, count in status.items())
        )
        if result["handed_over"] < result["pending"] + result["stale"]:
            self.stderr.write("The broker did not take every message: they stay pending.")
