"""A Celery worker that dies at a chosen point: `celery -A tests.resilience.faulty_worker worker`.

Test fault injection, kept out of production code: this module is the project's Celery app
(kohtaamo.celery) plus one patch. With KOHTAAMO_TEST_EXIT_AFTER_CLAIM=<n> in its environment,
the worker exits at once (os._exit(1): no acknowledgement, no clean-up, as a crash) right
after the claim of the n-th outbox row it delivers has committed, before that row's task runs.
"""

from __future__ import annotations

import os

from celery.signals import task_prerun

from kohtaamo.celery import app

__all__ = ["app"]

_exit_after = int(os.environ.get("KOHTAAMO_TEST_EXIT_AFTER_CLAIM", "0") or 0)
_claims = 0


def _patch_outbox() -> None:
    from outbox import services  # noqa: PLC0415 - outbox models load after the worker's django.setup()

    if getattr(services._task, "faulty", False):
        return
    original = services._task

    def _task(name: str):
        # outbox.services._deliver looks the task up right after its claim transaction.
        global _claims  # noqa: PLW0603 - the worker process's claim counter
        _claims += 1
        if _claims == _exit_after:
            os._exit(1)
        return original(name)

    _task.faulty = True
    services._task = _task


@task_prerun.connect
def _before_each_task(**_kwargs) -> None:
    if _exit_after:
        _patch_outbox()
