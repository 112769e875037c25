"""Reads of the archive pages."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ArchiveRequest

LIST_LIMIT = 50


def recent_archives() -> QuerySet[ArchiveRequest]:
    """The newest archive requests, with who asked for them."""
    return ArchiveRequest.objects.select_related("requested_by").order_by("-requested_at", "-pk")[
        :LIST_LIMIT
    ]
