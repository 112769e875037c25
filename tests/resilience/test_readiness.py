"""/readyz on real parts: 503 while Redis (cache and broker) or the worker is down, 200 after."""

from __future__ import annotations

import json

import pytest

from .conftest import HEARTBEAT_MAX_AGE_SECONDS, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.postgres, pytest.mark.celery_worker]


def _readiness(site) -> tuple[int, dict]:
    status, body, _headers, _seconds = site.get("/readyz", timeout=30)
    return status, json.loads(body)


def _ready(site) -> bool:
    return _readiness(site)[0] == 200


@pytest.mark.django_db(transaction=True)
def test_readiness_follows_redis_and_the_worker(cache_redis, broker_redis, worker, site):
    # Everything up: the heartbeat arrives within a few seconds of the worker starting.
    wait_for(lambda: _ready(site), timeout=60, what="/readyz 200 with every part up")
    status, body = _readiness(site)
    assert body == {
        "status": "ok",
        "checks": {
            "database": "OK",
            "cache": "OK",
            "broker": "OK",
            "worker": "OK",
            "outbox": "OK",
        },
    }

    # Redis dies: cache and broker are down, and the page says so at once.
    cache_redis.stop()
    broker_redis.stop()
    status, body, headers, seconds = site.get("/readyz")
    assert status == 503, body
    checks = json.loads(body)["checks"]
    assert checks["database"] == "OK"
    assert checks["cache"] != "OK" and checks["broker"] != "OK"
    assert headers["Retry-After"]
    assert seconds < 15  # each check has a short budget (READINESS_TIMEOUT)

    # Redis is back: the worker reconnects, the heartbeat comes again, 200.
    cache_redis.start()
    broker_redis.start()
    wait_for(lambda: _ready(site), timeout=90, what="/readyz 200 after Redis restarted")

    # The worker dies: once its heartbeat is older than the limit, 503 naming the worker.
    worker.kill()
    wait_for(
        lambda: _readiness(site)[0] == 503,
        timeout=HEARTBEAT_MAX_AGE_SECONDS + 30,
        what="/readyz 503 after the worker died",
    )
    status, body = _readiness(site)
    assert body["checks"]["worker"].startswith("Unavailable: Last worker heartbeat")
    assert {name for name, value in body["checks"].items() if value != "OK"} == {"worker"}

    # A new worker: 200 again.
    worker.start()
    wait_for(lambda: _ready(site), timeout=60, what="/readyz 200 after the worker restarted")
