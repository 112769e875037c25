"""Check caption files without storing anything: for scripts and vendor deliveries.

Exit status: 0 when every file complies, 1 when a file has errors, 2 when a file cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accessibility import checks
from accessibility.models import CaptionPolicy


class Command(BaseCommand):
    help = "Check WebVTT (or SRT) caption files against the caption policy; stores nothing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Caption files (.vtt, .srt).")
        parser.add_argument("--duration", type=float, help="The video's duration in seconds.")
        parser.add_argument(
            "--format", dest="output_format", choices=["text", "json"], default="text"
        )

    def handle(
        self, *args, files: list[str], duration: float | None, output_format: str, **options
    ):
        if duration is not None and duration <= 0:
            raise CommandError("--duration must be more than zero")
        policy = CaptionPolicy.objects.filter(pk=1).first() or CaptionPolicy()
        reports, worst = [], 0
        for name in files:
            report = self._check(Path(name), duration, policy)
            worst = max(worst, report["exit"])
            reports.append(report)
        if output_format == "json":
            self.stdout.write(json.dumps({"files": reports, "ok": worst == 0}, indent=2))
        else:
            for report in reports:
                self._print(report)
        if worst:
            raise SystemExit(worst)

    def _check(self, path: Path, duration, policy) -> dict:
        try:
            content = path.read_bytes()
        except OSError as exc:
            return {
                "file": str(path),
                "readable": False,
                "ok": False,
                "exit": 2,
                "error": str(exc),
                "findings": [],
            }
        if path.suffix.lower() == ".srt" or checks.looks_like_srt(content):
            try:
                content = checks.srt_to_vtt(content)
            except ValueError as exc:
                return {
                    "file": str(path),
                    "readable": False,
                    "ok": False,
                    "exit": 2,
                    "error": str(exc),
                    "findings": [],
                }
        result = checks.check_vtt(content, duration_seconds=duration, policy=policy)
        data = result.as_dict()
        exit_code = 0 if result.ok else (1 if result.readable else 2)
        return {"file": str(path), "readable": result.readable, "exit": exit_code, **data}

    def _print(self, report: dict) -> None:
        write = self.stdout.write
        write(report["file"])
        if report.get("error"):
            write(f"  cannot be read: {report['error']}")
        for finding in report["findings"]:
            where = f"line {finding['line']}" if finding.get("line") else "-"
            time = finding.get("time") or "-"
            write(
                f"  {finding['severity']:7} {time:12} {where:10} {finding['code']}: "
                f"{finding['message']}"
            )
        if report.get("cues") is not None and report["readable"]:
            coverage = report.get("coverage")
            cov = f", coverage {coverage * 100:.0f} %" if coverage is not None else ""
            write(
                f"  {report['cues']} cues, {report['errors']} errors, "
                f"{report['warnings']} warnings{cov}"
            )
        verdict = (
            "COMPLIES"
            if report["exit"] == 0
            else ("DOES NOT COMPLY" if report["exit"] == 1 else "CANNOT BE READ")
        )
        write(f"  verdict: {verdict}")
