"""Redis down means slower, not broken: with the cache unreachable, people still sign in,
register (API, page, guest) and read the public feed; rate limits and throttles fail open.

The cache is the production backend pointed at a port nothing listens on, or at a server
that accepts connections and never answers (a hung Redis). The real-Redis version, with a
redis-server the suite stops and starts, is in tests/resilience/.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from events.models import RegistrationStatus
from kohtaamo import cache as fail_open
from tests.factories import EventFactory, UserFactory

from .conftest import BASE_DIR, PYTHON, free_port, subprocess_env

pytestmark = pytest.mark.django_db


def _cache_at(settings, port: int) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "kohtaamo.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def cache_down(settings):
    _cache_at(settings, free_port())


@pytest.fixture
def cache_hung(settings):
    with socket.socket() as silent:  # the kernel accepts connections; nobody answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(50)
        _cache_at(settings, silent.getsockname()[1])
        yield


def test_production_settings_use_the_fail_open_backend_for_redis():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'], "
        "c['OPTIONS']['socket_timeout'])"
    )
    result = subprocess.run(  # noqa: S603 - our interpreter and script
        [PYTHON, "-c", script],
        cwd=BASE_DIR,
        env=subprocess_env(CACHE_URL="redis://redis.internal:6379/1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "kohtaamo.cache.FailOpenRedisCache",
        "redis://redis.internal:6379/1",
        "0.5",
    ]


def test_sign_in_works_and_allauths_rate_limit_fails_open(client, cache_down, caplog):
    person = UserFactory()
    before = fail_open.failure_count()
    with caplog.at_level(logging.WARNING, logger="kohtaamo.cache"):
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": "correct horse battery"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == person
    assert fail_open.failure_count() > before  # counted
    assert any("cache unavailable" in r.getMessage() for r in caplog.records)  # and logged


def test_api_registration_and_drf_throttle(cache_down):
    api = APIClient()
    event = EventFactory(capacity=5)
    api.force_authenticate(UserFactory())
    response = api.post(f"/api/v1/events/{event.pk}/register/")
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"


def test_html_registration_and_the_projects_own_rate_limit(
    client, cache_down, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=5)
    person = UserFactory()
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/register/")
    assert response.status_code == 302
    assert event.registrations.get(user=person).status == RegistrationStatus.CONFIRMED


def test_guest_registration(client, cache_down, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/{event.pk}/register/",
            {"name": "Vieras", "email": "vieras@example.fi", "organisation": "TYP"},
        )
    assert response.status_code == 302
    assert event.registrations.get().status == RegistrationStatus.PENDING


def test_public_feed_is_built_without_the_cache(client, cache_down):
    event = EventFactory(title="Työkykykahvila")
    first = client.get(reverse("calendar:all"))
    second = client.get(reverse("calendar:all"))
    assert first.status_code == second.status_code == 200
    assert "Työkykykahvila" in first.content.decode()
    assert first["ETag"] == second["ETag"]  # a hash of the body: the same without the cache
    assert event.title in second.content.decode()


def test_a_hung_redis_costs_one_socket_timeout_not_one_per_call(client, cache_hung):
    """After one timed-out call the cache is skipped for a few seconds (`retry_seconds`)."""
    EventFactory()
    started = time.monotonic()
    responses = [client.get(reverse("calendar:all")) for _ in range(5)]
    elapsed = time.monotonic() - started
    assert [r.status_code for r in responses] == [200] * 5
    # one 0.5 s timeout, then none; per call it would be several seconds. Generous bound.
    assert elapsed < 3, elapsed


def test_the_cache_is_used_again_once_redis_answers(settings, cache_down):
    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.add("k", "v") is True  # as an empty cache answers
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.set("k", "v")
    assert cache.get("k") == "v"
