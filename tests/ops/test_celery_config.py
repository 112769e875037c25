"""Celery configuration: schedules point at real tasks, tasks log what they did."""

from __future__ import annotations

import logging
import socket
import subprocess

import pytest
from django.conf import settings

from accounts.models import AuditEntry
from accounts.tasks import ping_database
from kohtaamo.celery import app

from .conftest import BASE_DIR, PYTHON, free_port, subprocess_env


def test_embedded_mode_runs_tasks_in_process():
    # The test settings are the embedded defaults: memory broker, eager tasks.
    assert settings.CELERY_BROKER_URL == "memory://localhost/"
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
        "fetch_due_teams_attendance",
    } <= scheduled


@pytest.mark.django_db
def test_a_task_logs_its_outcome(caplog):
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


def test_a_dying_worker_gives_its_task_back_before_the_broker_redelivers_it():
    # Every task is idempotent (the outbox row is the key): a task whose worker was killed
    # goes back to the queue, and the broker redelivers an unacknowledged task only after
    # the longest a task may run, so a slow task is never run twice at once.
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_reject_on_worker_lost is True
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == settings.CELERY_VISIBILITY_TIMEOUT == 300
    assert app.conf.task_time_limit < visibility
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_settings_refuse_a_visibility_timeout_shorter_than_the_time_limit():
    env = subprocess_env(CELERY_VISIBILITY_TIMEOUT="200", CELERY_TASK_TIME_LIMIT="240")
    result = subprocess.run(  # noqa: S603 - our interpreter and script
        [PYTHON, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT" in result.stderr


def test_procfile_and_systemd_unit_start_workers_with_the_same_concurrency():
    procfile = (BASE_DIR / "Procfile").read_text()
    unit = (BASE_DIR / "deploy" / "kohtaamo-worker.service").read_text()
    worker_line = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    assert "--concurrency=${CELERY_CONCURRENCY:-2}" in worker_line
    # systemd has no ${VAR:-default}: the same default is an Environment= line, which the
    # EnvironmentFile= after it overrides.
    assert "--concurrency=${CELERY_CONCURRENCY}" in unit
    lines = unit.splitlines()
    default = lines.index("Environment=CELERY_CONCURRENCY=2")
    assert default < lines.index("EnvironmentFile=/etc/kohtaamo/kohtaamo.env")


PUBLISH = """
import sys
import time
import django
django.setup()
from kohtaamo.celery import app
assert not app.conf.task_always_eager
# What a request hands over (the outbox's delivery task) keeps no result; a task that does
# also subscribes to its result in the result backend (the same Redis) before publishing.
@app.task(name="tests.publish_probe", ignore_result=sys.argv[1] == "no result")
def probe():
    pass
started = time.monotonic()
try:
    probe.apply_async()
except Exception as error:
    print("raised", type(error).__name__, round(time.monotonic() - started, 2))
else:
    print("published")
"""


@pytest.mark.parametrize("result", ["no result", "with result"])
@pytest.mark.parametrize("broker", ["closed port", "silent server"])
def test_publishing_to_an_unreachable_broker_fails_within_seconds(broker, result):
    """A request publishes once and gives up after CELERY_BROKER_TIMEOUT (2 s). Without the
    timeouts a broker that accepts the connection and never answers held the caller for
    good, and the result backend retried a refused connection for 20 s."""
    with socket.socket() as silent:
        if broker == "silent server":  # accepts connections (kernel backlog), never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(50)
            port = silent.getsockname()[1]
        else:
            port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        env = subprocess_env(CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url)
        env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
        try:
            completed = subprocess.run(  # noqa: S603 - our interpreter and script
                [PYTHON, "-c", PUBLISH, result],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("publishing to an unreachable broker still waited after 60 s")
    assert completed.returncode == 0, completed.stderr[-2000:]
    outcome, error, seconds = completed.stdout.split()
    assert outcome == "raised"
    if result == "no result":
        assert error == "OperationalError"  # kombu's: what the outbox catches and logs
    assert float(seconds) < 6  # generous: the timeout is 2 s, the machine is shared
