"""A real Celery worker process on the local Redis and the test PostgreSQL database.

The worker and this test share the database (committed rows: ``transaction=True``)
and the broker (Redis DB 5, a queue of its own per run). Bounded in time; the
worker is stopped at the end whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery
from celery.result import allow_join_result
from django.db import connection

from accounts.models import AuditEntry
from outbox.models import OutboxMessage, OutboxStatus
from tests.factories import EventFactory, RegistrationFactory, UserFactory

from .conftest import (
    BASE_DIR,
    PYTHON,
    TEST_REDIS_URL,
    database_url_of,
    redis_reachable,
    require_service,
    subprocess_env,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

STARTUP_SECONDS = 90
TASK_SECONDS = 60


@pytest.fixture(autouse=True)
def _test_may_wait_for_results() -> Iterator[None]:
    """This process is the client, never a worker: waiting for a result is allowed here.

    (Other tests in the same run may leave Celery's process-wide "inside a worker" flag
    set, which would make result.get() refuse.)
    """
    with allow_join_result():
        yield


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    log_path: Path
    mail_dir: Path
    client: Celery

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"the Celery worker exited early:\n{worker.log()[-3000:]}")
        if "ready." in worker.log():
            return
        time.sleep(0.5)
    pytest.fail(f"the Celery worker was not ready in {STARTUP_SECONDS} s:\n{worker.log()[-3000:]}")


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path) -> Iterator[Worker]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the PostgreSQL test database; runs in the PostgreSQL run")
    require_service(f"Redis at {TEST_REDIS_URL}", available=redis_reachable())

    queue = f"ops-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = subprocess_env(
        DATABASE_URL=database_url_of(connection.settings_dict),
        CELERY_BROKER_URL=TEST_REDIS_URL,
        CELERY_RESULT_BACKEND=TEST_REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_URL=f"filemail:///{mail_dir}",  # four slashes: an absolute path
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_FORMAT="json",
        DB_CONN_MAX_AGE="0",
    )
    command = [
        PYTHON, "-m", "celery", "-A", "kohtaamo", "worker",
        "--pool=solo", "--concurrency=1", "--queues", queue, "--hostname", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    client = Celery("ops-test-client", broker=TEST_REDIS_URL, backend=TEST_REDIS_URL)
    client.conf.update(task_serializer="json", accept_content=["json"], task_default_queue=queue)
    worker = Worker(process, queue, log_path, mail_dir, client)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        _stop(process)
        client.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            lines.append(parsed)
    return lines


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_queued_task_against_the_database(celery_worker_process):
    worker = celery_worker_process
    marker = f"worker-{uuid.uuid4().hex[:8]}"

    result = worker.client.send_task(
        "kohtaamo.tasks.ping_database", kwargs={"marker": marker}, queue=worker.queue
    )
    assert result.get(timeout=TASK_SECONDS) == {"marker": marker}

    # The row the worker committed is visible here: same database, another process.
    assert AuditEntry.objects.filter(action="ops.ping", object_label=marker).count() == 1
    # The worker logged the outcome as one JSON line (LOG_FORMAT=json).
    logged = [
        line
        for line in _json_lines(worker.log())
        if line.get("task") == "kohtaamo.tasks.ping_database" and line.get("outcome") == "success"
    ]
    assert logged and marker in logged[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_worker_refuses_a_task_it_does_not_know(celery_worker_process):
    worker = celery_worker_process
    result = worker.client.send_task("kohtaamo.tasks.no_such_task", queue=worker.queue)
    with pytest.raises(Exception, match="no_such_task"):
        result.get(timeout=TASK_SECONDS)
    assert result.state == "FAILURE"
    assert "Received unregistered task" in worker.log()


@pytest.mark.django_db(transaction=True)
def test_worker_sends_a_registration_confirmation_with_the_invitation(celery_worker_process):
    worker = celery_worker_process
    person = UserFactory(email="tyovalmentaja@example.fi", language="en")
    event = EventFactory(title="Worker test workshop")
    registration = RegistrationFactory(event=event, user=person)

    # The outbox path: a row, then its delivery by the worker ("outbox.deliver").
    message = OutboxMessage.objects.create(
        task="events.tasks.send_registration_confirmed",
        args=[registration.pk, "worker-test"],
        key=f"confirmed:{registration.pk}:worker-test",
    )
    result = worker.client.send_task("outbox.deliver", args=[message.pk], queue=worker.queue)
    _wait_for_status(message, OutboxStatus.SENT)
    assert result.state != "FAILURE"
    # A second delivery of the same row sends nothing (the row is claimed once).
    worker.client.send_task("outbox.deliver", args=[message.pk], queue=worker.queue)
    # So does the task queued directly, as an older release did: it goes through that row.
    again = worker.client.send_task(
        "events.tasks.send_registration_confirmed",
        args=[registration.pk, "worker-test"],
        queue=worker.queue,
    )
    assert again.get(timeout=TASK_SECONDS) is False

    messages = [path.read_text(errors="replace") for path in worker.mail_dir.iterdir()]
    assert len(messages) == 1
    assert "To: tyovalmentaja@example.fi" in messages[0]
    assert "Worker test workshop" in messages[0]
    assert "text/calendar" in messages[0]
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 1


def _wait_for_status(message, status) -> None:
    deadline = time.monotonic() + TASK_SECONDS
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == status:
            return
        time.sleep(0.2)
    pytest.fail(f"outbox row {message.pk} is {message.status}, not {status}")
