"""Counting reach without cookies: increments in the cache, written to the database in
batches by `flush_counts` (the beat task `reach.flush_counts`).

- Not counted: anything but a GET, a user agent that names itself a bot, crawler, preview
  or script (`BOT_AGENT`, or none at all), and a prefetch or prerender (`Sec-Purpose`,
  `Purpose`, `X-Moz` or `X-Purpose` headers).
- A visit counts every time. A unique visitor is a salted hash of address and user agent,
  new once per page and day: the salt is random per day and lives only in the cache (never
  in the database), as do the hashes; both expire after `KEEP_SECONDS`. So a repeated visit
  the same day counts as a visit but not as a new visitor; the next day it is new again.
- The database holds `DailyCount` rows only: day, kind, page and a number.
- Counting never waits on the database. With the cache down (kohtaamo/cache.py answers as
  an empty cache: `incr` raises ValueError, `get` gives None) counting stops; pages work.

The cache keeps, per day: a counter per (kind, page) and a numbered index of the counters
(`reach:i:<day>:n` and `reach:i:<day>:<1..n>`), built only with `add` and `incr`, which are
atomic on Redis, so two requests cannot lose each other's entries. The flush reads each
counter and subtracts what it read (an atomic `incr` by minus the value), so increments
that arrive in between stay for the next flush and nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import defaultdict

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils import timezone

from events.models import Theme

from .models import CountKind, DailyCount, TargetType

KEEP_SECONDS = 3 * 24 * 3600  # yesterday's counters must outlive midnight until flushed
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|uptime"
    r"|headless|lighthouse|curl|wget|python|httpx|go-http|java/|libwww|okhttp|scrapy|feed",
    re.IGNORECASE,
)
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ", "HTTP_X_PURPOSE")


def is_countable(request: HttpRequest) -> bool:
    """A GET by a person's browser, not a bot's, not a prefetch or prerender."""
    if request.method != "GET":
        return False
    agent = request.headers.get("user-agent", "")
    if not agent or BOT_AGENT.search(agent):
        return False
    return not any(
        word in request.META.get(header, "").lower()
        for header in PREFETCH_HEADERS
        for word in ("prefetch", "prerender", "preview")
    )


def _ref(target_type: str, ident: int | str) -> str:
    return f"{target_type}:{ident}"


def _salt(day: str) -> str | None:
    key = f"reach:salt:{day}"
    cache.add(key, secrets.token_hex(16), KEEP_SECONDS)
    return cache.get(key)


def _register(day: str, counter: str) -> None:
    """Number a new counter in the day's index (add + incr: no lost entries)."""
    size_key = f"reach:i:{day}:n"
    cache.add(size_key, 0, KEEP_SECONDS)
    number = cache.incr(size_key)
    cache.set(f"reach:i:{day}:{number}", counter, KEEP_SECONDS)


def _increment(day: str, kind: str, ref: str) -> bool:
    counter = f"{kind}|{ref}"
    key = f"reach:n:{day}:{counter}"
    try:
        if cache.add(key, 0, KEEP_SECONDS):
            _register(day, counter)
        cache.incr(key)
    except ValueError:  # the cache is down (or lost the key): stop counting
        return False
    return True


def _first_visit_today(day: str, salt: str, request: HttpRequest, ref: str) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.headers.get("user-agent", "")
    digest = hashlib.sha256(f"{salt}|{address}|{agent}".encode()).hexdigest()[:32]
    return cache.add(f"reach:v:{day}:{ref}:{digest}", 1, KEEP_SECONDS)


def count_visit(request: HttpRequest, *, target_type: str, ident: int | str) -> bool:
    """Count a page view (and a unique visitor if new today). True if it was counted."""
    if not is_countable(request):
        return False
    day = timezone.localdate().isoformat()
    salt = _salt(day)
    if salt is None:
        return False
    ref = _ref(target_type, ident)
    if not _increment(day, CountKind.PAGE_VIEW, ref):
        return False
    if _first_visit_today(day, salt, request, ref):
        _increment(day, CountKind.UNIQUE_VISITOR, ref)
    return True


def count_click(request: HttpRequest, *, kind: str, event_pk: int) -> bool:
    """Count a click on an event's meeting link, a material or a recording's play button.
    True if it was counted."""
    if not is_countable(request):
        return False
    day = timezone.localdate().isoformat()
    return _increment(day, kind, _ref(TargetType.EVENT, event_pk))


def count_play(request: HttpRequest, *, recording) -> bool:
    """Count a play of a recording (a click on its click-to-load placeholder) for its
    event's page. A recording without an event has no page of its own: not counted."""
    if recording.event_id is None:
        return False
    return count_click(request, kind=CountKind.RECORDING_PLAY, event_pk=recording.event_id)


# --- The flush (beat task) ---------------------------------------------------------------


def _take(day: str) -> dict[str, int]:
    """Read the day's counters and subtract what was read: {"kind|type:ident": n}."""
    size = cache.get(f"reach:i:{day}:n") or 0
    counters = cache.get_many([f"reach:i:{day}:{n}" for n in range(1, size + 1)]).values()
    keys = {f"reach:n:{day}:{counter}": counter for counter in counters}
    taken = {}
    for key, value in cache.get_many(list(keys)).items():
        if not value:
            continue
        try:
            cache.incr(key, -value)
        except ValueError:
            continue
        taken[keys[key]] = value
    return taken


def _give_back(day: str, taken: dict[str, int]) -> None:
    for counter, value in taken.items():
        try:
            cache.incr(f"reach:n:{day}:{counter}", value)
        except ValueError:
            continue


def _rows(taken: dict[str, int]) -> dict[tuple[str, str, int], int]:
    """Counters → {(kind, target_type, target_id): n}; theme slugs become their pks."""
    slugs = {
        ref.split(":", 1)[1]
        for counter in taken
        for ref in [counter.split("|", 1)[1]]
        if ref.startswith(f"{TargetType.THEME}:")
    }
    theme_pks = dict(Theme.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    rows: dict[tuple[str, str, int], int] = defaultdict(int)
    for counter, value in taken.items():
        kind, ref = counter.split("|", 1)
        target_type, ident = ref.split(":", 1)
        if target_type == TargetType.THEME:
            target_id = theme_pks.get(ident)
        else:
            target_id = int(ident) if ident.isdigit() else None
        if target_id is not None:
            rows[kind, target_type, target_id] += value
    return rows


def _write(day: dt.date, rows: dict[tuple[str, str, int], int]) -> None:
    with transaction.atomic():
        existing = {
            (row.kind, row.target_type, row.target_id): row
            for row in DailyCount.objects.select_for_update().filter(day=day)
        }
        changed, new = [], []
        for key, value in rows.items():
            if key in existing:
                existing[key].count += value
                changed.append(existing[key])
            else:
                kind, target_type, target_id = key
                new.append(
                    DailyCount(
                        day=day,
                        kind=kind,
                        target_type=target_type,
                        target_id=target_id,
                        count=value,
                    )
                )
        DailyCount.objects.bulk_update(changed, ["count"])
        DailyCount.objects.bulk_create(new)


def flush_counts() -> int:
    """Write yesterday's and today's counters to `DailyCount`; the number of clicks and
    visits written. Safe to run again at once: what was written is no longer in the cache.
    On a database error the counts go back to the cache for the next run."""
    today = timezone.localdate()
    written = 0
    for day in (today - dt.timedelta(days=1), today):
        key = day.isoformat()
        taken = _take(key)
        if not taken:
            continue
        try:
            _write(day, _rows(taken))
        except DatabaseError:
            _give_back(key, taken)
            raise
        written += sum(taken.values())
    return written
