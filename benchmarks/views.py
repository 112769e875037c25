"""The benchmark's own views: the denominator and the peer of the calendar feed."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

TRIVIAL_BODY = b"ok\n"


def trivial(_request: HttpRequest) -> HttpResponse:
    """A constant answer through the site's whole middleware stack: no query, no template."""
    return HttpResponse(TRIVIAL_BODY, content_type="text/plain; charset=utf-8")


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def signed_in_post(_request: Request) -> Response:
    """A constant answer to a signed-in API POST: the site's middleware, DRF's dispatch and the
    API's own token check, no query of its own. The floor under the registration burst."""
    return Response({"ok": True})


def icalendar_feed(_request: HttpRequest) -> HttpResponse:
    """The public feed's events and fields, built with icalendar's objects on every request.

    The peer of /calendar/events.ics: the same read (feed_items of calendar_feed_events),
    written the way most Django projects write a feed, with no stored entries and no cache.
    """
    # Imported here: the models load after django.setup() in the benchmark process.
    from events.calendars.feeds import absolute_url, feed_items, uid_for  # noqa: PLC0415
    from events.calendars.selectors import calendar_feed_events  # noqa: PLC0415

    calendar = Calendar()
    calendar.add("prodid", "-//Kohtaamo benchmark peer//icalendar//FI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Kohtaamo")
    stamp = timezone.now().astimezone(dt.UTC)
    for item in feed_items(calendar_feed_events()):
        entry = CalendarEvent()
        entry.add("uid", uid_for(item.pk))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", item.starts_at)
        entry.add("dtend", item.ends_at)
        entry.add("summary", item.title or item.theme_title or item.kind)
        entry.add("description", "\n".join(filter(None, [item.description, *item.presenters])))
        entry.add("url", absolute_url(f"/events/{item.pk}/"))
        entry.add("status", "CANCELLED" if item.status == "cancelled" else "CONFIRMED")
        entry.add("sequence", item.sequence)
        entry.add("last-modified", item.updated_at)
        calendar.add_component(entry)
    return HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
