"""Cross-cutting HTTP concerns: request ids for logs, the Content-Security-Policy, and 503
when a request lost its database connection."""

import logging
import re
import threading
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

_local = threading.local()
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return getattr(_local, "request_id", "-")


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs 4xx/5xx after the middleware has returned: take the id
        # from the request it attaches to the record.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class RequestIdMiddleware:
    """Take a sane X-Request-ID from the proxy or make one; echo it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        _local.request_id = request_id
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _local.request_id = "-"
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware:
    """Send the CSP on every response; the site's own pages use no inline scripts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


DATABASE_RETRY_AFTER_SECONDS = 5
db_logger = logging.getLogger("kohtaamo.database")


class DatabaseUnavailableMiddleware:
    """A view that loses its database connection (a restart, a fail-over, a terminated
    backend) answers 503 with Retry-After, not the generic error page: a page in the user's
    language that needs nothing from the database, or JSON for the API. The transaction was
    rolled back; the next request gets a fresh connection (CONN_HEALTH_CHECKS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable_response(request, exception)


def database_unavailable_response(request, exception) -> HttpResponse | None:
    """The 503 for a lost database connection, or None for any other error. Used by the
    middleware above (errors in views) and by handler500 (errors in other middleware, such
    as loading the session or the user)."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    db_logger.warning(
        "database unavailable during %s %s: %s",
        request.method,
        request.path,
        exception,
        extra={"outcome": "database_unavailable"},
    )
    if request.path.startswith("/api/"):
        message = gettext("The service is briefly unavailable. Try again in a few seconds.")
        response = JsonResponse({"detail": message}, status=503)
    else:
        retry = request.get_full_path() if request.method == "GET" else ""
        body = render_to_string("503.html", {"retry_path": retry})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
