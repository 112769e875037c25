"""The findings of each caption track grouped by rule (issue 18, large tracks)."""

from django.db import migrations, models

EXAMPLES = 5


def _group(findings):
    # A frozen copy of accessibility.checks.group_findings as it was when this was written.
    groups = {}
    for finding in findings:
        code = finding.get("code", "")
        group = groups.setdefault(
            code,
            {
                "code": code,
                "severity": "warning",
                "count": 0,
                "errors": 0,
                "warnings": 0,
                "examples": [],
            },
        )
        severity = finding.get("severity")
        group["count"] += 1
        if severity == "error":
            group["errors"] += 1
            group["severity"] = "error"
        else:
            group["warnings"] += 1
        if len(group["examples"]) < EXAMPLES:
            group["examples"].append(
                {
                    "severity": severity,
                    "start_ms": finding.get("start_ms"),
                    "time": finding.get("time", ""),
                    "line": finding.get("line"),
                    "params": finding.get("params") or {},
                }
            )
    return sorted(groups.values(), key=lambda g: g["severity"] != "error")


def summarise(apps, schema_editor):
    CaptionTrack = apps.get_model("recordings", "CaptionTrack")
    for track in CaptionTrack.objects.only("pk", "findings").iterator():
        if track.findings:
            summary = _group(track.findings)
            CaptionTrack.objects.filter(pk=track.pk).update(findings_summary=summary)


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0002_captiontrack_order_captiontrack_reviewed_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="captiontrack",
            name="findings_summary",
            field=models.JSONField(blank=True, default=list, verbose_name="check findings by rule"),
        ),
        migrations.RunPython(summarise, migrations.RunPython.noop),
    ]
