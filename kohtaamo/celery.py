"""Celery application.

Production: workers and one beat process on Redis (or RabbitMQ: only the URL in
CELERY_BROKER_URL changes). Embedded mode (broker ``memory://``): tasks run
eagerly in the calling process, see ``CELERY_TASK_ALWAYS_EAGER`` in settings.

Conventions for every task (documented in docs/deploy.md):
- take ids, load the rows, call one service; running twice does no harm;
- retry only on transient errors, with exponential backoff and jitter:
  ``@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600,
  retry_jitter=True, max_retries=5)``;
- the signal handlers below log what each task did (one line per outcome, JSON with
  LOG_FORMAT=json), so a task itself only needs to return a short summary.
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from celery.signals import task_failure, task_postrun, task_prerun, task_retry, task_success

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohtaamo.settings")

app = Celery("kohtaamo")
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
