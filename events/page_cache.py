"""The public event lists for visitors who are not signed in, from this worker's copy.

`/events/` and `/events/archive/` render the same HTML for every visitor without a session
in a language, except the CSRF token of the language switcher ("donut" caching: the page is
kept with a placeholder where the token was and each answer gets its own token). A page is
kept in a per-process cache (Django's local-memory backend, the "pages" alias) under a key
made of the view, the path with its query, the language, the current minute, and two
change tokens from the shared cache:

* the calendar feeds' change generation (`feeds.GENERATION_KEY`): every change of an
  event, registration, audience, presenter link, theme or presenter bumps it
  (events/calendars/signals.py);
* this module's own generation, bumped by what the lists show and the feeds do not:
  recordings (the archive's links), series and themes renamed.

So a change shows at once in every worker that reads the shared cache (Redis), an event
that begins leaves the upcoming list within a minute, and with the shared cache down the
tokens are new on every request: nothing is reused, the pages are rendered as before.
Signed-in visitors, anyone with a session or a pending message, and every answer but a
200 are rendered as before and never kept.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from recordings.models import Recording

from .calendars import feeds
from .models import Series, Theme

PAGES_GENERATION_KEY = "public-pages:generation"
# Where the token was: unguessable, so no page text can contain it by chance.
_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
_TOKEN_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage


def _local():
    """The "pages" cache; None where it is not configured (then nothing is kept)."""
    return caches["pages"] if "pages" in settings.CACHES else None


def _new_generation() -> None:
    cache.set(PAGES_GENERATION_KEY, secrets.token_hex(8), None)


def pages_changed() -> None:
    """Something the public lists show changed: no kept page is used again. Now and again
    after the commit: a page rendered from the old rows meanwhile is dropped too."""
    _new_generation()
    transaction.on_commit(_new_generation)


def forget_local_pages() -> None:
    """Drop this worker's kept pages (the tests' isolation clears the shared cache too)."""
    if (local := _local()) is not None:
        local.clear()


def _keepable(request: HttpRequest) -> bool:
    """A visitor whose page is the same as every other's: no session, no message waiting."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


def _page_key(name: str, request: HttpRequest) -> str | None:
    """The kept page's key; None when the change tokens cannot be read from the shared
    cache (it is down): then the page is rendered and not kept."""
    keys = [feeds.GENERATION_KEY, PAGES_GENERATION_KEY]
    tokens = cache.get_many(keys)
    if len(tokens) < len(keys):  # the first request since the cache was cleared
        for key in set(keys) - set(tokens):
            cache.add(key, secrets.token_hex(8), None)
        tokens = cache.get_many(keys)
        if len(tokens) < len(keys):
            return None
    minute = timezone.now().strftime("%Y%m%d%H%M")
    parts = (name, request.get_full_path(), request.LANGUAGE_CODE, minute)
    return "|".join([*parts, *(tokens[key] for key in keys)])


def _with_placeholder(content: bytes) -> bytes | None:
    """The page with its CSRF token replaced by the placeholder; None when the token's place
    cannot be found (then the page is not kept)."""
    values = set(_TOKEN_VALUE.findall(content))  # one render masks its token once
    if len(values) != 1:
        return None
    return content.replace(values.pop(), _PLACEHOLDER.encode())


def kept_for_visitors(view: Callable) -> Callable:
    """Serve `view`'s page from this worker's copy to visitors without a session."""

    @wraps(view)
    def serve(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        local = _local()
        if local is None or not _keepable(request):
            return view(request, *args, **kwargs)
        key = _page_key(view.__name__, request)
        kept = None if key is None else local.get(key)
        if kept is None:
            response = view(request, *args, **kwargs)
            if key is None or response.status_code != 200 or response.streaming:
                return response
            kept = _with_placeholder(response.content)
            if kept is None:
                return response
            local.set(key, (kept, response["Content-Type"]), settings.PUBLIC_PAGE_SECONDS)
            return response
        content, content_type = kept
        token = get_token(request).encode()  # also sets the CSRF cookie, as the render would
        return HttpResponse(content.replace(_PLACEHOLDER.encode(), token), content_type)

    return serve


@receiver(post_save, sender=Recording)
@receiver(post_delete, sender=Recording)
@receiver(post_save, sender=Series)
@receiver(post_save, sender=Theme)
def _shown_on_the_lists_changed(sender, **_kwargs) -> None:  # noqa: ARG001 - a receiver's signature
    pages_changed()
