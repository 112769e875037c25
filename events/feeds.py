"""iCalendar (RFC 5545) feeds and e-mailed invitations (RFC 5546) for events.

Pitfalls handled here (see docs/architecture.md, "Calendar feeds"):
- Europe/Helsinki is written as a VTIMEZONE with yearly RRULEs, never as icalendar's
  RDATE list (Thunderbird/Outlook get that wrong).
- UID and DTSTAMP are derived from the data, never random or `now()`, so two builds of an
  unchanged feed are byte-identical (and the ETag stays put).
- Durations are written as `vDuration` (a timedelta given to `add()` is serialised wrongly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, vCalAddress, vDuration, vText, vUri
from icalendar import Event as VEvent

from .models import Event, EventStatus, Registration, RegistrationStatus

PRODID = "-//Kohtaamo//Kohtaamo calendar 1.0//FI"
TZID = "Europe/Helsinki"
REFRESH = dt.timedelta(hours=6)
FEED_FORMAT_VERSION = 1  # raise when the generated text changes, so ETags change too

# Europe/Helsinki in the form every client understands: EET/EEST switching at 01:00 UTC on
# the last Sunday of March and of October (EU rule since 1981).
_HELSINKI_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Helsinki\r\n"
    "X-LIC-LOCATION:Europe/Helsinki\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0300\r\n"
    "TZNAME:EEST\r\n"
    "DTSTART:19700329T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0300\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:EET\r\n"
    "DTSTART:19701025T040000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kohtaamo"


def event_uid(event: Event) -> str:
    """The one UID of an event: the same in every feed, download and invitation."""
    return f"event-{event.pk}@{site_host()}"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def helsinki_vtimezone() -> Timezone:
    return Timezone.from_ical(_HELSINKI_VTIMEZONE)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(ZoneInfo(TZID)).replace(microsecond=0)


def _presenter_names(event: Event) -> list[str]:
    # Uses the prefetch cache when the selector prefetched presenters.
    return [p.name for p in event.presenters.all()]


def event_description(event: Event) -> str:
    """Plain-text description: theme, presenters, meeting link and the event page."""
    lines: list[str] = []
    if event.status == EventStatus.CANCELLED:
        lines.append(_("This event has been cancelled."))
    if event.theme_id and event.theme.title != event.display_title:
        lines.append(_("Theme: %(theme)s") % {"theme": event.theme.title})
    presenters = _presenter_names(event)
    if presenters:
        lines.append(_("Presenters: %(names)s") % {"names": ", ".join(presenters)})
    if event.description:
        lines.append("")
        lines.append(event.description.strip())
        lines.append("")
    if event.meeting_url:
        lines.append(_("Online meeting link: %(url)s") % {"url": event.meeting_url})
    if event.place:
        lines.append(_("Place: %(place)s") % {"place": event.place})
    lines.append(_("Event page: %(url)s") % {"url": absolute_url(event.get_absolute_url())})
    return "\n".join(lines).strip()


def event_location(event: Event) -> str:
    if event.place:
        return event.place
    if event.meeting_url:
        return _("Online: %(url)s") % {"url": event.meeting_url}
    return ""


def build_vevent(
    event: Event, *, summary_prefix: str = "", tentative: bool = False, stamp=None
) -> VEvent:
    """One VEVENT. Needs event.theme and event.presenters loaded (the selectors do it)."""
    vevent = VEvent()
    updated = _utc(event.updated_at)
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", _utc(stamp) if stamp else updated)
    vevent.add("last-modified", updated)
    vevent.add("created", _utc(event.created_at))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", _local(event.starts_at))
    vevent.add("dtend", _local(event.ends_at))
    vevent.add("summary", f"{summary_prefix}{event.display_title}")
    vevent.add("description", event_description(event))
    location = event_location(event)
    if location:
        vevent.add("location", location)
    page_url = absolute_url(event.get_absolute_url())
    vevent.add("url", vUri(page_url), parameters={"VALUE": "URI"})
    if event.meeting_url:
        vevent.add(
            "conference",
            vUri(event.meeting_url),
            parameters={
                "VALUE": "URI",
                "FEATURE": "VIDEO",
                "LABEL": _("Online meeting"),
            },
        )
    if event.status == EventStatus.CANCELLED:
        status = "CANCELLED"
    elif tentative:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    vevent.add("status", status)
    vevent.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    if event.language:
        vevent["summary"].params["LANGUAGE"] = event.language
    return vevent


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'kohtaamo@' + site_host()}")
    organizer.params["CN"] = vText(name or "Kohtaamo")
    return organizer


def _attendee(registration: Registration, method: str) -> vCalAddress:
    email = registration.email or (registration.user.email if registration.user_id else "")
    attendee = vCalAddress(f"mailto:{email}")
    name = registration.name or (registration.user.get_full_name() if registration.user_id else "")
    if name:
        attendee.params["CN"] = vText(name)
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    if method == "CANCEL" or registration.status == RegistrationStatus.CANCELLED:
        attendee.params["PARTSTAT"] = "DECLINED"
    elif registration.status == RegistrationStatus.WAITLISTED:
        attendee.params["PARTSTAT"] = "TENTATIVE"
    elif registration.status == RegistrationStatus.CONFIRMED:
        attendee.params["PARTSTAT"] = "ACCEPTED"
    else:
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    attendee.params["RSVP"] = "FALSE"
    return attendee


def invitation_ics(*, event: Event, method: str, registration: Registration) -> bytes:
    """An e-mail invitation for one registration (RFC 5546).

    `method` is "REQUEST" (registration confirmed, or the event changed: send it again, the
    SEQUENCE tells clients it is newer) or "CANCEL" (the event or this registration was
    cancelled: the entry leaves the person's calendar). Same UID as in the feeds.
    Rendered in the active language: call it inside the recipient's language.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unsupported iTIP method {method!r}")
    waitlisted = registration.status == RegistrationStatus.WAITLISTED
    prefix = _("[Waitlist] ") if waitlisted and method == "REQUEST" else ""
    # DTSTAMP orders messages with the same SEQUENCE: a registration cancelled after the
    # confirmation must look newer than it.
    stamp = event.updated_at
    if method == "CANCEL" and registration.cancelled_at and registration.cancelled_at > stamp:
        stamp = registration.cancelled_at
    vevent = build_vevent(event, summary_prefix=prefix, tentative=waitlisted, stamp=stamp)
    vevent.add("organizer", _organizer())
    vevent.add("attendee", _attendee(registration, method))
    if method == "CANCEL":
        vevent["status"] = vText("CANCELLED")
        vevent["transp"] = vText("TRANSPARENT")
    cal = _calendar_shell(method=method)
    cal.add_component(helsinki_vtimezone())
    cal.add_component(vevent)
    return cal.to_ical()


def _calendar_shell(*, method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def build_calendar(*, events: Iterable[Event], name: str, description: str) -> bytes:
    """A whole feed (METHOD:PUBLISH). Events annotated `on_waitlist` are marked as such."""
    cal = _calendar_shell(method="PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", description)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add("url", vUri(absolute_url(reverse("calendar:subscribe"))), parameters={"VALUE": "URI"})
    cal.add_component(helsinki_vtimezone())
    waitlist_prefix = _("[Waitlist] ")
    for event in events:
        waitlisted = bool(getattr(event, "on_waitlist", False))
        cal.add_component(
            build_vevent(
                event, summary_prefix=waitlist_prefix if waitlisted else "", tentative=waitlisted
            )
        )
    return cal.to_ical()


def single_event_ics(*, event: Event) -> bytes:
    """A download of one event. No calendar name: Outlook would open it as a new calendar."""
    cal = _calendar_shell(method="PUBLISH")
    cal.add_component(helsinki_vtimezone())
    cal.add_component(build_vevent(event))
    return cal.to_ical()


def feed_fingerprint(events: QuerySet[Event]) -> tuple:
    """What decides a feed's content, from ONE aggregate query on the feed's own queryset.

    Count and id sums catch events that left the feed (window, deletion, a cancelled
    registration); max(updated_at) and max(sequence) catch changes; the waitlist and
    cancellation sums catch status changes. Changes to related rows that do not touch the
    event (a theme or presenter renamed) are picked up by the date part within a day.
    """
    aggregates = {
        "n": Count("pk"),
        "updated": Max("updated_at"),
        "sequence": Max("sequence"),
        "ids": Sum("pk"),
        "cancelled": Sum("pk", filter=Q(status=EventStatus.CANCELLED)),
    }
    if "on_waitlist" in events.query.annotations:
        aggregates["waitlisted"] = Sum("pk", filter=Q(on_waitlist=True))
    row = events.aggregate(**aggregates)
    today = timezone.localdate()
    return (
        FEED_FORMAT_VERSION,
        today.isoformat(),
        *(row[key].isoformat() if hasattr(row[key], "isoformat") else row[key] for key in row),
    )


def personal_feed_url(user) -> str:
    return absolute_url(reverse("calendar:personal", kwargs={"token": user.calendar_token}))


def personal_feed_link(user) -> FeedLink:
    url = personal_feed_url(user)
    return FeedLink(https=url, webcal=webcal_url(url))


def network_feed_url(network) -> str:
    return absolute_url(
        reverse("calendar:network", kwargs={"slug": network.slug, "token": network.calendar_token})
    )


def network_feed_link(network) -> FeedLink:
    """For the network page, shown to active members only (the URL is the only secret)."""
    url = network_feed_url(network)
    return FeedLink(https=url, webcal=webcal_url(url))


@dataclass(frozen=True)
class FeedLink:
    """A feed's address for copying (https) and for one-click subscription (webcal)."""

    https: str
    webcal: str


def feed_link(url_name: str, *, language: str | None = None, **kwargs) -> FeedLink:
    url = absolute_url(reverse(url_name, kwargs=kwargs or None))
    if language:
        url = f"{url}?lang={language}"
    return FeedLink(https=url, webcal=webcal_url(url))


def webcal_url(url: str) -> str:
    """The same address with the webcal: scheme, which calendar apps open as a subscription."""
    return "webcal" + url[url.index(":") :]


def activate_language(code: str | None) -> str:
    """The language a feed is written in: `code` if supported, else the active one."""
    supported = {c for c, _label in settings.LANGUAGES}
    if code and code in supported:
        return code
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in supported else settings.LANGUAGE_CODE
