"""Read every recording's metadata from the platform now, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from recordings import selectors, services
from recordings.models import Recording


class Command(BaseCommand):
    help = "Read duration, availability, views and caption tracks of recordings from the platform."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these recording ids.")
        parser.add_argument(
            "--all",
            dest="every",
            action="store_true",
            help="Include recordings a person must fix first.",
        )

    def handle(self, *args, ids: list[int], every: bool, **options):
        queryset = Recording.objects.order_by("pk") if every or ids else None
        if queryset is None:
            queryset = selectors.recordings_to_refresh()
        if ids:
            queryset = queryset.filter(pk__in=ids)
        recordings = list(queryset)
        failed = 0
        for recording in tqdm(recordings, desc="recordings", unit="rec", file=self.stderr):
            outcome = services.sync_from_platform(recording=recording)
            if not outcome.ok:
                failed += 1
                self.stderr.write(f"#{recording.pk} {recording.url}: {outcome.message}")
        self.stdout.write(f"{len(recordings) - failed} read, {failed} failed")
