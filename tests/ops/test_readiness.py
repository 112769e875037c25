"""/readyz at the level a load balancer and an operator meet it (kohtaamo/health.py).

The checks against real parts that go down and come back are in tests/resilience/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import OutboxMessage, OutboxStatus
from tests.factories import UserFactory

from .conftest import free_port

pytestmark = pytest.mark.django_db


def test_readiness_is_200_in_the_embedded_mode_with_broker_and_worker_embedded(client):
    response = client.get("/readyz", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"  # JSON for anyone not staff
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "OK",
            "cache": "OK",
            "broker": "embedded",
            "worker": "embedded",
            "outbox": "OK",
        },
    }


def test_readiness_shows_staff_the_status_page(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, with_totp=True))
    response = client.get("/readyz", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "NamedDatabase" in response.content.decode()


def test_readiness_is_503_while_an_outbox_row_waits_too_long(client, settings):
    settings.READINESS_OUTBOX_MAX_AGE = 600
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    row = OutboxMessage.objects.create(
        task="events.tasks.send_registration_confirmed", args=[1], key="readiness-test",
        created_at=hour_ago, available_at=hour_ago,
    )  # fmt: skip

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["outbox"].startswith("Unavailable: 1 pending, the oldest 3600 s old")
    assert body["checks"]["database"] == "OK"

    # A fresh pending row (younger than the limit) is no alarm; a sent one neither.
    OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now())
    assert client.get("/readyz").status_code == 200
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxStatus.SENT, created_at=hour_ago)
    assert client.get("/readyz").status_code == 200


def test_readiness_is_503_while_the_cache_is_unreachable(client, settings):
    locmem = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",  # nothing listens there
        }
    }
    try:
        response = client.get("/readyz")
    finally:
        settings.CACHES = locmem  # before the suite's cache.clear() at teardown

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] != "OK"
    assert checks["database"] == "OK"
