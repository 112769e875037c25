"""Helpers for the operations tests: outside services and subprocesses."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest
import redis

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TEST_REDIS_URL = os.environ.get("OPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_reachable(url: str = TEST_REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


def require_service(what: str, *, available: bool) -> None:
    """Skip loudly when a local service is missing; under CI=true that is a failure."""
    if available:
        return
    message = f"{what} is NOT reachable: this test did not run"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The current environment minus anything that would point a child at the wrong place."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "kohtaamo.settings", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def database_url_of(settings_dict: dict) -> str:
    """A DATABASE_URL for another process to reach the (test) database we use."""
    name = settings_dict["NAME"]
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"
