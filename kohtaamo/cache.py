"""The shared cache (Redis) fails open: when Redis cannot be reached the site gets slower,
never an error page.

`FailOpenRedisCache` is Django's own RedisCache. When an operation fails with a Redis
error (refused, timed out, reset) it answers as an empty cache that forgets every write at
once would: `get` gives the default, `get_many` nothing, `add` True (the key was not there),
`incr` ValueError (the key was not there), writes and deletes do nothing. So

- rate limits fail open: this project's limiter (kohtaamo/ratelimit.py) counts 1, allauth's
  takes its lock and finds no history, DRF's throttles find no history;
- calendar feeds are built from the database, as after any cache miss;
- sessions are in the database anyway.

After a failure the cache is skipped for `RETRY_SECONDS` (the OPTIONS key `retry_seconds`,
default 5 s), so a request does not wait for the socket timeout at every call while Redis
is down. Every failure and skipped call is counted (`failure_count()`) and logged on the
`kohtaamo.cache` logger: a warning when the cache goes down (with the count so far) and
when it is back.

Why not django-redis with IGNORE_EXCEPTIONS: there a failing `add` answers None, so
allauth's rate-limit lock (`cache.add`) is never taken and every sign-in is refused with 429
after a second's wait, and a failing `incr` answers None. The answers have to be those of an
empty cache, which this thin subclass gives for the dozen methods Django's backend has.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("kohtaamo.cache")

DEFAULT_RETRY_SECONDS = 5.0

_lock = threading.Lock()
_failures = 0


def failure_count() -> int:
    """Cache operations answered without Redis in this process since it started."""
    return _failures


def _count() -> int:
    global _failures  # noqa: PLW0603 - one counter per process, under the lock
    with _lock:
        _failures += 1
        return _failures


class _CacheMissingError(Exception):
    """Raised inside the backend when Redis is down; turned into an empty-cache answer."""


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every operation, and each copies its
    ~80 response callbacks: a fifth of a registration's cache time (issue 20). One per
    connection pool is enough; redis-py's clients are safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):  # noqa: ARG002 - Django's signature
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(index))
            self._clients[index] = client
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("retry_seconds", DEFAULT_RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _SharedClientRedisCacheClient
        self._down_until = 0.0

    def _call(self, operation: str, function, *args):
        if time.monotonic() < self._down_until:
            _count()
            raise _CacheMissingError
        try:
            result = function(*args)
        except RedisError as error:
            count = _count()
            self._down_until = time.monotonic() + self.retry_seconds
            logger.warning(
                "cache unavailable (%s: %s); answering without it for %.0f s, %d calls so far",
                operation,
                error,
                self.retry_seconds,
                count,
                extra={"cache_failures": count},
            )
            raise _CacheMissingError from error
        if self._down_until:
            self._down_until = 0.0
            logger.warning("cache available again", extra={"cache_failures": _failures})
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call("add", super().add, key, value, timeout, version)
        except _CacheMissingError:
            return True

    def get(self, key, default=None, version=None):
        try:
            return self._call("get", super().get, key, default, version)
        except _CacheMissingError:
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with contextlib.suppress(_CacheMissingError):
            self._call("set", super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call("touch", super().touch, key, timeout, version)
        except _CacheMissingError:
            return False

    def delete(self, key, version=None):
        try:
            return self._call("delete", super().delete, key, version)
        except _CacheMissingError:
            return False

    def get_many(self, keys, version=None):
        try:
            return self._call("get_many", super().get_many, keys, version)
        except _CacheMissingError:
            return {}

    def has_key(self, key, version=None):
        try:
            return self._call("has_key", super().has_key, key, version)
        except _CacheMissingError:
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return self._call("incr", super().incr, key, delta, version)
        except _CacheMissingError:
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call("set_many", super().set_many, data, timeout, version)
        except _CacheMissingError:
            return list(data)

    def delete_many(self, keys, version=None):
        with contextlib.suppress(_CacheMissingError):
            self._call("delete_many", super().delete_many, keys, version)

    def clear(self):
        try:
            return self._call("clear", super().clear)
        except _CacheMissingError:
            return False
