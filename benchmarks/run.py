"""`make bench`: Kohtaamo's performance scenarios, printed as ONE table of ratios.

Every scenario is measured against a baseline in the same run on the same machine, so the
ratios compare across machines even when absolute times do not. The run creates its own
PostgreSQL database (kohtaamo_bench), fills it, starts gunicorn on a free 127.0.0.1 port,
drives it with wrk (a separate process, bounded in time), stops everything and writes the
results and the machine description to docs/performance.md.

    .venv/bin/python benchmarks/run.py [--seconds 5] [--keep-db] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
import webvtt
from django.core.management import call_command
from django.db import connection, connections

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from accessibility.checks import check_vtt  # noqa: E402 - after the repository root is on sys.path
from benchmarks import data, harness, report_bench  # noqa: E402 - after the repository root is on sys.path

PG_BASE = os.environ.get("BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{PG_BASE}/kohtaamo_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
EVENTS = 1000
SEATS, PEOPLE = 50, 300
# The worker models compared under the registration burst: (name, threads per worker).
WORKER_MODELS = (("sync", 1), ("gthread", 4))
# A burst's slowest answer must stay far from gunicorn's 30 s timeout.
BURST_P99_LIMIT_MS = 10_000
WORKERS = 2 * (os.cpu_count() or 1) + 1
CONNECTIONS = 2 * WORKERS
MODELS_TEXT = ", ".join(
    f"{name}: {WORKERS} workers × {threads} threads" for name, threads in WORKER_MODELS
)


@dataclass
class Row:
    number: str
    scenario: str
    measured: str
    baseline: str
    ratio: float | None
    target: str = ""
    passed: bool | None = None

    @property
    def result(self) -> str:
        return "" if self.passed is None else ("PASS" if self.passed else "FAIL")

    @property
    def ratio_text(self) -> str:
        return "" if self.ratio is None else f"{self.ratio:.2f}×"


def configure_environment(static_root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "GUNICORN_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kohtaamo.settings",
            "DATABASE_URL": DATABASE_URL,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CACHE_URL": REDIS_URL,
            # Tasks are published (in-memory broker, nobody consumes), as a web node
            # publishes to Redis in production: the request never sends e-mail itself.
            "CELERY_BROKER_URL": "memory://",
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


def prepare_database() -> list[str]:
    harness.recreate_database(DATABASE_URL)
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    data.upcoming_events(EVENTS)
    tokens = data.people_with_tokens(PEOPLE)
    _analyze()
    return tokens


def _analyze() -> None:
    """Planner statistics for the fresh rows, as autovacuum keeps them in production."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- scenarios ----------------------------------------------------------------------------


def steady(server: harness.Server, path: str, label: str, seconds: int, **kw) -> harness.Load:
    load = harness.wrk_steady(
        server.url + path, label=label, seconds=seconds, connections=CONNECTIONS, **kw
    )
    if load.error_count:
        raise RuntimeError(f"{label}: {load.errors} errors under load")
    return load


def versus_trivial(
    server: harness.Server, path: str, label: str, seconds: int, rounds: int, **kw
) -> tuple[harness.Load, harness.Load, float]:
    """Alternate trivial and scenario runs; the ratio is the median of the rounds' ratios.

    Alternating evens out a machine whose load drifts during the run (a shared machine).
    Returns the scenario and trivial loads of the median round and that ratio.
    """
    pairs = []
    for _ in range(rounds):
        trivial = steady(server, "/healthz", "trivial", seconds)
        load = steady(server, path, label, seconds, **kw)
        pairs.append((load.mean_ms / trivial.mean_ms, load, trivial))
    pairs.sort(key=lambda pair: pair[0])
    ratio, load, trivial = pairs[len(pairs) // 2]
    return load, trivial, ratio


def _load_text(load: harness.Load) -> str:
    return f"{load.per_second:,.0f} req/s, mean {load.mean_ms:.1f} ms, p95 {load.p95_ms:.1f} ms"


def _store_feed_entries(language: str = "fi") -> int:
    """What the worker does after the first build: store every event's feed entry."""
    from events.calendars.feeds import store_entries  # noqa: PLC0415 - models load after django.setup() in prepare_database
    from events.models import Event  # noqa: PLC0415 - models load after django.setup() in prepare_database

    stored = store_entries(Event.objects.values_list("pk", flat=True), language)
    _analyze()
    return stored


def calendar_feed(env: dict[str, str], log_dir: Path, seconds: int, rounds: int) -> list[Row]:
    """1,000 events, full build: a server with no cache at all builds every answer.

    First with no stored entries (every request writes all 1,000 events: the first build
    after a release), then with the entries the worker stores (a feed whose body cache
    expired or was never filled: the case the target is about).
    """
    uncached = harness.Server("nocache", {**env, "CACHE_URL": "dummycache://"}, WORKERS)
    try:
        uncached.start(log_dir)
        first = harness.fetch(uncached.url + "/calendar/events.ics")
        events_in_feed = first.body.count(b"BEGIN:VEVENT")
        if first.status != 200 or events_in_feed != EVENTS:
            raise RuntimeError(f"feed: status {first.status}, {events_in_feed} events")
        cold, cold_trivial, cold_ratio = versus_trivial(
            uncached, "/calendar/events.ics", "feed first build", seconds, rounds
        )
        _store_feed_entries()
        joined = harness.fetch(uncached.url + "/calendar/events.ics")
        if joined.body != first.body:
            raise RuntimeError("feed joined from stored entries differs from a fresh build")
        full, trivial, ratio = versus_trivial(
            uncached, "/calendar/events.ics", "feed full", seconds, rounds
        )
    finally:
        uncached.stop()
    return [
        Row("1a", f"calendar feed, {EVENTS:,} events, full build from stored entries",
            _load_text(full), _load_text(trivial), ratio, "≤ 10×", ratio <= 10),
        Row("1a′", f"calendar feed, {EVENTS:,} events, first build (no stored entries)",  # noqa: RUF001 - the prime of "1a prime" is meant
            _load_text(cold), _load_text(cold_trivial), cold_ratio),
    ]  # fmt: skip


def cached_pages(server: harness.Server, seconds: int, rounds: int) -> list[Row]:
    feed_url = server.url + "/calendar/events.ics"
    first = harness.fetch(feed_url)
    etag = first.headers.get("ETag")
    again = harness.fetch(feed_url)
    conditional = harness.fetch(feed_url, {"If-None-Match": etag or '"none"'})
    if first.status != 200 or not etag or conditional.status != 304 or again.body != first.body:
        raise RuntimeError(f"feed ETag/304 broken: {first.status} {etag} {conditional.status}")
    page = harness.fetch(server.url + "/events/")
    if page.status != 200:
        raise RuntimeError(f"/events/ answered {page.status}")

    rows = []
    cases = [
        ("1b", "calendar feed, cached body", "/calendar/events.ics", {}, None),
        ("1c", "calendar feed, conditional → 304", "/calendar/events.ics",
         {"If-None-Match": etag}, 2.0),
        ("3", f"upcoming events page /events/, {EVENTS:,} events", "/events/", {}, None),
    ]  # fmt: skip
    for number, label, path, headers, target in cases:
        load, trivial, ratio = versus_trivial(server, path, label, seconds, rounds, headers=headers)
        rows.append(
            Row(number, label, _load_text(load), _load_text(trivial), ratio,
                f"≤ {target:g}×" if target else "", ratio <= target if target else None)
        )  # fmt: skip
    return rows


def registration_contention(server: harness.Server, tokens: list[str]) -> list[Row]:
    """The default deployment (sync workers): exactly SEATS confirmed, and the throughput."""
    load, trivial, passed, measured = _burst(server, tokens)
    baseline = f"{trivial.per_second:,.0f} req/s, p95 {trivial.p95_ms:.0f} ms"
    return [
        Row("2", f"{PEOPLE} concurrent registrations for {SEATS} seats (p95 ratio)", measured,
            baseline, load.p95_ms / trivial.p95_ms, "exactly 50 confirmed, no errors", passed),
        Row("2", "… throughput (trivial req/s ÷ registrations/s)", f"{load.per_second:,.0f}/s",
            f"{trivial.per_second:,.0f}/s", trivial.per_second / load.per_second),
    ]  # fmt: skip


def worker_models(env: dict[str, str], log_dir: Path, tokens: list[str]) -> list[Row]:
    """The same burst on each gunicorn worker model: p50/p99 latency, to choose the default."""
    rows = []
    for name, threads in WORKER_MODELS:
        server = harness.Server(name, {**env, "GUNICORN_THREADS": str(threads)}, WORKERS)
        server.start(log_dir)
        try:
            load, trivial, passed, measured = _burst(server, tokens)
        finally:
            server.stop()
        default = threads == 1  # gunicorn.conf.py's default: sync workers
        rows.append(
            Row("2", f"… {name} workers ({WORKERS}×{threads}): p50 / p99 of the burst",
                f"p50 {load.p50_ms:,.0f} ms, p99 {load.p99_ms:,.0f} ms; {measured}; "
                f"{load.error_count} socket errors",
                f"p99 {trivial.p99_ms:,.0f} ms", load.p99_ms / trivial.p99_ms,
                f"50 confirmed, p99 ≤ {BURST_P99_LIMIT_MS // 1000} s" if default else "",
                (passed and load.p99_ms <= BURST_P99_LIMIT_MS) if default else None)
        )  # fmt: skip
    return rows


def _burst(server: harness.Server, tokens: list[str]):
    """PEOPLE registrations at once for SEATS seats, beside the same burst of /healthz."""
    event = data.contested_event(seats=SEATS)
    path = f"/api/v1/events/{event.pk}/register/"
    trivial = harness.wrk_burst(
        server.url, label="trivial burst", method="GET", path="/healthz", connections=PEOPLE
    )
    load = harness.wrk_burst(
        server.url, label="register", method="POST", path=path, connections=PEOPLE, tokens=tokens
    )
    outcome = data.registration_outcome(event.pk)
    confirmed, waitlisted = outcome.get("confirmed", 0), outcome.get("waitlisted", 0)
    passed = (
        confirmed == SEATS
        and waitlisted == PEOPLE - SEATS
        and sum(outcome.values()) == PEOPLE
        and set(load.statuses) <= {"200", "201"}
        and load.error_count == 0
    )
    measured = (
        f"{load.per_second:,.0f} registrations/s, p95 {load.p95_ms:.0f} ms; "
        f"{confirmed} confirmed, {waitlisted} waitlisted, HTTP {_statuses(load)}"
    )
    return load, trivial, passed, measured


def _statuses(load: harness.Load) -> str:
    return ", ".join(f"{code}×{count}" for code, count in sorted(load.statuses.items()))


def attendance_report() -> list[Row]:
    result = report_bench.run()
    return [
        Row(
            "4",
            str(result.get("scenario", "attendance report, 1,000,000 attendance rows")),
            f"{result['report_seconds'] * 1000:,.0f} ms, peak {result.get('report_peak_mb')} MB",
            f"{result['sql_seconds'] * 1000:,.0f} ms (plain SQL aggregate)",
            result["report_seconds"] / result["sql_seconds"],
            f"≤ {report_bench.TARGET_RATIO:g}×",
            result["passed"],
        ),
        Row(
            "4",
            "… attendance report, default breakdowns (kind, theme) and comparisons",
            f"{result['report_kind_theme_seconds'] * 1000:,.0f} ms",
            f"{result['sql_seconds'] * 1000:,.0f} ms (plain SQL aggregate)",
            result["kind_theme_ratio"],
        ),
    ]


def caption_checks() -> list[Row]:
    text = data.three_hour_webvtt()
    parsed = webvtt.from_string(text)
    result = check_vtt(text, duration_seconds=3 * 3600)
    if len(parsed.captions) != 3000 or len(result.cues) != 3000:
        raise RuntimeError("the caption file did not parse into 3,000 cues")
    parse_only = harness.median_seconds(lambda: webvtt.from_string(text))
    checks = harness.median_seconds(lambda: check_vtt(text, duration_seconds=3 * 3600))
    return [
        Row("5", "caption checks, three-hour WebVTT, 3,000 cues", f"{checks * 1000:,.1f} ms",
            f"{parse_only * 1000:,.1f} ms (webvtt-py parse alone)", checks / parse_only),
    ]  # fmt: skip


# --- output --------------------------------------------------------------------------------


def table(rows: list[Row]) -> list[str]:
    header = ["#", "scenario", "measured", "baseline", "ratio", "target", "result"]
    body = [
        [r.number, r.scenario, r.measured, r.baseline, r.ratio_text, r.target, r.result]
        for r in rows
    ]
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(cells) + " |" for cells in body
    ]


def write_report(
    rows: list[Row], machine: dict[str, str], seconds: int, rounds: int, started
) -> Path:
    path = BASE_DIR / "docs" / "performance.md"
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (benchmarks/run.py); do not edit by hand. Every ratio",
        "compares a scenario with a baseline measured in the same run on the same machine,",
        "so ratios travel between machines while absolute numbers do not.",
        "",
        f"## Results ({when})",
        "",
        *table(rows),
        "",
        "Ratios of web scenarios 1 and 3 are mean latency ÷ the trivial view's mean latency",
        f"under the same closed-loop load (wrk, {CONNECTIONS} connections, 2 threads, {seconds} s",
        f"per run); trivial and scenario runs alternate {rounds} times and the table shows the",
        "median round. **The trivial view is `/healthz`**: Django's whole middleware stack",
        "plus one `SELECT 1`, i.e. the cheapest request the site answers.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine.items()],
        f"| gunicorn workers | {WORKERS} (sync) |",
        "",
        "The machine is shared with other work while the benchmark runs; numbers wander by",
        "tens of per cent between runs, the pass/fail targets have room for that.",
        "",
        "## Scenarios",
        "",
        f"1. **Calendar feed** `/calendar/events.ics` with {EVENTS:,} published events (45 themes,",
        "   6 series, 1–2 presenters each). *Full build*: a gunicorn started with",
        "   `CACHE_URL=dummycache://`, so every request reads the feed's events, joins the",
        "   body from their stored entries (events/calendars/feeds.py), as after the worker",
        "   has stored them, and hashes it for the ETag. *First build* (1a′): the same with",  # noqa: RUF001 - the prime of "1a prime" is meant
        "   no stored entries, so every request writes all the events (the first request after a",
        "   release). *Cached*: Redis cache, the built body is served. *304*: the client sends",
        "   the feed's `If-None-Match`; the ETag is remembered in the cache, no query runs.",
        f"2. **Registration under contention**: {PEOPLE} people, each with a DRF token, send",
        f"   `POST /api/v1/events/{{id}}/register/` at the same moment ({PEOPLE} connections,",
        f"   one request each) for an event with {SEATS} seats and a waitlist. Pass: exactly",
        f"   {SEATS} confirmed, {PEOPLE - SEATS} waitlisted, every answer 200/201, no socket",
        "   errors. Registrations/s is the number of registrations divided by the time from",
        "   starting wrk to the last answer; the baseline is the same burst of `/healthz`.",
        "   Notification tasks are published to an in-memory broker (not consumed), as a web",
        "   node publishes to Redis in production. The same burst then runs once per gunicorn",
        f"   worker model ({MODELS_TEXT}), with p50 and p99 of the answers; pass:",
        f"   50 confirmed and p99 ≤ {BURST_P99_LIMIT_MS // 1000} s,",
        "   far from gunicorn's 30 s timeout.",
        f"3. **Upcoming events page** `/events/` (first page of 50) with {EVENTS:,} events.",
        "4. **Attendance report** over 1,000,000 attendance rows against a plain SQL",
        "   aggregate of the same numbers (benchmarks/report_bench.py), all eight breakdowns",
        "   and both comparisons, then the page's default (kind, theme). On PostgreSQL the",
        "   registrations arrive packed in one binary value (events/reports/counts_numpy.py).",
        "   Pass: at most",
        f"   {report_bench.TARGET_RATIO:g}× the aggregate, and its events, identified attendees,",
        "   confirmed and waitlisted per kind equal the aggregate's.",
        "5. **Caption checks** of a generated three-hour WebVTT file (3,000 cues of two lines)",
        "   against parsing the same text with webvtt-py alone; median of 5 runs.",
        "",
        "## Running it",
        "",
        "```",
        "make bench",
        "```",
        "",
        "Needs PostgreSQL at 127.0.0.1:5432 (user postgres; the run creates and drops the",
        "database `kohtaamo_bench`), Redis at 127.0.0.1:6379 (DB 5 for the cache) and Debian's",
        "`wrk` (the Makefile installs it when missing and run as root). `--seconds N` changes",
        "the length of each load run, `--keep-db` keeps the database for a look afterwards.",
        "",
    ]
    path.write_text("\n".join(lines))
    return path


def run_scenarios(
    wanted: Callable[[str], bool],
    *,
    server: harness.Server,
    env: dict[str, str],
    work_dir: Path,
    tokens: list[str],
    args: argparse.Namespace,
) -> list[Row]:
    """The wanted scenarios in order; `server` is started here and left for main to stop."""
    rows: list[Row] = []
    if wanted("1"):
        print("1. calendar feed, full build …", flush=True)
        rows += calendar_feed(env, work_dir, args.seconds, args.rounds)
    server.start(work_dir)
    if wanted("1") or wanted("3"):
        print("1/3. cached feed, 304, events page …", flush=True)
        rows += cached_pages(server, args.seconds, args.rounds)
    if wanted("2"):
        print("2. registration under contention …", flush=True)
        rows += registration_contention(server, tokens)
    server.stop()
    if wanted("2"):
        print("2. registration burst per worker model …", flush=True)
        rows += worker_models(env, work_dir, tokens)
    if wanted("4"):
        print("4. attendance report …", flush=True)
        rows += attendance_report()
    if wanted("5"):
        print("5. caption checks …", flush=True)
        rows += caption_checks()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "5")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")))
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--only", default="", help="comma-separated scenario numbers, e.g. 2,5")
    args = parser.parse_args()
    if not harness.wrk_available():
        print("wrk is missing: apt-get install wrk (make bench does it as root)", file=sys.stderr)
        return 2
    only = set(filter(None, args.only.split(",")))

    def wanted(number: str) -> bool:
        return not only or number in only

    started = dt.datetime.now(dt.UTC)
    work_dir = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-"))
    env = configure_environment(work_dir / "static")
    print(f"Preparing {DATABASE_URL} with {EVENTS:,} events and {PEOPLE} people …", flush=True)
    tokens = prepare_database()
    machine = harness.machine_description(DATABASE_URL, REDIS_URL)
    server = harness.Server("main", env, WORKERS)
    try:
        rows = run_scenarios(
            wanted, server=server, env=env, work_dir=work_dir, tokens=tokens, args=args
        )
    finally:
        server.stop()
        if not args.keep_db:
            connections.close_all()
            harness.drop_database(DATABASE_URL)
    rows.sort(key=lambda row: row.number)
    print()
    print("\n".join(table(rows)))
    failed = [row for row in rows if row.passed is False]
    print()
    print("targets:", "all PASS" if not failed else f"{len(failed)} FAIL")
    if not args.no_write and not only:
        print(f"written to {write_report(rows, machine, args.seconds, args.rounds, started)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
