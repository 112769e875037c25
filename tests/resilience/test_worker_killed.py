"""The worker dies twice during a batch of 100 mails and is started again: every mail goes out.

Killed at two deterministic points (docs/deploy.md "Outbox"):

(a) right after the claim of the 30th row has committed (tests/resilience/faulty_worker.py
    exits there): that row is `sending`, its Celery message unacknowledged. It is sent once.
(b) with SIGKILL while the SMTP sink holds a mail it has accepted, before the worker marked
    the row `sent`: this is the one window the design names for a second send, so that one
    mail (and only that one) arrives twice.

The worker here has short limits (visibility timeout 10 s, claims stale after 4 s) and is
started again after the visibility timeout, so its start-up sweep hands the dead worker's
message back at once and the claim is stale: recovery takes seconds, not an hour.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter

import pytest

from events.models import RegistrationStatus
from events.registration.tasks import notice_key, send_registration_confirmed
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import enqueue
from tests.factories import EventFactory, RegistrationFactory
from tests.ops.conftest import BASE_DIR, PYTHON

from .conftest import WorkerProcess, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.postgres, pytest.mark.celery_worker]

MAILS = 100
EXIT_AFTER_CLAIM = 30
HOLD_AFTER_MAILS = 60
TIME_LIMIT_SECONDS = 8
VISIBILITY_TIMEOUT_SECONDS = 10
STALE_SECONDS = 4
# Generous for 2 shared cores; "an hour late" is what the default limits would not cause
# either (visibility 300 s, dispatcher every minute).
BATCH_SECONDS = 150


@pytest.fixture
def deployment_env(deployment_env):
    return {
        **deployment_env,
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT_SECONDS),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
        "OUTBOX_STALE_SECONDS": str(STALE_SECONDS),
    }


@pytest.fixture
def stopped_worker(deployment_env, tmp_path):
    directory = tmp_path / "worker"
    directory.mkdir()
    process = WorkerProcess(env=deployment_env, directory=directory)
    try:
        yield process
    finally:
        process.stop()


def _address(n: int) -> str:
    return f"osallistuja{n:03d}@example.fi"


def _recipients(smtp_sink) -> Counter:
    with smtp_sink._lock:
        return Counter(m.get("To") or "" for m in smtp_sink.messages)


def _holding(smtp_sink) -> bool:
    """True once the worker waits on a mail the sink accepted and holds."""
    if smtp_sink.accepted.is_set():
        return True
    # hold() may land just after a mail set `accepted` and before it looked for the release:
    # that mail is held too. Then the worker sends nothing more and its row stays "sending".
    before = smtp_sink.count()
    time.sleep(1.5)
    return (
        smtp_sink.count() == before
        and OutboxMessage.objects.filter(status=OutboxStatus.SENDING).exists()
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_twice_during_a_batch_sends_every_mail(
    deployment_env, stopped_worker, smtp_sink
):
    worker = stopped_worker
    event = EventFactory(title="Sadan hengen koulutus", capacity=MAILS)
    for n in range(MAILS):
        registration = RegistrationFactory(
            event=event, user=None, name=f"Osallistuja {n}", email=_address(n),
            status=RegistrationStatus.CONFIRMED,
        )  # fmt: skip
        enqueue(
            task=send_registration_confirmed,
            args=[registration.pk, ""],
            key=notice_key("confirmed", registration.pk),
            hand_over_after_commit=False,  # the worker's broker, not this process's eager one
        )
    # The operator's command hands the 100 rows to the worker's broker.
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [PYTHON, "manage.py", "dispatch_outbox", "--now"],
        cwd=BASE_DIR, env=deployment_env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    # (a) The worker exits right after the 30th claim commits.
    worker.start(
        app="tests.resilience.faulty_worker", KOHTAAMO_TEST_EXIT_AFTER_CLAIM=str(EXIT_AFTER_CLAIM)
    )
    wait_for(lambda: worker.process.poll() is not None, timeout=60, what="the worker's exit")
    killed_at = time.monotonic()
    assert smtp_sink.count() == EXIT_AFTER_CLAIM - 1, worker.log()[-3000:]
    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {
        OutboxStatus.SENT: EXIT_AFTER_CLAIM - 1,
        OutboxStatus.SENDING: 1,
        OutboxStatus.PENDING: MAILS - EXIT_AFTER_CLAIM,
    }

    # Started again (after the visibility timeout, so its start-up sweep re-queues at once).
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT_SECONDS + 1 - time.monotonic()))
    worker.start()

    # (b) SIGKILL while the sink holds an accepted mail.
    wait_for(
        lambda: smtp_sink.count() >= HOLD_AFTER_MAILS, timeout=60, interval=0.01,
        what=f"{HOLD_AFTER_MAILS} mails",
    )  # fmt: skip
    smtp_sink.hold()
    wait_for(lambda: _holding(smtp_sink), timeout=30, what="a mail held by the sink")
    with smtp_sink._lock:
        held = smtp_sink.messages[-1].get("To")
    worker.kill()
    killed_at = time.monotonic()
    smtp_sink.release()
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENDING).count() == 1

    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT_SECONDS + 1 - time.monotonic()))
    worker.start()
    wait_for(
        lambda: not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
        and smtp_sink.count() >= MAILS + 1,
        timeout=BATCH_SECONDS, what="every row sent",
    )  # fmt: skip
    elapsed = time.monotonic() - started
    time.sleep(2)  # a late duplicate would arrive now

    # Every address exactly once, except the mail held at the kill: the documented window.
    received = _recipients(smtp_sink)
    assert set(received) == {_address(n) for n in range(MAILS)}
    assert received[held] == 2, held
    assert {address: count for address, count in received.items() if count != 1} == {held: 2}
    assert smtp_sink.count() == MAILS + 1
    # Both killed rows were claimed twice; every other row once.
    attempts = Counter(OutboxMessage.objects.values_list("attempts", flat=True))
    assert attempts == {1: MAILS - 2, 2: 2}
    assert elapsed < BATCH_SECONDS, elapsed
