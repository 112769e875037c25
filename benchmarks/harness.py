"""Benchmark plumbing: the machine, a database of our own, gunicorn, wrk and timers.

Everything runs on 127.0.0.1 and is stopped at the end; wrk runs as its own process,
bounded in time.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import django
import gunicorn
import psycopg
import redis

BASE_DIR = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
PYTHON = sys.executable


# --- the machine -----------------------------------------------------------------------


def machine_description(database_url: str, redis_url: str) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    with psycopg.connect(database_url) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    try:
        redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    except Exception:  # noqa: BLE001 - the description is informative only
        redis_version = "unknown"
    # wrk --version exits non-zero; it is Debian's wrk on PATH, as the Makefile installs it.
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607 - wrk on PATH (Makefile)
    return {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": postgres,
        "Redis": redis_version,
        "Django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk.stdout + wrk.stderr).split("\n", 1)[0].strip(),
    }


# --- a database of our own -----------------------------------------------------------------


def create_database(url: str) -> None:
    """Create the benchmark's database; refuse one that exists (it may be someone's data)."""
    base, name = url.rsplit("/", 1)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing the database name {name!r}: use [a-z0-9_]")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise SystemExit(
                f"the database {name!r} exists already; the benchmark drops only what it "
                "created: choose another with --db-name, or drop it yourself"
            )
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    """Drop the database create_database made (callers drop only what they created)."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- gunicorn --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    env: dict[str, str]
    workers: int
    port: int = 0  # 0: a free port when started
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, timeout: float = 90) -> Server:
        self.port = self.port or free_port()
        self.log_path = log_dir / f"gunicorn-{self.name}.log"
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_ACCESS_LOG": "off",
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_TIMEOUT": "120",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_path.read_text()}")
            try:
                if fetch(self.url + "/healthz").status == 200:
                    self.warm_up()
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.name} did not answer in {timeout} s")

    def warm_up(self, paths: tuple[str, ...] = ("/healthz", "/events/", "/api/v1/events/")):
        """Every worker loads Django lazily on its first request: get that out of the way."""
        for path in paths:
            wrk_steady(self.url + path, label="warm-up", seconds=2, connections=4 * self.workers)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the processes whose parent is this server's master."""
        if self.process is None:
            return []
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # "pid (comm) state ppid ...": comm may hold spaces, so split after ")".
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def peak_worker_rss_mb(self) -> float:
        """The largest resident set any worker reached so far (VmHWM), in MB."""
        return max((peak_rss_mb(pid) for pid in self.worker_pids()), default=0.0)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set (VmHWM in /proc/PID/status), in MB; 0 when gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
    request = urllib.request.Request(url, headers=headers or {}, method=method)  # noqa: S310 - our 127.0.0.1 gunicorn
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our 127.0.0.1 gunicorn
            return Fetched(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read())


# --- wrk -------------------------------------------------------------------------------


@dataclass
class Load:
    """What wrk measured for one URL."""

    label: str
    requests: int
    seconds: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: dict[str, int]
    statuses: dict[str, int] = field(default_factory=dict)
    attempts: int = 1  # a burst's round, run again when it could not be measured

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def _parse_result(label: str, output: str, seconds: float | None = None) -> Load:
    match = re.search(r"^WRK-RESULT (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result for {label}:\n{output[-2000:]}")
    data = json.loads(match.group(1))
    return Load(
        label=label,
        requests=data["requests"],
        seconds=seconds if seconds is not None else data["duration_us"] / 1e6,
        mean_ms=data["mean_us"] / 1000,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"],
        statuses={str(code): count for code, count in data.get("statuses", {}).items()},
    )


def wrk_steady(
    url: str,
    *,
    label: str,
    seconds: int,
    connections: int,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> Load:
    """Closed-loop load for `seconds` on one URL: every connection sends, waits, sends."""
    header_args = [f"{name}: {value}" for name, value in (headers or {}).items()]
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
        "-s", str(WRK_DIR / "steady.lua"), url, "--", *header_args,
    ]  # fmt: skip
    result = subprocess.run(  # noqa: S603 - wrk with our own arguments
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed for {label}: {result.stderr}")
    return _parse_result(label, result.stdout)


class IncompleteBurstError(RuntimeError):
    """A burst that could not be measured: wrk's time ran out before every connection had its
    answer, or some connections were not open when the burst was to start."""


# How long before the burst's instant wrk is started: enough to start it and open every
# connection on a busy machine (a connection still opening then makes the round run again).
BURST_LEAD_SECONDS = 0.5


@dataclass
class BurstThread:
    """What one wrk thread of a burst reported when its last answer came in."""

    done_us: int  # when, in microseconds since the epoch
    late: int  # connections opened after the burst's instant
    statuses: dict[str, int]


def parse_burst_done(line: str) -> BurstThread:
    """`BURST-DONE <done_us> <late> <status>=<n>,…` (benchmarks/wrk/burst.lua)."""
    _tag, done_us, late, *rest = line.split()
    statuses = {}
    for part in filter(None, "".join(rest).split(",")):
        code, count = part.split("=")
        statuses[code] = int(count)
    return BurstThread(int(done_us), int(late), statuses)


def burst_seconds(start_us: int, threads: list[BurstThread]) -> float:
    """From the burst's instant to its last answer; a burst some connections missed cannot
    be timed (IncompleteBurstError)."""
    late = sum(thread.late for thread in threads)
    if late:
        raise IncompleteBurstError(f"{late} connections were not open at the burst's instant")
    return (max(thread.done_us for thread in threads) - start_us) / 1e6


def wrk_burst(
    base_url: str,
    *,
    label: str,
    method: str,
    path: str,
    connections: int,
    threads: int = 2,
    tokens: list[str] | None = None,
    limit_seconds: int = 40,
) -> Load:
    """`connections` requests at one instant, one per connection (benchmarks/wrk/burst.lua);
    timed from that instant to the last answer."""
    if connections % threads:
        raise ValueError("connections must divide evenly among threads")
    per_thread = connections // threads
    start_us = time.time_ns() // 1000 + int(BURST_LEAD_SECONDS * 1e6)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{limit_seconds}s", "--timeout", "60s",
        "-s", str(WRK_DIR / "burst.lua"), base_url + path, "--",
        method, path, str(per_thread), str(start_us), *(tokens or []),
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - wrk with our own arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    finished: list[BurstThread] = []
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("BURST-DONE"):
            finished.append(parse_burst_done(line))
            if len(finished) == threads:
                process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=60)
    lines.append(rest)
    if len(finished) < threads:
        raise IncompleteBurstError(
            f"{label}: not every request was answered:\n{''.join(lines)}{errors}"
        )
    load = _parse_result(label, "".join(lines), seconds=burst_seconds(start_us, finished))
    load.statuses = {}
    for thread in finished:
        for code, count in thread.statuses.items():
            load.statuses[code] = load.statuses.get(code, 0) + count
    return load


# --- in-process timing -------------------------------------------------------------------


def median_seconds(function: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None
