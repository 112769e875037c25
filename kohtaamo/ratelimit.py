"""A small cache-based rate limiter for HTML views (the API uses DRF throttles).

    @ratelimit("guest-registration")
    def register_page(request, pk): ...

Counts requests per scope and client (IP address, or the signed-in user) in fixed
windows in the default cache — Redis in production, so every web process shares the
count. Over the limit the view answers 429 with a page that says when to try again.
Rates come from `RATE_LIMITS` below, overridable with the setting `KOHTAAMO_RATE_LIMITS`.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

RATE_LIMITS = {
    "guest-registration": "10/m",
    "registration": "30/m",
    "import": "20/m",
    "feedback": "20/m",
    "join-request": "10/m",
}
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' → (10, 60)."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0]]


def rate_for(scope: str) -> str:
    overrides = getattr(settings, "KOHTAAMO_RATE_LIMITS", {}) or {}
    return overrides.get(scope) or RATE_LIMITS[scope]


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    # REMOTE_ADDR: the proxy in front must set it to the real client (see docs/deploy.md).
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def hit(*, scope: str, key: str, rate: str | None = None) -> tuple[bool, int]:
    """Count one request. Returns (allowed, seconds until the window ends)."""
    limit, period = parse_rate(rate or rate_for(scope))
    now = int(time.time())
    window = now // period
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit, period - (now % period)


def too_many_requests(request, retry_after: int | None = None):
    """The 429 page for every limiter: this module's, and allauth's (it calls the URLconf's
    `handler429` with the request alone, so the wait is not known and the page says so)."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def ratelimit(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """View decorator: limit `methods` requests per client in `scope`; 429 when exceeded."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                allowed, retry_after = hit(scope=scope, key=client_key(request))
                if not allowed:
                    return too_many_requests(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
