"""The transactional outbox: rows written with the change, handed over after commit, sent once.

Registration is the change these tests make (the service the pages and the API call); the
broker is "down" when `deliver.apply_async` raises what kombu raises for a refused connection.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from events.models import Registration, RegistrationMode
from events.registration import services as registration_services
from events.registration import tasks as registration_tasks
from outbox import selectors
from outbox import services as outbox
from outbox.models import OutboxMessage, OutboxStatus
from outbox.tasks import deliver
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def broker_down():
    with mock.patch.object(deliver, "apply_async", side_effect=BrokerDown("refused")) as down:
        yield down


def register(capture, **kwargs):
    with capture(execute=True):
        return registration_services.register(**kwargs)


def test_a_rolled_back_registration_leaves_no_row_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(capacity=3)
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 - the registration and the failure share one transaction
        registration_services.register(event=event, person=UserFactory())
        assert OutboxMessage.objects.count() == 1  # written with the registration
        raise RuntimeError("the request failed after registering")
    assert not Registration.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_broker_down_at_commit_keeps_the_registration_and_the_mail_follows_once(
    django_capture_on_commit_callbacks, clock, broker_down, caplog
):
    event = EventFactory(capacity=3, title="Outbox workshop")
    person = UserFactory(language="en")
    registration = register(django_capture_on_commit_callbacks, event=event, person=person)

    assert registration.status == "confirmed"
    assert broker_down.call_count == 1  # tried once, no retry loop
    assert "stay pending" in caplog.text
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert mail.outbox == []

    # Within the grace delay the dispatcher leaves the row to its own hook.
    broker_down.side_effect = None
    broker_down.reset_mock()
    assert outbox.dispatch_pending()["pending"] == 0
    clock.shift(dt.timedelta(seconds=31))
    with mock.patch.object(deliver, "apply_async", wraps=lambda args, **_kw: deliver(*args)):
        assert outbox.dispatch_pending()["handed_over"] == 1
        assert outbox.dispatch_pending()["handed_over"] == 0  # sent: nothing left
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert "Outbox workshop" in mail.outbox[0].subject
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1


def test_a_second_delivery_of_a_sent_row_sends_nothing(django_capture_on_commit_callbacks):
    register(django_capture_on_commit_callbacks, event=EventFactory(), person=UserFactory())
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert deliver(message.pk) is False
    assert len(mail.outbox) == 1


def test_one_hook_per_transaction_hands_over_every_row(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.WAITLIST)
    first = register(django_capture_on_commit_callbacks, event=event, person=UserFactory())
    register(django_capture_on_commit_callbacks, event=event, person=UserFactory())
    mail.outbox.clear()
    # One cancellation: the cancelled person's mail and the promoted person's, two rows.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registration_services.cancel_registration(registration=first, by=first.user)
    batches = [hook for hook in callbacks if isinstance(hook, outbox._Batch)]
    assert len(batches) == 1 and len(batches[0].ids) == 2
    assert len(mail.outbox) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_stale_sending_row_is_dispatched_again_and_sent_once(
    django_capture_on_commit_callbacks, clock, broker_down, settings
):
    settings.OUTBOX_STALE_SECONDS = 120
    register(django_capture_on_commit_callbacks, event=EventFactory(), person=UserFactory())
    # A worker claimed the row and died before the mail went out.
    OutboxMessage.objects.update(status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1)
    broker_down.side_effect = None
    clock.shift(dt.timedelta(seconds=60))
    assert outbox.dispatch_pending() == {"pending": 0, "stale": 0, "handed_over": 0}
    message = OutboxMessage.objects.get()
    assert deliver(message.pk) is False  # being sent (claim not stale): skipped
    clock.shift(dt.timedelta(seconds=61))
    with mock.patch.object(deliver, "apply_async", wraps=lambda args, **_kw: deliver(*args)):
        assert outbox.dispatch_pending() == {"pending": 0, "stale": 1, "handed_over": 1}
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2


def test_a_failing_handler_backs_off_and_ends_failed(
    django_capture_on_commit_callbacks, clock, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with mock.patch(
        "events.registration.notifications.send_templated_mail",
        side_effect=ConnectionRefusedError(111, "mail server for someone@example.fi down"),
    ):
        register(django_capture_on_commit_callbacks, event=EventFactory(), person=UserFactory())
        message = OutboxMessage.objects.get()
        assert message.status == OutboxStatus.PENDING and message.attempts == 1
        assert message.available_at == NOW + dt.timedelta(minutes=1)
        assert "ConnectionRefusedError" in message.last_error
        assert "example.fi" not in message.last_error  # no personal data
        assert deliver(message.pk) is False  # not yet available: backing off
        assert OutboxMessage.objects.get().attempts == 1
        for minutes in (1, 2):
            clock.shift(dt.timedelta(minutes=minutes))
            assert deliver(message.pk) is False
        message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert mail.outbox == []
    count, oldest = selectors.backlog()
    assert count == 1 and oldest is None  # counted; not an age that still moves
    clock.shift(dt.timedelta(hours=2))
    assert outbox.dispatch_pending()["handed_over"] == 0  # failed rows wait for an operator


def test_backlog_reports_the_oldest_pending_row_after_the_grace_delay(
    django_capture_on_commit_callbacks, clock, broker_down
):
    register(django_capture_on_commit_callbacks, event=EventFactory(), person=UserFactory())
    assert selectors.backlog() == (1, None)
    clock.shift(dt.timedelta(minutes=5))
    assert selectors.backlog() == (1, NOW)


def test_the_command_prints_counts_and_now_skips_the_grace_delay(
    django_capture_on_commit_callbacks, clock, broker_down, capsys
):
    register(django_capture_on_commit_callbacks, event=EventFactory(), person=UserFactory())
    broker_down.side_effect = None
    with mock.patch.object(deliver, "apply_async", wraps=lambda args, **_kw: deliver(*args)):
        call_command("dispatch_outbox")
        assert "pending: 0, stale: 0, handed over: 0" in capsys.readouterr().out
        assert mail.outbox == []
        call_command("dispatch_outbox", "--now")
    out = capsys.readouterr().out
    assert "pending: 1, stale: 0, handed over: 1" in out
    assert "sent 1" in out
    assert len(mail.outbox) == 1


def test_a_repeated_key_is_a_no_op(django_capture_on_commit_callbacks):

    registration = register(
        django_capture_on_commit_callbacks, event=EventFactory(), person=UserFactory()
    )
    stamp = registration.confirmed_at.isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        registration_tasks.queue(
            registration_tasks.send_registration_confirmed, registration.pk, stamp
        )
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sent_rows_are_pruned_after_the_keeping_period_and_others_stay(
    clock, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_KEEP_SENT_DAYS = 90
    event = EventFactory()
    for person in (UserFactory(), UserFactory()):
        register(django_capture_on_commit_callbacks, event=event, person=person)
    old, recent = OutboxMessage.objects.order_by("pk")
    OutboxMessage.objects.filter(pk=old.pk).update(
        status=OutboxStatus.SENT, sent_at=NOW - dt.timedelta(days=91)
    )
    OutboxMessage.objects.filter(pk=recent.pk).update(
        status=OutboxStatus.SENT, sent_at=NOW - dt.timedelta(days=89)
    )
    pending = OutboxMessage.objects.create(task="outbox.test", key="pending-old")
    OutboxMessage.objects.filter(pk=pending.pk).update(created_at=NOW - dt.timedelta(days=200))

    assert outbox.prune_sent() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
