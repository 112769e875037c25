"""manage.py archive_programme --output PATH [--keep-personal-data] [--language fi|sv|en]"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from archive import services


class Command(BaseCommand):
    help = (
        "Write the programme's archive (every table as CSV, the data dictionary, the final "
        "report's PDF and the caption files) to one ZIP file. See docs/archive.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", type=Path, required=True, help="Path of the ZIP file.")
        parser.add_argument(
            "--keep-personal-data",
            action="store_true",
            default=None,
            help="Keep personal data as it is (default: ARCHIVE_KEEP_PERSONAL_DATA, "
            "else pseudonymised).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="Language of the dictionary, README and PDF (default: ARCHIVE_LANGUAGE).",
        )

    def handle(self, *args, output: Path, keep_personal_data, language, **options) -> None:
        summary = services.build_archive(
            output=output, keep_personal_data=keep_personal_data, language=language
        )
        rows = sum(summary.tables.values())
        personal = "kept" if summary.keep_personal_data else "pseudonymised"
        self.stdout.write(
            f"{summary.path}: {len(summary.tables)} tables, {rows} rows, "
            f"{summary.captions} caption files; personal data {personal}."
        )
