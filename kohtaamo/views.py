import sys

from django.conf import settings
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as django_server_error

from .middleware import database_unavailable_response


def server_error(request):
    """handler500: a lost database connection anywhere (also in middleware, before any view
    runs) is the 503 with Retry-After; every other error is Django's own 500 page."""
    response = database_unavailable_response(request, sys.exc_info()[1])
    return response or django_server_error(request)


def about(request):
    return render(request, "about.html")


def privacy_notice(request):
    return render(
        request,
        "privacy.html",
        {
            "retention_months": settings.RETENTION_MONTHS,
            "answers_days": settings.ANSWERS_RETENTION_DAYS,
            "access_log_days": settings.ACCESS_LOG_RETENTION_DAYS,
            "privacy_contact": settings.PRIVACY_CONTACT_EMAIL,
        },
    )


HEALTHZ_STATEMENT_TIMEOUT_MS = 2000


@never_cache
def healthz(request):  # noqa: ARG001 - a view's signature
    """200 when the database answers, 503 when it does not (for load balancers).

    Bounded: connecting gives up after DB_CONNECT_TIMEOUT (settings), and on PostgreSQL the
    ping itself after HEALTHZ_STATEMENT_TIMEOUT_MS (SET LOCAL: this transaction only, the
    persistent connection keeps its own settings)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {HEALTHZ_STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
