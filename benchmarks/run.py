"""`make bench`: Kohtaamo's performance scenarios, printed as tables of ratios.

Every scenario is measured against a baseline in the same run on the same machine, so the
ratios compare across machines even when absolute times do not. The web baseline is a
trivial view the benchmark owns (benchmarks/views.py: a constant answer through the whole
middleware stack). The run creates its own PostgreSQL database, grows it through the sizes
(100, 1,000, 10,000 events), starts gunicorn on 127.0.0.1, drives it with wrk (a separate
process, bounded in time), checks every answer's status and every scenario's SQL query
count at each size, stops everything, drops only the database it created and writes the
results to docs/performance.md. It exits 1 when a target fails.

    .venv/bin/python benchmarks/run.py [--db-name NAME] [--port N] [--seconds 3]
        [--rounds 5] [--sizes 100,1000,10000] [--only feeds,pages,burst,report,captions]
        [--keep-db] [--no-write] [--worker-models]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from unittest import mock

import django
import redis
import webvtt
from django.core.management import call_command
from django.db import connection, connections

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from accessibility.checks import check_vtt  # noqa: E402 - after the repository root is on sys.path
from benchmarks import data, harness, report_bench  # noqa: E402 - after the repository root is on sys.path

SIZES = (100, 1_000, 10_000)
SEATS, PEOPLE = 50, 300
MIN_ROUNDS = 5
# The worker models compared with --worker-models: (name, threads per worker).
WORKER_MODELS = (("sync", 1), ("gthread", 4))
WORKERS = 2 * (os.cpu_count() or 1) + 1
CONNECTIONS = 2 * WORKERS
TRIVIAL = "/bench/trivial"
SIGNED_IN_POST = "/bench/signed-in-post"
FEED = "/calendar/events.ics"
PEER = "/bench/icalendar-feed.ics"
# Calendar apps (Outlook, Google, Apple) ask for gzip; the feed keeps a compressed body.
GZIP = {"Accept-Encoding": "gzip"}
# Targets of issue 20: a scenario's median ratio to the trivial view, per size.
TARGETS: dict[str, dict[int, float]] = {
    "feed-304": dict.fromkeys(SIZES, 1.2),
    "feed-cached": {1_000: 1.5, 10_000: 5.0},
    "feed-full": {1_000: 4.0, 10_000: 20.0},
    "events": dict.fromkeys(SIZES, 4.0),
    "archive": dict.fromkeys(SIZES, 4.0),
}
# The registration burst: registrations/s at least this share of the trivial burst's req/s.
BURST_SHARE = 0.30
GROUPS = ("feeds", "pages", "burst", "report", "captions")


@dataclass
class Row:
    number: str
    scenario: str
    measured: str
    baseline: str
    ratios: list[float] = field(default_factory=list)
    target: str = ""
    passed: bool | None = None

    @property
    def result(self) -> str:
        return "" if self.passed is None else ("PASS" if self.passed else "FAIL")

    @property
    def median(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def ratio_text(self) -> str:
        if not self.ratios:
            return ""
        if len(self.ratios) == 1:
            return f"{self.ratios[0]:.2f}"
        return f"{min(self.ratios):.2f} / **{self.median:.2f}** / {max(self.ratios):.2f}"


@dataclass
class Scenario:
    """One web path measured at one size against the trivial view on the same server."""

    key: str
    label: str
    path: str
    server: harness.Server
    expect: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Bench:
    args: argparse.Namespace
    env: dict[str, str]
    work_dir: Path
    database_url: str
    redis_url: str
    rows: list[Row] = field(default_factory=list)
    # scenario key -> size -> SQL queries of one request (cold and warm where they differ)
    queries: dict[str, dict[int, str]] = field(default_factory=dict)
    memory: list[Row] = field(default_factory=list)

    def wanted(self, group: str) -> bool:
        return not self.args.only or group in self.args.only


def configure_environment(bench: Bench, static_root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "GUNICORN_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": bench.database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "CACHE_URL": bench.redis_url,
            # Tasks are published (in-memory broker, nobody consumes), as a web node
            # publishes to Redis in production: the request never sends e-mail itself.
            "CELERY_BROKER_URL": "memory://localhost/",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": "dummymail://",
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    os.environ.clear()
    os.environ.update(env)
    return env


def _analyze() -> None:
    """Planner statistics for the fresh rows, as autovacuum keeps them in production."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _flush_cache(bench: Bench) -> None:
    redis.Redis.from_url(bench.redis_url).flushdb()


# --- web scenarios ----------------------------------------------------------------------------


def steady(server: harness.Server, path: str, label: str, seconds: int, **kw) -> harness.Load:
    return harness.wrk_steady(
        server.url + path, label=label, seconds=seconds, connections=CONNECTIONS, **kw
    )


def _check_statuses(load: harness.Load, expect: int) -> None:
    """Every answer must carry the expected status: a 304 run drifting to 200s is a failure."""
    wrong = {code: n for code, n in load.statuses.items() if code != str(expect)}
    if load.error_count or wrong or not load.requests:
        raise RuntimeError(
            f"{load.label}: expected every answer {expect}, got {_statuses(load)} "
            f"and socket errors {load.errors}"
        )


def _let_it_drain(load: harness.Load) -> None:
    """wrk stops sending, but the workers still answer what it sent last: wait for them, so
    a slow scenario does not slow the next round's trivial run."""
    time.sleep(min(30.0, 2 * load.p99_ms / 1000) + 0.2)


def versus_trivial(scenario: Scenario, seconds: int, rounds: int):
    """Alternate trivial and scenario runs; one ratio per round: the trivial view's req/s ÷
    the scenario's, what one answer costs in trivial answers.

    Rates, not wrk's mean latencies: under a closed loop of N connections they say the same
    (mean = N ÷ rate) until wrk's own thread, on the two cores it shares with the server,
    is late to read large bodies; then its latency clock runs on while the rate, a count
    over wall time, stays right. Alternating evens out a machine whose load drifts during
    the run. Returns the ratios and the scenario and trivial loads of the median round.
    """
    rounds_done = []
    for _ in range(rounds):
        trivial = steady(scenario.server, TRIVIAL, "trivial", seconds)
        _check_statuses(trivial, 200)
        load = steady(
            scenario.server, scenario.path, scenario.label, seconds, headers=scenario.headers
        )
        _check_statuses(load, scenario.expect)
        _let_it_drain(load)
        rounds_done.append((round_ratio(load, trivial), load, trivial))
    ordered = sorted(rounds_done, key=lambda done: done[0])
    _ratio, load, trivial = ordered[len(ordered) // 2]
    return [done[0] for done in rounds_done], load, trivial


def round_ratio(load: harness.Load, trivial: harness.Load) -> float:
    return trivial.per_second / load.per_second


def _load_text(load: harness.Load) -> str:
    return f"{load.per_second:,.0f} req/s, mean {load.mean_ms:.1f} ms"


def measure(bench: Bench, number: str, scenario: Scenario, size: int | None) -> Row:
    print(f"   {scenario.label} …", flush=True)
    ratios, load, trivial = versus_trivial(scenario, bench.args.seconds, bench.args.rounds)
    limit = TARGETS.get(scenario.key, {}).get(size) if size else None
    row = Row(number, scenario.label, _load_text(load), _load_text(trivial), ratios)
    if limit is not None:
        row.target, row.passed = f"≤ {limit:g}×", row.median <= limit
    print(f"   → {row.ratio_text.replace('**', '')} {row.target} {row.result}", flush=True)
    return row


def _store_feed_entries(language: str = "fi") -> int:
    """What the worker does after the first builds: store the feed's events' entries, then
    its months as spans."""
    from events.calendars.feeds import feed_months, store_entries, store_spans  # noqa: PLC0415 - models load after django.setup()
    from events.calendars.selectors import calendar_feed_events  # noqa: PLC0415 - after django.setup()

    stored = store_entries(calendar_feed_events().values_list("pk", flat=True), language)
    store_spans(feed_months(calendar_feed_events()), language)
    return stored


def _feed_etag(server: harness.Server, expected_events: int) -> str:
    """The gzip body's ETag, after checking the feed: its events, 304, gzip = plain body."""
    plain = harness.fetch(server.url + FEED)
    in_feed = plain.body.count(b"BEGIN:VEVENT")
    packed = harness.fetch(server.url + FEED, GZIP)
    etag = packed.headers.get("ETag")
    conditional = harness.fetch(server.url + FEED, {**GZIP, "If-None-Match": etag or '"none"'})
    if plain.status != 200 or in_feed != expected_events:
        raise RuntimeError(f"feed: status {plain.status}, {in_feed} of {expected_events} events")
    if (
        packed.headers.get("Content-Encoding") != "gzip"
        or gzip.decompress(packed.body) != plain.body
    ):
        raise RuntimeError("the feed's gzip body is not the plain body compressed")
    if not etag or conditional.status != 304:
        raise RuntimeError(f"feed ETag/304 broken: {etag} {conditional.status}")
    return etag


def web_scenarios(bench: Bench, servers: dict[str, harness.Server], size: int) -> None:
    """Grow the data to `size`, then measure the feeds and pages and count their queries."""
    from events.calendars.selectors import calendar_feed_events  # noqa: PLC0415 - after django.setup()

    data.grow_events(upcoming=size, past=size)
    if bench.wanted("burst"):  # before the feeds' ETags are taken: it adds an event
        bench.queries.setdefault("registration", {})[size] = _registration_queries()
    _store_feed_entries()
    _analyze()
    _flush_cache(bench)
    in_feed = calendar_feed_events().count()
    main, nocache = servers["main"], servers["nocache"]
    cached_feed = harness.fetch(main.url + FEED)
    if harness.fetch(nocache.url + FEED).body != cached_feed.body:
        raise RuntimeError("the feed joined from stored entries differs from the cached body")
    if harness.fetch(nocache.url + FEED, GZIP).body != harness.fetch(main.url + FEED, GZIP).body:
        raise RuntimeError("the gzip feed joined from stored spans differs from the cached one")
    etag = _feed_etag(main, in_feed)
    feed = f"calendar feed, {in_feed:,} events"
    scenarios: list[tuple[str, Scenario]] = []
    if bench.wanted("feeds"):
        scenarios += [
            ("1a", Scenario("feed-full", f"{feed}, full build (no cache, gzip)", FEED, nocache,
                            headers=GZIP)),
            ("1f", Scenario("feed-full-plain", f"{feed}, full build (no cache), no gzip", FEED,
                            nocache)),
            ("1b", Scenario("feed-cached", f"{feed}, cached body (gzip)", FEED, main,
                            headers=GZIP)),
            ("1e", Scenario("feed-cached-plain", f"{feed}, cached body, no gzip", FEED, main)),
            ("1c", Scenario("feed-304", f"{feed}, If-None-Match → 304", FEED, main, 304,
                            {**GZIP, "If-None-Match": etag})),
        ]  # fmt: skip
        if size <= 1_000:  # the peer takes seconds per request beyond
            peer = f"peer: {feed}, built with icalendar's objects"
            scenarios.append(("1d", Scenario("feed-peer", peer, PEER, nocache)))
    if bench.wanted("pages"):
        scenarios += [
            ("3a", Scenario("events", f"/events/, first 50 of {size:,}", "/events/", main)),
            ("3b", Scenario("archive", f"/events/archive/, first 25 of {size:,} past",
                            "/events/archive/", main)),
            # Without the shared cache no page is kept (events/page_cache.py): every request
            # renders, as for a signed-in person.
            ("3c", Scenario("events-rendered", f"/events/, first 50 of {size:,}, rendered",
                            "/events/", nocache)),
            ("3d", Scenario("archive-rendered", f"/events/archive/, first 25 of {size:,}, "
                            "rendered", "/events/archive/", nocache)),
        ]  # fmt: skip
    for number, scenario in scenarios:
        bench.queries.setdefault(scenario.key, {})[size] = count_queries(scenario)
        bench.rows.append(measure(bench, f"{number} · {size:,}", scenario, size))


def floors(bench: Bench, main: harness.Server) -> None:
    """The physical floor: a static file through the same server (WhiteNoise), no Django view."""
    from django.templatetags.static import static  # noqa: PLC0415 - after django.setup()

    path = static("css/site.css")
    if harness.fetch(main.url + path).status != 200:
        raise RuntimeError(f"the static file {path} is not served")
    scenario = Scenario("static", "floor: a static file through the same server", path, main)
    bench.queries.setdefault("static", {})[0] = count_queries(scenario)
    bench.rows.append(measure(bench, "0", scenario, None))


# --- SQL query counts, in this process, through the same views ---------------------------------


def count_queries(scenario: Scenario) -> str:
    """SQL queries of one request to the scenario's path: after a cache flush and again.

    Counted with Django's test client in this process against the same database and cache
    (none for the server without one), so the benchmark itself checks that the count stays
    fixed as the data grows.
    """
    from django.core.cache import caches  # noqa: PLC0415 - after django.setup()
    from django.test import Client  # noqa: PLC0415 - after django.setup()
    from django.test.utils import CaptureQueriesContext, override_settings  # noqa: PLC0415

    no_cache = {
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
        "CALENDAR_FEED_LOCAL_TRUST_SECONDS": 0,
    }
    client = Client(HTTP_HOST="127.0.0.1")
    headers = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in scenario.headers.items()
    }
    counts = []
    with override_settings(**(no_cache if scenario.server.name == "nocache" else {})):
        for cold in (True, False):
            if cold and scenario.expect != 304:
                for cache in caches.all():
                    cache.clear()
            if scenario.expect == 304:
                client.get(scenario.path)  # the first answer remembers the ETag
            with CaptureQueriesContext(connections["default"]) as captured:
                response = client.get(scenario.path, **headers)
            if response.status_code != scenario.expect:
                raise RuntimeError(
                    f"{scenario.path}: {response.status_code}, not {scenario.expect}"
                )
            counts.append(len(captured.captured_queries))
    cold_count, warm_count = counts
    return str(warm_count) if cold_count == warm_count else f"{cold_count} cold, {warm_count} warm"


def query_rows(bench: Bench) -> list[Row]:
    rows = []
    for key, by_size in bench.queries.items():
        counts = [by_size[size] for size in sorted(by_size)]
        text = " / ".join(counts)
        sizes = " / ".join(f"{size:,}" for size in sorted(by_size))
        fixed = len(set(counts)) == 1
        rows.append(
            Row("Q", key, text, f"at {sizes}" if len(by_size) > 1 else "one size",
                target="same at every size" if len(by_size) > 1 else "",
                passed=fixed if len(by_size) > 1 else None)
        )  # fmt: skip
    return rows


# --- registration burst --------------------------------------------------------------------------


def registration_burst(bench: Bench, server: harness.Server, tokens: list[str]) -> None:
    """PEOPLE registrations at once for SEATS seats, beside the same burst of the trivial view."""
    print("2. registration burst …", flush=True)
    shares, floor_shares, of_floor, outcomes, loads, signed_in_loads = [], [], [], [], [], []
    for _ in range(bench.args.rounds):
        try:
            load, trivial, outcome = _burst(server, tokens)
            signed_in = _signed_in_floor(server, tokens)
        except harness.IncompleteBurstError as incomplete:
            # A round that could not be measured FAILs the burst; the other results stay.
            bench.rows.append(
                Row("2", f"{PEOPLE} registrations at once for {SEATS} seats",
                    f"not measured: {str(incomplete).splitlines()[0]} in {BURST_ATTEMPTS} "
                    "attempts", "", target="every round measured", passed=False)
            )  # fmt: skip
            return
        shares.append(load.per_second / trivial.per_second)
        floor_shares.append(signed_in.per_second / trivial.per_second)
        of_floor.append(load.per_second / signed_in.per_second)
        signed_in_loads.append(signed_in)
        outcomes.append(outcome)
        loads.append((load, trivial))
    exact = all(_exact(outcome, load) for outcome, (load, _t) in zip(outcomes, loads, strict=True))
    share = statistics.median(shares)
    load, trivial = loads[_median_index(shares)]
    signed_in = signed_in_loads[_median_index(floor_shares)]
    middle = _median_index(of_floor)
    kept = (loads[middle][0], signed_in_loads[middle])
    confirmed = "/".join(str(outcome.get("confirmed", 0)) for outcome in outcomes)
    again = sum(load.attempts - 1 for load, _trivial in loads)
    if again:
        confirmed += f" ({again} rounds run again: a burst could not be measured)"
    bench.rows += [
        Row("2", f"{PEOPLE} registrations at once for {SEATS} seats: confirmed in each round",
            f"{confirmed} confirmed; HTTP {_statuses(load)}", f"{len(outcomes)} rounds",
            target=f"exactly {SEATS} confirmed, {PEOPLE - SEATS} waitlisted, no errors",
            passed=exact),
        Row("2", "… throughput: registrations/s ÷ trivial view's req/s under the same burst",
            f"{load.per_second:,.0f} registrations/s, p95 {load.p95_ms:,.0f} ms",
            f"{trivial.per_second:,.0f} req/s, p95 {trivial.p95_ms:,.0f} ms", shares,
            f"≥ {BURST_SHARE:g}", share >= BURST_SHARE),
        Row("2", "… floor: a signed-in API POST that does nothing (DRF, token), same burst",
            f"{signed_in.per_second:,.0f} req/s, p95 {signed_in.p95_ms:,.0f} ms",
            "÷ the trivial burst's req/s", floor_shares),
        Row("2", "… registrations/s ÷ that floor's req/s in the same round",
            f"{kept[0].per_second:,.0f} registrations/s", f"{kept[1].per_second:,.0f} req/s",
            of_floor),
        _locked_section_row(trivial),
    ]  # fmt: skip


LOCKED_SAMPLES = 100


def _locked_section_row(trivial: harness.Load) -> Row:
    """The part of a registration that holds the event's row, and the rate it leaves one event.

    Registrations for one event take turns on its row lock from SELECT … FOR UPDATE to
    COMMIT, so whatever the number of workers or cores, one event takes at most
    1 / (that time) registrations a second. Measured in this process, one registration at a
    time (no waiting on the lock, no other request on the CPU): a lower bound of the time the
    burst's registrations hold the row, so the rate is an upper bound of the burst's.
    """
    milliseconds = statistics.median(_locked_section_ms())
    most_per_second = 1000 / milliseconds
    return Row(
        "2", f"… the locked section alone: row lock → COMMIT of one registration at a time, "
        f"in-process, median of {LOCKED_SAMPLES}",
        f"{milliseconds:.2f} ms: at most {most_per_second:,.0f} registrations/s for one event",
        f"÷ the trivial burst's {trivial.per_second:,.0f} req/s",
        [most_per_second / trivial.per_second],
    )  # fmt: skip


def _locked_section_ms() -> list[float]:
    """Milliseconds from sending SELECT … FOR UPDATE to COMMIT's return, per registration."""
    from events.registration.services import register_person  # noqa: PLC0415 - after django.setup()

    event = data.contested_event(seats=SEATS)
    people = data.burst_people()
    stamps: dict[str, float] = {}

    def stamp_lock(execute, sql, params, many, context):
        if "FOR UPDATE" in sql:
            stamps["locked"] = time.perf_counter()
        return execute(sql, params, many, context)

    connection.ensure_connection()
    # Django commits through _commit: wrapped, it stamps the moment COMMIT returns, before
    # the on-commit hooks (the outbox hand-over) run.
    commit = connection._commit

    def stamp_commit() -> None:
        commit()
        stamps["committed"] = time.perf_counter()

    sections = []
    with (
        mock.patch.object(connection, "_commit", stamp_commit),
        connection.execute_wrapper(stamp_lock),
    ):
        for person in people[:LOCKED_SAMPLES]:
            register_person(event=event, person=person)
            sections.append((stamps["committed"] - stamps["locked"]) * 1000)
    return sections


def _median_index(values: list[float]) -> int:
    return sorted(range(len(values)), key=values.__getitem__)[len(values) // 2]


def _signed_in_floor(server: harness.Server, tokens: list[str]) -> harness.Load:
    """The same burst of people POSTing to a view that does nothing after DRF's token check:
    what any registration costs before its own work (no target; it bounds the share)."""

    def attempt() -> harness.Load:
        return harness.wrk_burst(
            server.url, label="signed-in floor", method="POST", path=SIGNED_IN_POST,
            connections=PEOPLE, tokens=tokens,
        )  # fmt: skip

    floor, _attempts = _until_answered(attempt)
    if set(floor.statuses) != {"200"}:
        raise RuntimeError(f"signed-in floor burst: HTTP {_statuses(floor)}")
    return floor


BURST_ATTEMPTS = 3
T = TypeVar("T")


def _until_answered(attempt: Callable[[], T]) -> tuple[T, int]:
    """Run a burst again, at most BURST_ATTEMPTS times, while it cannot be measured.

    A burst cannot be measured when a connection was not open at its instant (a busy
    machine) or its time ran out with answers missing (until 2026-12-06: idle reconnected
    connections ahead of a late wrk thread's requests, see benchmarks/wrk/burst.lua). Gives
    the result and the number of attempts it took.
    """
    for number in range(1, BURST_ATTEMPTS + 1):
        try:
            return attempt(), number
        except harness.IncompleteBurstError as incomplete:
            if number == BURST_ATTEMPTS:
                raise
            print(f"   {incomplete}: running the round again", flush=True)
            time.sleep(5)
    raise AssertionError("unreachable")


def _burst(server: harness.Server, tokens: list[str]):
    """One round: the trivial burst, then the registration burst on a fresh event.

    A round that could not be measured is run again on a fresh event (_until_answered), and
    the table says how many rounds were run again.
    """

    def attempt() -> tuple[harness.Load, harness.Load, int]:
        event = data.contested_event(seats=SEATS)
        trivial = harness.wrk_burst(
            server.url, label="trivial burst", method="GET", path=TRIVIAL, connections=PEOPLE
        )
        load = harness.wrk_burst(
            server.url, label="register", method="POST",
            path=f"/api/v1/events/{event.pk}/register/", connections=PEOPLE, tokens=tokens,
        )  # fmt: skip
        return load, trivial, event.pk

    (load, trivial, event_pk), attempts = _until_answered(attempt)
    load.attempts = attempts
    if set(trivial.statuses) != {"200"}:
        raise RuntimeError(f"trivial burst: HTTP {_statuses(trivial)}")
    return load, trivial, data.registration_outcome(event_pk)


def _exact(outcome: dict[str, int], load: harness.Load) -> bool:
    return (
        outcome.get("confirmed", 0) == SEATS
        and outcome.get("waitlisted", 0) == PEOPLE - SEATS
        and sum(outcome.values()) == PEOPLE
        and set(load.statuses) <= {"200", "201"}
        and load.error_count == 0
    )


def _registration_queries() -> str:
    """SQL queries of one registration on a fresh event: a seat, then a waitlist place."""
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 - after django.setup()
    from rest_framework.test import APIClient  # noqa: PLC0415 - after django.setup()

    event = data.contested_event(seats=1)
    counts = []
    for person in data.burst_people()[:2]:
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.force_authenticate(person)
        with CaptureQueriesContext(connections["default"]) as captured:
            response = client.post(f"/api/v1/events/{event.pk}/register/", {}, format="json")
        if response.status_code not in {200, 201}:
            raise RuntimeError(f"registration answered {response.status_code}")
        counts.append(len(captured.captured_queries))
    return " + ".join(map(str, counts))


def _statuses(load: harness.Load) -> str:
    return ", ".join(f"{code}×{count}" for code, count in sorted(load.statuses.items()))


def worker_models(bench: Bench, tokens: list[str]) -> None:
    """The same burst on each gunicorn worker model: p50/p99 latency, to choose the default."""
    for name, threads in WORKER_MODELS:
        server = harness.Server(name, {**bench.env, "GUNICORN_THREADS": str(threads)}, WORKERS)
        server.start(bench.work_dir)
        try:
            load, trivial, outcome = _burst(server, tokens)
        finally:
            server.stop()
        bench.rows.append(
            Row("2", f"… {name} workers ({WORKERS}×{threads}): p50 / p99 of the burst",
                f"p50 {load.p50_ms:,.0f} ms, p99 {load.p99_ms:,.0f} ms; "
                f"{outcome.get('confirmed', 0)} confirmed",
                f"p99 {trivial.p99_ms:,.0f} ms", [load.p99_ms / trivial.p99_ms])
        )  # fmt: skip


# --- in-process scenarios ---------------------------------------------------------------------


def attendance_report(bench: Bench) -> None:
    print("4. attendance report …", flush=True)
    bench.queries["report"] = {10_000: _report_queries(5_000, 10_000)}
    rows = bench.args.report_rows
    result = report_bench.run(n_events=rows // 20, n_attendance=rows, keep=True)
    try:
        bench.queries["report"][result["attendance_rows"]] = _report_queries()
        rss = _report_process_rss_mb()
    finally:
        report_bench.cleanup()
    bench.rows += [
        Row("4", str(result.get("scenario", "attendance report, 1,000,000 attendance rows")),
            f"{result['report_seconds'] * 1000:,.0f} ms",
            f"{result['sql_seconds'] * 1000:,.0f} ms (plain SQL aggregate)",
            [result["report_seconds"] / result["sql_seconds"]],
            f"≤ {report_bench.TARGET_RATIO:g}×", result["passed"]),
        Row("4", "… attendance report, default breakdowns (kind, theme) and comparisons",
            f"{result['report_kind_theme_seconds'] * 1000:,.0f} ms",
            f"{result['sql_seconds'] * 1000:,.0f} ms (plain SQL aggregate)",
            [result["kind_theme_ratio"]]),
    ]  # fmt: skip
    bench.memory.append(
        Row("M", f"a fresh process that computes the {rows:,}-row report once: peak RSS",
            f"{rss:,.0f} MB", "VmHWM")
    )  # fmt: skip


def _report_queries(n_events: int | None = None, n_rows: int | None = None) -> str:
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 - after django.setup()

    if n_events:
        report_bench.populate(n_events, n_rows)
    try:
        with CaptureQueriesContext(connections["default"]) as captured:
            report_bench.full_report()
        return str(len(captured.captured_queries))
    finally:
        if n_events:
            report_bench.cleanup()


def _report_process_rss_mb() -> float:
    """Resident memory, not tracemalloc's Python objects: what a worker really holds."""
    code = (
        "import django, re, pathlib; django.setup(); "
        "from benchmarks import report_bench; report_bench.full_report(); "
        "s = pathlib.Path('/proc/self/status').read_text(); "
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', s).group(1)))"
    )
    result = subprocess.run(  # noqa: S603 - our interpreter, our code
        [harness.PYTHON, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip().splitlines()[-1]) / 1024


def caption_checks(bench: Bench) -> None:
    text = data.three_hour_webvtt()
    parsed = webvtt.from_string(text)
    result = check_vtt(text, duration_seconds=3 * 3600)
    if len(parsed.captions) != 3000 or len(result.cues) != 3000:
        raise RuntimeError("the caption file did not parse into 3,000 cues")
    parse_only = harness.median_seconds(lambda: webvtt.from_string(text))
    checks = harness.median_seconds(lambda: check_vtt(text, duration_seconds=3 * 3600))
    bench.rows.append(
        Row("5", "caption checks, three-hour WebVTT, 3,000 cues", f"{checks * 1000:,.1f} ms",
            f"{parse_only * 1000:,.1f} ms (webvtt-py parse alone)", [checks / parse_only])
    )  # fmt: skip


# --- output ---------------------------------------------------------------------------------------


def table(rows: list[Row], header: tuple[str, ...] | None = None) -> list[str]:
    header = header or ("#", "scenario", "measured (median round)", "baseline (same round)",
                        "ratio min / **median** / max", "target", "result")  # fmt: skip
    body = [
        [r.number, r.scenario, r.measured, r.baseline, r.ratio_text, r.target, r.result]
        for r in rows
    ]
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(cells) + " |" for cells in body
    ]


def report_text(bench: Bench, machine: dict[str, str], started: dt.datetime) -> list[str]:
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    args = bench.args
    return [
        f"## Results ({when})",
        "",
        f"Web scenarios: wrk, {CONNECTIONS} connections, 2 threads, {args.seconds} s per run;",
        f"each round runs the trivial view, then the scenario, on the same server; {args.rounds}",
        "rounds. Ratio = the trivial view's req/s ÷ the scenario's in the same round.",
        "",
        *table(bench.rows),
        "",
        "### SQL queries per request, at each size",
        "",
        *table(query_rows(bench), ("#", "scenario", "queries", "sizes", "", "target", "result")),
        "",
        "### Memory",
        "",
        *table(bench.memory, ("#", "process", "peak resident memory", "measured as", "", "", "")),
        "",
        "### Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine.items()],
        f"| gunicorn workers | {WORKERS} (sync) |",
        "",
    ]


def write_report(lines: list[str]) -> Path:
    """Replace the results part of docs/performance.md, keep the explanation above it."""
    path = BASE_DIR / "docs" / "performance.md"
    text = path.read_text() if path.exists() else "# Performance\n\n"
    marker = "<!-- results: written by make bench -->"
    head = text.split(marker, 1)[0].rstrip() + "\n\n"
    path.write_text(head + marker + "\n\n" + "\n".join(lines))
    return path


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db-name", default=os.environ.get("BENCH_DB_NAME", "kohtaamo_bench"),
                        help="database to create (must not exist); dropped at the end")  # fmt: skip
    parser.add_argument(
        "--pg-base", default=os.environ.get("BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
                        help="the cache's Redis database; flushed between sizes")  # fmt: skip
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "0")),
                        help="first of two ports on 127.0.0.1 (0: free ports)")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "3")))
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", str(MIN_ROUNDS)))
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--report-rows", type=int, default=1_000_000)
    parser.add_argument("--only", default="", help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    parser.add_argument(
        "--worker-models", action="store_true", help="also compare sync and gthread"
    )
    args = parser.parse_args()
    args.only = set(filter(None, args.only.split(",")))
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    if unknown := args.only - set(GROUPS):
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    return args


def run(bench: Bench, tokens: list[str]) -> None:
    if any(bench.wanted(group) for group in ("feeds", "pages", "burst")):
        web(bench, tokens)
    if bench.wanted("burst") and bench.args.worker_models:
        worker_models(bench, tokens)
    if bench.wanted("report"):
        attendance_report(bench)
    if bench.wanted("captions"):
        caption_checks(bench)


def web(bench: Bench, tokens: list[str]) -> None:
    """The scenarios through gunicorn: one server with the Redis cache, one without a cache."""
    port = bench.args.port
    servers = {
        "main": harness.Server("main", bench.env, WORKERS, port=port),
        # No cache and no worker memo: every feed request builds (docs/performance.md).
        "nocache": harness.Server("nocache", {**bench.env, "CACHE_URL": "dummycache://",
                                              "CALENDAR_FEED_LOCAL_TRUST_SECONDS": "0"},
                                  WORKERS, port=port + 1 if port else 0),
    }  # fmt: skip
    try:
        for server in servers.values():
            server.start(bench.work_dir)
        if bench.wanted("feeds") or bench.wanted("pages"):
            print("0. floor …", flush=True)
            floors(bench, servers["main"])
        for size in bench.args.sizes:
            print(f"1/3. {size:,} events …", flush=True)
            web_scenarios(bench, servers, size)
        if bench.wanted("burst"):
            registration_burst(bench, servers["main"], tokens)
        for name, server in servers.items():
            bench.memory.append(
                Row("M", f"gunicorn worker ({name} server) after its scenarios: peak RSS",
                    f"{server.peak_worker_rss_mb():,.0f} MB", "VmHWM, largest worker")
            )  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()


def main() -> int:
    args = parse_args()
    if not harness.wrk_available():
        print("wrk is missing: apt-get install wrk (make bench does it as root)", file=sys.stderr)
        return 2
    started = dt.datetime.now(dt.UTC)
    work_dir = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-"))
    bench = Bench(args, {}, work_dir, f"{args.pg_base}/{args.db_name}", args.redis_url)
    bench.env = configure_environment(bench, work_dir / "static")
    print(f"Preparing {bench.database_url} …", flush=True)
    harness.create_database(bench.database_url)
    try:
        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        tokens = data.people_with_tokens(PEOPLE)
        machine = harness.machine_description(bench.database_url, bench.redis_url)
        run(bench, tokens)
    finally:
        if not args.keep_db:
            connections.close_all()
            harness.drop_database(bench.database_url)
    lines = report_text(bench, machine, started)
    print()
    print("\n".join(lines))
    verdicts = [row.passed for row in [*bench.rows, *query_rows(bench)] if row.passed is not None]
    failed = verdicts.count(False)
    print("targets:", "all PASS" if not failed else f"{failed} FAIL")
    if args.rounds < MIN_ROUNDS:
        print(f"fewer than {MIN_ROUNDS} rounds: a preview, not written", flush=True)
    elif (
        not args.no_write
        and not args.only
        and args.sizes == list(SIZES)
        and args.report_rows == 1_000_000
    ):
        print(f"written to {write_report(lines)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
