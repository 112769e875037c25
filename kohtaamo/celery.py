"""Celery application.

Production: workers and one beat process on Redis (or RabbitMQ: only the URL in
CELERY_BROKER_URL changes). Embedded mode (broker ``memory://``): tasks run
eagerly in the calling process, see ``CELERY_TASK_ALWAYS_EAGER`` in settings.

Conventions for every task (documented in docs/architecture.md, "Tasks"):
- take ids, load the rows, call a selector or an operation; running twice does no harm;
- retry only on transient errors, with the one ``RETRY_POLICY`` below: every task is a
  ``KohtaamoTask`` (the app's ``task_cls``), so ``@shared_task(name=...)`` is all a task
  declares; a task whose own check finds trouble worth retrying raises ``TransientError``;
- the signal handlers below log what each task did (one line per outcome, JSON with
  LOG_FORMAT=json), so a task itself only needs to return a short summary.
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery, Task
from celery.signals import task_failure, task_postrun, task_prerun, task_retry, task_success
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohtaamo.settings")


class TransientError(Exception):
    """Trouble outside us that passes (a platform's 5xx or rate limit): try again later.

    Raised by a task whose own check tells "retry" from "a person must act" (e.g.
    recordings.tasks.sync_recording); the retry policy retries it like a lost connection.
    """


# The one retry policy of every task (set on KohtaamoTask, the base class of all of them).
# - autoretry_for, the union of what the tasks retried on before: OSError covers lost and
#   refused connections, timeouts and every smtplib error (SMTPException is an OSError);
#   django.db's OperationalError a database that restarts or drops the connection;
#   TransientError a task's own "try again later". Anything else is a bug or a person's
#   matter: it fails at once and is logged.
# - Wait 60 s, 120 s, then 240 s three times (five retries, about 15 minutes in all). The
#   longest wait stays under CELERY_VISIBILITY_TIMEOUT (300 s): Redis gives a message held
#   unacknowledged for longer (a retry waiting out its countdown) to another worker as well.
#   No jitter: Celery's draws the whole wait at random (0..n s), so a retry could follow at
#   once, and the waits are no longer the ones written here. The outbox retries its own
#   rows in minutes (outbox.services.backoff).
RETRY_POLICY = {
    "autoretry_for": (OSError, OperationalError, TransientError),
    "retry_backoff": 60,
    "retry_backoff_max": 240,
    "retry_jitter": False,
    "max_retries": 5,
}


class KohtaamoTask(Task):
    """The base class of every task of the project: the retry policy, defined once."""

    autoretry_for = RETRY_POLICY["autoretry_for"]
    retry_backoff = RETRY_POLICY["retry_backoff"]
    retry_backoff_max = RETRY_POLICY["retry_backoff_max"]
    retry_jitter = RETRY_POLICY["retry_jitter"]
    max_retries = RETRY_POLICY["max_retries"]


app = Celery("kohtaamo", task_cls=KohtaamoTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The configuration package is not an installed app: register its own tasks too.
app.autodiscover_tasks(["kohtaamo"])

logger = logging.getLogger("kohtaamo.tasks")
_started: dict[str, float] = {}


def _summary(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@task_prerun.connect
def _remember_start(task_id: str | None = None, **_kwargs) -> None:
    if task_id:
        _started[task_id] = time.monotonic()


@task_postrun.connect
def _forget_start(task_id: str | None = None, **_kwargs) -> None:
    if task_id:
        _started.pop(task_id, None)


def _elapsed_ms(task_id: str | None) -> int | None:
    started = _started.get(task_id or "")
    return None if started is None else round((time.monotonic() - started) * 1000)


@task_success.connect
def log_task_success(sender=None, result=None, **_kwargs) -> None:
    request = getattr(sender, "request", None)
    task_id = getattr(request, "id", None)
    logger.info(
        "task %s succeeded: %s",
        getattr(sender, "name", "?"),
        _summary(result),
        extra={
            "task": getattr(sender, "name", "?"),
            "task_id": task_id,
            "outcome": "success",
            "duration_ms": _elapsed_ms(task_id),
            "retries": getattr(request, "retries", 0),
        },
    )


@task_retry.connect
def log_task_retry(sender=None, request=None, reason=None, **_kwargs) -> None:
    logger.warning(
        "task %s will retry: %s",
        getattr(sender, "name", "?"),
        _summary(reason),
        extra={
            "task": getattr(sender, "name", "?"),
            "task_id": getattr(request, "id", None),
            "outcome": "retry",
            "retries": getattr(request, "retries", 0),
        },
    )


@task_failure.connect
def log_task_failure(sender=None, task_id=None, exception=None, **_kwargs) -> None:
    logger.error(
        "task %s failed: %s",
        getattr(sender, "name", "?"),
        _summary(exception),
        extra={
            "task": getattr(sender, "name", "?"),
            "task_id": task_id,
            "outcome": "failure",
            "duration_ms": _elapsed_ms(task_id),
        },
    )
