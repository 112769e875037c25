"""manage.py import_attendance EVENT_ID FILE [--dry-run] [--format text|json]
[--count-hosts] [--merge] [--belongs-to-event REASON]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from events.attendance import services
from events.models import Event


class Command(BaseCommand):
    help = "Import a Microsoft Teams attendance report for one event (see docs)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("event_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be saved; save nothing."
        )
        parser.add_argument(
            "--format", dest="output_format", choices=["text", "json"], default="text"
        )
        parser.add_argument(
            "--count-hosts",
            action="store_true",
            help="Count organisers and presenters (the Role column) as participants.",
        )
        parser.add_argument(
            "--merge",
            action="store_true",
            help="Merge into the reports already imported for the event.",
        )
        parser.add_argument(
            "--belongs-to-event",
            metavar="REASON",
            default="",
            help="Import a report whose date or title differs from the event's; the reason "
            "is audited.",
        )

    def handle(
        self,
        *args,
        event_id: int,
        file: Path,
        dry_run: bool,
        output_format: str,
        count_hosts: bool = False,
        merge: bool = False,
        belongs_to_event: str = "",
        **options,
    ):
        translation.activate("en")
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            raise CommandError(f"No event with id {event_id}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            result = services.import_attendance(
                event=event,
                file_bytes=data,
                file_name=file.name,
                by=None,
                dry_run=dry_run,
                count_hosts=count_hosts,
                merge=merge,
                belongs_to_event=bool(belongs_to_event.strip()),
                reason=belongs_to_event,
            )
        except services.AttendanceImportError as exc:
            if output_format == "json":
                self.stdout.write(json.dumps({"error": str(exc.message), "line": exc.line}))
            raise CommandError(f"{file.name}: {exc.message}") from exc
        if output_format == "json":
            payload = result.as_dict()
            payload["people"] = [
                {"minutes": p.minutes, "joins": p.joins, "status": p.status} for p in result.people
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {file.name} ({result.report_format}) for event {event.pk}: "
            f"counted {result.counted}, matched {result.matched}, unmatched {result.unmatched}, "
            f"too short {result.too_short}, note-takers {result.note_takers}, "
            f"organisers and presenters {result.hosts}; "
            f"attendees without registration {result.anonymous_attendees}."
        )
        for mismatch in result.mismatches:
            self.stdout.write(f"Warning: {mismatch}")
