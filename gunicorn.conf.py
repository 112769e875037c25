"""gunicorn settings for Kohtaamo: `gunicorn kohtaamo.wsgi` reads this file from the cwd.

Every value can be changed with an environment variable (see docs/deploy.md):
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_ACCESS_LOG ("-" for stdout, a file path, or "off").
"""

import json
import multiprocessing
import os
import traceback
from datetime import UTC, datetime

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "kohtaamo.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
# Sync workers by default, chosen by measurement (make bench, scenario 2: 300 registrations
# at once for one event, 5 workers on 2 cores). Two runs: sync p50 2.8 / 3.3 s, p99 5.4 / 6.2 s;
# gthread × 4 p50 3.9 / 3.3 s, p99 7.4 / 5.6 s. The work is CPU- and lock-bound, so threads
# win nothing clear; sync keeps one request per process and the timeout meaningful.
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that a slow leak never takes a node down.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The proxy sets X-Forwarded-For/Proto; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = False

_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access == "off" else _access
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class JsonAccessLogger(Logger):
    """One JSON object per request (quoted properly, whatever the user agent holds).

    The request id is the X-Request-ID the Django middleware sent back, so the access
    line joins the application's own JSON log lines (LOG_FORMAT=json).
    """

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "name": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o", "-"),
            "remote": atoms.get("h"),
            "method": atoms.get("m"),
            "path": atoms.get("U"),
            "query": atoms.get("q"),
            "status": atoms.get("s"),
            "bytes": atoms.get("B"),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": atoms.get("a"),
        }
        try:
            self.access_log.info(json.dumps(line, default=str))
        except Exception:  # noqa: BLE001 - never let logging break a response
            self.error(traceback.format_exc())


logger_class = JsonAccessLogger
