"""The resilience suite: it starts what it breaks, so the machine's own services are never touched.

- `cache_redis`, `broker_redis` — two `redis-server` processes of its own on free ports (the
  cache on one, broker and results on the other), which a test stops and starts again;
- `smtp_sink` — an aiosmtpd server that keeps every mail it accepts (EMAIL_URL of the worker);
- `worker` — a real `celery -A kohtaamo worker` (with an embedded beat) on that Redis and the
  PostgreSQL test database, which a test kills and starts again (`start(app=...)` runs a
  test's wrapper of the app instead, e.g. faulty_worker.py, which exits after a claim);
- `site` — pytest-django's live server, in this process, pointed at the same Redis.

The tests run only on PostgreSQL (the worker shares the test database: `transaction=True`).
Debian's `redis-server` is installed by `make test` (scripts/ensure_redis_server.sh); when
it is missing the tests skip, and under CI=true they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection

from tests.ops.conftest import (
    BASE_DIR,
    PYTHON,
    database_url_of,
    free_port,
    require_service,
    subprocess_env,
)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
STARTUP_SECONDS = 90


def wait_for(predicate, *, timeout: float, interval: float = 0.25, what: str = "condition"):
    """Poll until predicate() is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not true after {timeout:g} s")
        time.sleep(interval)


def _stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 20) -> None:
    """Stop the process and every other process of its group, even when the leader has
    already exited: the worker's embedded beat is a child that outlives a worker that exited
    by itself (tests.resilience.faulty_worker), and was left running after the suite."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return  # nothing of the group is left
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=wait)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # what did not stop on the signal
    process.wait(timeout=10)


# --- Redis ---------------------------------------------------------------------------------


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def broker_url(self) -> str:
        return self.url(0)

    @property
    def cache_url(self) -> str:
        return self.url(1)

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, our arguments
            [
                REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.directory),
                "--protected-mode", "no",
            ],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited:\n{(self.directory / 'redis.log').read_text()}")
            try:
                return bool(client.ping())
            except (redis.RedisError, OSError):
                return False

        wait_for(answers, timeout=30, what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process, signal.SIGKILL, wait=10)  # a crash, not a shutdown


def _redis(tmp_path, name: str) -> Iterator[RedisServer]:
    require_service(
        f"redis-server ({REDIS_SERVER}; scripts/ensure_redis_server.sh installs it)",
        available=Path(REDIS_SERVER).exists(),
    )
    directory = tmp_path / name
    directory.mkdir()
    server = RedisServer(port=free_port(), directory=directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cache_redis(tmp_path) -> Iterator[RedisServer]:
    """The cache's Redis (CACHE_URL, DB 1)."""
    yield from _redis(tmp_path, "cache-redis")


@pytest.fixture
def broker_redis(tmp_path) -> Iterator[RedisServer]:
    """The broker's and result backend's Redis (DB 0): another process, to fail it alone."""
    yield from _redis(tmp_path, "broker-redis")


# --- SMTP sink -----------------------------------------------------------------------------


@dataclass
class SmtpSink:
    """Keeps every accepted mail. `hold()` makes it accept and then wait before answering."""

    port: int
    messages: list[Message] = field(default_factory=list)
    accepted: threading.Event = field(default_factory=threading.Event)
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._release.set()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if address in (m.get("To") or "")]

    def hold(self) -> None:
        self.accepted.clear()
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ARG002 - aiosmtpd's handler hook
        with self._lock:
            self.messages.append(message_from_bytes(envelope.original_content or b""))
        self.accepted.set()
        while not self._release.is_set():  # noqa: ASYNC110 - a threading.Event, set from the test's thread
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        sink.release()
        controller.stop()


# --- Celery worker -------------------------------------------------------------------------


@dataclass
class WorkerProcess:
    env: dict[str, str]
    directory: Path
    process: subprocess.Popen | None = None
    runs: int = 0

    @property
    def log_path(self) -> Path:
        return self.directory / f"worker-{self.runs}.log"

    def log(self) -> str:
        return "\n".join(
            (self.directory / f"worker-{n}.log").read_text(errors="replace")
            for n in range(1, self.runs + 1)
        )

    def start(self, *, app: str = "kohtaamo", **extra_env: str) -> None:
        """Start (again); `app` is the `-A` module (a test's wrapper of kohtaamo.celery)."""
        assert self.process is None or self.process.poll() is not None, "already running"
        if self.process is not None:
            _stop_group(self.process, signal.SIGKILL, wait=10)  # what the last run left
        self.runs += 1
        command = [
            PYTHON, "-m", "celery", "-A", app, "worker", "--beat",
            "--schedule", str(self.directory / "beat-schedule"),
            "--pool=solo", "--concurrency=1", "--hostname", f"resilience-{self.runs}@%h",
            "--without-gossip", "--without-mingle", "--loglevel=INFO",
        ]  # fmt: skip
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                command, cwd=BASE_DIR, env={**self.env, **extra_env}, stdout=log_file,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_SECONDS
        while "ready." not in self.log_path.read_text(errors="replace"):
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited early:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the worker was not ready in {STARTUP_SECONDS} s:\n{self.log()[-3000:]}"
                )
            time.sleep(0.25)

    def kill(self) -> None:
        """SIGKILL: the worker dies without acknowledging or cleaning up anything."""
        if self.process is not None:
            _stop_group(self.process, signal.SIGKILL, wait=10)

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process)


HEARTBEAT_SECONDS = 1.0
HEARTBEAT_MAX_AGE_SECONDS = 6
TASK_TIME_LIMIT_SECONDS = 40  # the soft limit is 30 s earlier
VISIBILITY_TIMEOUT_SECONDS = 45


@pytest.fixture
def deployment_env(
    transactional_db, cache_redis, broker_redis, smtp_sink, tmp_path
) -> dict[str, str]:
    """What the site and the worker are started with: the production configuration on our
    own Redis, SMTP sink and the PostgreSQL test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the site and worker share the PostgreSQL test database: PostgreSQL run")
    return subprocess_env(
        DATABASE_URL=database_url_of(connection.settings_dict),
        CELERY_BROKER_URL=broker_redis.broker_url,
        CELERY_RESULT_BACKEND=broker_redis.broker_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        CACHE_URL=cache_redis.cache_url,
        EMAIL_URL=smtp_sink.url,
        MEDIA_ROOT=str(tmp_path / "media"),
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        DB_CONN_MAX_AGE="0",
        WORKER_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        READINESS_HEARTBEAT_MAX_AGE=str(HEARTBEAT_MAX_AGE_SECONDS),
        # Short limits, so that what a killed worker held comes back in seconds, not an hour:
        # the broker hands an unacknowledged message out again after the visibility timeout,
        # the outbox reclaims a row claimed by a dead worker after OUTBOX_STALE_SECONDS.
        CELERY_TASK_TIME_LIMIT=str(TASK_TIME_LIMIT_SECONDS),
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT_SECONDS),
        OUTBOX_STALE_SECONDS=str(VISIBILITY_TIMEOUT_SECONDS),
    )


@pytest.fixture
def worker(deployment_env, tmp_path) -> Iterator[WorkerProcess]:
    directory = tmp_path / "worker"
    directory.mkdir()
    process = WorkerProcess(env=deployment_env, directory=directory)
    process.start()
    try:
        yield process
    finally:
        process.stop()


# --- The site: gunicorn with the project's configuration ------------------------------------


@dataclass
class Site:
    env: dict[str, str]
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.directory / "gunicorn.log").read_text(errors="replace")

    def start(self) -> None:
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": "off",
        }
        with (self.directory / "gunicorn.log").open("ab") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=BASE_DIR, env=env,
                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

        def answers() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.log()[-3000:]}")
            try:
                return self.get("/healthz", timeout=5)[0] == 200
            except OSError:
                return False

        wait_for(answers, timeout=STARTUP_SECONDS, what="gunicorn answering /healthz")

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process)

    def get(self, path: str, *, timeout: float = 30, headers: dict | None = None):
        """(status, body, headers, seconds) of a GET; error statuses are answers too."""
        request = urllib.request.Request(self.url + path, headers=headers or {})  # noqa: S310 - our 127.0.0.1 gunicorn
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our 127.0.0.1 gunicorn
                body = response.read()
                return response.status, body, response.headers, time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers, time.monotonic() - started


@pytest.fixture
def site(deployment_env, tmp_path) -> Iterator[Site]:
    directory = tmp_path / "site"
    directory.mkdir()
    server = Site(env=deployment_env, directory=directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
