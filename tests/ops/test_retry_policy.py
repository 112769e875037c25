"""One retry policy for every task of the project (kohtaamo.celery.RETRY_POLICY)."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.apps import apps
from django.conf import settings
from django.db import OperationalError

from accounts import services
from accounts.tasks import apply_retention
from kohtaamo.celery import RETRY_POLICY, KohtaamoTask, TransientError
from kohtaamo.celery import app as celery_app


def _project_packages() -> set[str]:
    """The project's own apps (those inside the repository) and the configuration package."""
    base = Path(settings.BASE_DIR).resolve()
    own = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
    }
    return own | {"kohtaamo"}


def _project_tasks() -> dict[str, object]:
    celery_app.loader.import_default_modules()
    packages = _project_packages()
    return {
        name: task
        for name, task in celery_app.tasks.items()
        if name.split(".")[0] in packages or type(task).__module__.split(".")[0] in packages
    }


def test_every_task_of_the_project_retries_by_the_one_policy():
    tasks = _project_tasks()
    # Not vacuous: every app that has tasks is found, by the names beat and the outbox use.
    assert {name.split(".")[0] for name in tasks} >= {
        "accounts",
        "accessibility",
        "events",
        "kohtaamo",
        "networks",
        "outbox",
        "recordings",
    }
    assert "recordings.tasks.sync_recording" in tasks
    assert "events.tasks.send_registration_confirmed" in tasks
    off_policy = {}
    for name, task in tasks.items():
        settings_of_task = {key: getattr(task, key) for key in RETRY_POLICY}
        if (
            not isinstance(task, KohtaamoTask)
            or settings_of_task != RETRY_POLICY
            or not hasattr(task, "_orig_run")  # the autoretry wrapper is in place
        ):
            off_policy[name] = settings_of_task
    assert not off_policy, f"tasks that do not use kohtaamo.celery.RETRY_POLICY: {off_policy}"


def test_the_policy_retries_transient_errors_only():
    retried = RETRY_POLICY["autoretry_for"]
    for transient in (
        ConnectionRefusedError(),
        TimeoutError(),
        smtplib.SMTPServerDisconnected(),
        OperationalError("server closed the connection unexpectedly"),
        TransientError("HTTP Error 503"),
    ):
        assert isinstance(transient, retried), transient
    for lasting in (ValueError(), KeyError("id"), LookupError()):
        assert not isinstance(lasting, retried), lasting


def test_a_retry_waits_less_than_the_broker_keeps_a_message_to_itself():
    # Redis gives a message held unacknowledged longer than the visibility timeout (a retry
    # waiting out its countdown) to a second worker too: every wait must be shorter.
    assert RETRY_POLICY["retry_backoff_max"] < settings.CELERY_VISIBILITY_TIMEOUT
    assert RETRY_POLICY["retry_jitter"] is False


@pytest.mark.django_db
def test_a_task_that_loses_the_database_is_retried_later_then_gives_up(monkeypatch):
    calls = []

    def database_gone(**_kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "apply_retention", database_gone)

    waits = []
    for attempt in range(RETRY_POLICY["max_retries"]):
        with pytest.raises(Retry) as retry:
            apply_retention.apply(retries=attempt)
        waits.append(retry.value.when)
    assert waits == [60, 120, 240, 240, 240]

    # After the last retry the error itself fails the task (and is logged as a failure).
    with pytest.raises(OperationalError):
        apply_retention.apply(retries=RETRY_POLICY["max_retries"])
    assert len(calls) == RETRY_POLICY["max_retries"] + 1


@pytest.mark.django_db
def test_an_error_that_is_not_transient_fails_at_once(monkeypatch):
    def broken(**_kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "apply_retention", broken)
    with pytest.raises(ValueError, match="a bug"):
        apply_retention.apply()
