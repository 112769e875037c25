from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise personal data of guests and of events that ended more than "
        "RETENTION_MONTHS months ago, erase answers to registration questions "
        "ANSWERS_RETENTION_DAYS days after the event, and remove access log lines older "
        "than ACCESS_LOG_RETENTION_DAYS days. Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be anonymised."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        result = apply_retention(dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(
            f"Retention {settings.RETENTION_MONTHS} months (cut-off {result.cutoff:%Y-%m-%d}): "
            f"{result.registrations} registrations {verb}."
        )
        removed = "would be removed" if dry_run else "removed"
        self.stdout.write(
            f"Access log {settings.ACCESS_LOG_RETENTION_DAYS} days: "
            f"{result.access_entries} entries {removed}."
        )
        erased = "would be erased" if dry_run else "erased"
        self.stdout.write(
            f"Answers to registration questions {settings.ANSWERS_RETENTION_DAYS} days after "
            f"the event: {result.answers} registrations' answers {erased}."
        )
        cleared = "would be cleared" if dry_run else "cleared"
        self.stdout.write(
            f"Accessibility feedback before {result.cutoff:%Y-%m-%d}: "
            f"{result.feedback_contacts} contact details {cleared}."
        )
