"""Counts visits to the public event, theme and upcoming-list pages.

Why a middleware: the events app then needs to know nothing about reach (no import, no tag
in its templates); reach reads the URL names it counts, and a page that answers anything but
200 (a 404, a redirect) is not counted. Only the cache is touched, never the database.
"""

from __future__ import annotations

from . import services
from .models import TargetType

# URL name → (what is counted, the URL argument that names it; None: the one list)
COUNTED_PAGES = {
    "events:detail": (TargetType.EVENT, "pk"),
    "events:theme": (TargetType.THEME, "slug"),
    "events:list": (TargetType.UPCOMING, None),
}


class VisitCountingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        page = COUNTED_PAGES.get(match.view_name) if match else None
        if page is not None and response.status_code == 200:
            target_type, argument = page
            ident = match.kwargs[argument] if argument else 0
            services.count_visit(request, target_type=target_type, ident=ident)
        return response
