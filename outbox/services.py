"""The outbox's operations: enqueue in the change's transaction, deliver once, re-dispatch.

- ``enqueue`` writes an OutboxMessage in the caller's transaction (a repeated key is a no-op)
  and, once that transaction commits, hands the new rows to Celery with ONE after-commit hook
  per transaction. Publishing never retries and never raises into the request: when the
  broker is down the row stays pending and ``dispatch_pending`` hands it over later.
- ``deliver`` claims a row (pending -> sending) in a short transaction, runs the named task's
  function in this process, and marks the row sent in another short transaction right after.
- ``dispatch_pending`` (beat, every OUTBOX_DISPATCH_SECONDS; ``manage.py dispatch_outbox``)
  hands over what is still pending after a grace delay, and rows whose claim went stale (a
  worker died).

The at-most-once window: a worker killed after the mail server accepted a mail and before
the "sent" commit (one UPDATE by primary key) sends that mail again. See docs/deploy.md.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

KEY_LENGTH = 200
# outbox.tasks.deliver, looked up by its pinned name as every row's task is: the tasks
# module calls this one, so this one does not import it.
DELIVER_TASK = "outbox.deliver"
DISPATCH_BATCH = 1000
_running: ContextVar[str | None] = ContextVar("outbox_running_key", default=None)


def max_attempts() -> int:
    return getattr(settings, "OUTBOX_MAX_ATTEMPTS", 6)


def grace_delay() -> dt.timedelta:
    """How long a fresh row is left to its own after-commit hook before the dispatcher acts."""
    return dt.timedelta(seconds=getattr(settings, "OUTBOX_GRACE_SECONDS", 15))


def stale_claim_limit() -> dt.timedelta:
    """A claim older than this belongs to a dead worker (longer than the task time limit)."""
    default = getattr(settings, "CELERY_TASK_TIME_LIMIT", 600) + 60
    return dt.timedelta(seconds=getattr(settings, "OUTBOX_STALE_SECONDS", default))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: 1, 2, 4, ... minutes, at most an hour."""
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def task_name(task) -> str:
    return task if isinstance(task, str) else task.name


# --- enqueue --------------------------------------------------------------------------------


class _Batch:
    """The rows one transaction enqueued; called once, after that transaction commits."""

    def __init__(self, savepoints: list) -> None:
        self.ids: list[int] = []
        self.savepoints = savepoints
        self.done = False

    def __call__(self) -> None:
        self.done = True
        hand_over(self.ids)


def _register(message_id: int, using: str) -> None:
    """Add the row to this transaction's after-commit hook (registered with the first row).

    The hook is shared while we are still inside the block that registered it: in
    production the whole transaction (a service's outermost atomic block). A hook from a
    sibling block already left is not reused (tests run each service in a savepoint of the
    test's transaction and capture the hooks each one registers).
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        hand_over([message_id])  # autocommit: the row is already committed
        return
    savepoints = list(connection.savepoint_ids)
    batch = getattr(connection, "_outbox_batch", None)
    if (
        batch is not None
        and not batch.done
        and savepoints[: len(batch.savepoints)] == batch.savepoints
        and any(callback is batch for _sids, callback, _r in connection.run_on_commit)
    ):
        batch.ids.append(message_id)
        return
    batch = _Batch(savepoints)
    batch.ids.append(message_id)
    connection._outbox_batch = batch
    transaction.on_commit(batch, using=using)


def enqueue(
    *,
    task,
    args: Sequence = (),
    key: str,
    delay: dt.timedelta | None = None,
    hand_over_after_commit: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> OutboxMessage:
    """Store "run `task` with `args`" in the caller's transaction, once per `key`.

    `task` is a Celery task object (or its pinned name); `args` must be JSON values.
    `delay` makes the row available only later (the dispatcher hands it over then).
    `hand_over_after_commit=False` leaves the handing over to the caller (a background task
    that delivers its rows itself) or to the dispatcher.
    """
    if len(key) > KEY_LENGTH:
        raise ValueError(f"outbox key longer than {KEY_LENGTH} characters: {key[:40]}…")
    now = timezone.now()
    available = now + delay if delay else now
    message = OutboxMessage(
        task=task_name(task), args=list(args), key=key, created_at=now, available_at=available
    )
    if not _insert_if_new(message, using):
        return OutboxMessage.objects.using(using).get(key=key)
    if hand_over_after_commit and available <= now:
        _register(message.pk, using)
    return message


def _insert_if_new(message: OutboxMessage, using: str) -> bool:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id: one statement (no SELECT first,
    no savepoint) also when a concurrent transaction inserts the same key. Sets the pk;
    False when the key exists already. PostgreSQL and SQLite (3.35+) both speak it."""
    connection = connections[using]
    meta = OutboxMessage._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    # Table and column names come from the model; the values go as parameters.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote(meta.get_field('key').column)}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    params = [
        field.get_db_prep_save(field.pre_save(message, add=True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    message._state.adding = False
    message._state.db = using
    return True


def hand_over(message_ids: Iterable[int]) -> int:
    """Publish a delivery for each row; never retries, never raises. Returns how many."""
    deliver_task = _task(DELIVER_TASK)
    ids = list(message_ids)
    for done, message_id in enumerate(ids):
        try:
            deliver_task.apply_async(args=[message_id], retry=False)
        except Exception as exc:  # noqa: BLE001 - the broker may fail in any way
            logger.warning(
                "outbox: could not hand %s message(s) to the broker (%s); they stay pending",
                len(ids) - done,
                _describe(exc),
                extra={"outbox_ids": ids[done:][:20]},
            )
            return done
    return len(ids)


# --- deliver --------------------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    """The error class (and an SMTP or errno code): never the text, which may hold addresses."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return (f"{name} ({code})" if code else name)[:200]


def _task(name: str):
    if name not in current_app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def _claimable(message: OutboxMessage, now: dt.datetime) -> bool:
    if message.status == OutboxStatus.PENDING:
        return message.available_at <= now
    if message.status == OutboxStatus.SENDING:
        return message.claimed_at is None or message.claimed_at <= now - stale_claim_limit()
    return False


def deliver(*, message_id: int) -> bool:
    """Run one row's task at most once; True when this call ran it to the end."""
    return _deliver(message_id)[0]


def running_key() -> str | None:
    """The key of the outbox row whose task runs right now in this context (or None)."""
    return _running.get()


def run_once(*, task, args: Sequence, key: str):
    """Run `task` here and now through the outbox row of `key`: its result, or None when that
    row already ran (or is being run). For a task called directly, not through the outbox:
    e.g. a message queued by an older release, or an operator's call."""
    message = enqueue(task=task, args=args, key=key, hand_over_after_commit=False)
    ran, result = _deliver(message.pk)
    return result if ran else None


class RetryLater(Exception):  # noqa: N818 - not an error: the work is not due yet
    """Raised by a task: "not now, run me again at ``at``". The row goes back to pending,
    available at ``at``, and the attempt is not counted (it never ends as failed for this).
    For work that waits on something outside, e.g. tomorrow's YouTube quota."""

    def __init__(self, at: dt.datetime, reason: str = "") -> None:
        self.at = at
        self.reason = reason
        super().__init__(reason)


def _deliver(message_id: int) -> tuple[bool, object]:
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        )
        if message is None or not _claimable(message, now):
            return False, None  # gone (rolled back), sent, failed, or being sent right now
        message.status = OutboxStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    claim = OutboxMessage.objects.filter(pk=message.pk, claimed_at=now)
    token = _running.set(message.key)
    try:
        result = _task(message.task).run(*message.args)
    except RetryLater as later:
        claim.update(
            status=OutboxStatus.PENDING,
            available_at=later.at,
            attempts=max(message.attempts - 1, 0),
            last_error=later.reason[:200],
        )
        logger.info(
            "outbox: %s (message %s) waits until %s: %s",
            message.task,
            message.pk,
            later.at.isoformat(),
            later.reason[:200],
        )
        return False, None
    except Exception as exc:
        failed = message.attempts >= max_attempts()
        claim.update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            available_at=timezone.now() + backoff(message.attempts),
            last_error=_describe(exc),
        )
        logger.warning(
            "outbox: %s (message %s, attempt %s) failed: %s%s",
            message.task,
            message.pk,
            message.attempts,
            _describe(exc),
            "; giving up" if failed else "; will retry",
            exc_info=True,
        )
        return False, None
    finally:
        _running.reset(token)
    # The window for a second send is from the handler's last SMTP accept to this commit.
    claim.update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    return True, result


# --- dispatch -------------------------------------------------------------------------------


def dispatch_pending(
    *,
    older_than: dt.timedelta | None = None,
    stale_after: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Hand over pending rows past their grace delay and "sending" rows whose claim is stale.

    Safe to run at any time and in parallel: `deliver` claims each row, so a row being sent
    is skipped. Returns {"pending": n, "stale": n, "handed_over": n}.
    """
    now = now or timezone.now()
    older_than = grace_delay() if older_than is None else older_than
    stale_limit = stale_claim_limit() if stale_after is None else stale_after
    pending = list(
        OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, available_at__lte=now, created_at__lte=now - older_than
        )
        .order_by("available_at")
        .values_list("pk", flat=True)[:DISPATCH_BATCH]
    )
    stale = list(
        OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lte=now - stale_limit)
        .order_by("claimed_at")
        .values_list("pk", flat=True)[:DISPATCH_BATCH]
    )
    handed = hand_over([*stale, *pending])
    if pending or stale:
        logger.info(
            "outbox: %s pending and %s stale message(s), %s handed over",
            len(pending),
            len(stale),
            handed,
        )
    return {"pending": len(pending), "stale": len(stale), "handed_over": handed}


# --- housekeeping ---------------------------------------------------------------------------


def prune_sent(*, now: dt.datetime | None = None) -> int:
    """Delete rows sent more than OUTBOX_KEEP_SENT_DAYS ago; failed and pending rows stay.

    A sent row is the once-only key of its mail: kept long enough that a message an old
    release left in the broker, or a late redelivery, still finds it.
    """
    now = now or timezone.now()
    keep = dt.timedelta(days=getattr(settings, "OUTBOX_KEEP_SENT_DAYS", 90))
    deleted, _ = OutboxMessage.objects.filter(
        status=OutboxStatus.SENT, sent_at__lt=now - keep
    ).delete()
    if deleted:
        logger.info("outbox: pruned %s sent message(s)", deleted)
    return deleted
