"""Celery configuration: schedules point at real tasks, tasks log what they did."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings

from kohtaamo.celery import app


def test_embedded_mode_runs_tasks_in_process():
    # The test settings are the embedded defaults: memory broker, eager tasks.
    assert settings.CELERY_BROKER_URL == "memory://"
    assert app.conf.task_always_eager is True


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    missing = sorted(name for name in scheduled if name not in app.tasks)
    assert not missing, f"beat schedules tasks that do not exist: {missing}"


def test_beat_covers_every_schedule_the_product_needs():
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    scheduled = {entry["task"].rsplit(".", 1)[-1] for entry in entries}
    assert {
        "send_due_reminders",
        "send_due_feedback_requests",
        "send_weekly_digests",
        "refresh_all_recordings",
        "send_deadline_alerts",
        "apply_retention",
    } <= scheduled


@pytest.mark.django_db
def test_a_task_logs_its_outcome(caplog):
    from accounts.models import AuditEntry
    from kohtaamo.tasks import ping_database

    with caplog.at_level(logging.INFO, logger="kohtaamo.tasks"):
        ping_database.delay(marker="eager-1")
        ping_database.delay(marker="eager-1")

    assert AuditEntry.objects.filter(action="ops.ping", object_label="eager-1").count() == 1
    lines = [r for r in caplog.records if r.name == "kohtaamo.tasks"]
    assert len(lines) == 2
    assert lines[0].outcome == "success"
    assert lines[0].task == "kohtaamo.tasks.ping_database"
    assert "eager-1" in lines[0].getMessage()


def test_a_failing_task_logs_the_failure(caplog):
    @app.task(name="tests.ops.always_fails")
    def always_fails():
        raise ValueError("broken on purpose")

    with caplog.at_level(logging.INFO, logger="kohtaamo.tasks"):
        result = always_fails.apply(throw=False)

    assert result.failed()
    failures = [r for r in caplog.records if getattr(r, "outcome", "") == "failure"]
    assert len(failures) == 1
    assert "broken on purpose" in failures[0].getMessage()
