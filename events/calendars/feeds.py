"""iCalendar (RFC 5545) feeds and e-mailed invitations (RFC 5546) for events.

The text is written here directly (content lines, TEXT escaping, CRLF, folding at 75
octets without splitting a UTF-8 letter): icalendar's object model took about 6 ms per
event, too slow for a feed of a thousand events. Tests parse every kind of output back with
icalendar, vobject and recurring-ical-events.

Pitfalls handled here (see docs/architecture.md, "Calendar feeds"):
- Europe/Helsinki is written as a VTIMEZONE with yearly RRULEs, never as an RDATE list
  (Thunderbird's ical.js and Outlook get that wrong).
- UID and DTSTAMP are derived from the data, never random or `now()`, so two builds of an
  unchanged feed are byte-identical (and the ETag stays put).
- Durations are written as `PT6H`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import secrets
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Case, F, FilteredRelation, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from psycopg.adapt import Loader
from psycopg.pq import Format

from outbox.services import enqueue

from ..models import (
    CalendarEntry,
    CalendarSpan,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from ..registration.rules import meeting_link
from . import packing
from .selectors import FEED_PAST

PRODID = "-//Kohtaamo//Kohtaamo calendar 1.0//FI"
# The settings' time zone, which the VTIMEZONE below describes (the county's own zone).
TZID = settings.TIME_ZONE
REFRESH = "PT6H"
# The pinned name of calendars.tasks.store_calendar_entries: the feed queues it through the
# outbox by name, so that building a feed does not import the tasks that call it.
STORE_ENTRIES_TASK = "events.tasks.store_calendar_entries"
STORE_SPANS_TASK = "events.tasks.store_calendar_spans"
# Raise when the generated text changes, so ETags and entries change. 4: the meeting link only
# where events/registration/rules.py allows it (never in public feeds for events that take
# registrations).
FEED_FORMAT_VERSION = 4
CRLF = "\r\n"

# Europe/Helsinki in the form every client understands: EET/EEST switching at 01:00 UTC on
# the last Sunday of March and of October (EU rule since 1981).
HELSINKI_VTIMEZONE = (
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

# Fields a feed needs, read with values(): no model instances for a thousand events.
ITEM_FIELDS = (
    "pk",
    "title",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "meeting_url",
    "place",
    "status",
    "registration_mode",
    "sequence",
    "language",
    "created_at",
    "updated_at",
    "theme__title",
)


# --- Content lines -----------------------------------------------------------------


def fold_text(line: str) -> str:
    """`fold` for text: ASCII lines (nearly all) are cut by slicing, without encoding."""
    if not line.isascii():
        return fold(line).decode("utf-8")
    if len(line) <= 75:
        return line + CRLF
    chunks = [line[:75]] + [line[i : i + 74] for i in range(75, len(line), 74)]
    return "\r\n ".join(chunks) + CRLF


def fold(line: str) -> bytes:
    """One content line, folded at 75 octets (continuations start with a space), CRLF."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return raw + b"\r\n"
    chunks: list[bytes] = []
    start, limit, size = 0, 75, len(raw)
    while start < size:
        end = min(start + limit, size)
        while end < size and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 letter
            end -= 1
        chunks.append(raw[start:end])
        start, limit = end, 74
    return b"\r\n ".join(chunks) + b"\r\n"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_OR_QUOTE = re.compile('[\x00-\x1f\x7f"]')


def _uri(value: str) -> str:
    return _CONTROL.sub("", value)


def _param(value: str) -> str:
    """A quoted parameter value (no DQUOTE or control characters allowed inside)."""
    return f'"{_CONTROL_OR_QUOTE.sub("", str(value))}"'


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: dt.datetime) -> str:
    return value.astimezone(timezone.get_default_timezone()).strftime("%Y%m%dT%H%M%S")


# --- URLs ----------------------------------------------------------------------------


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kohtaamo"


def event_uid(event: Event) -> str:
    """The one UID of an event: the same in every feed, download and invitation."""
    return uid_for(event.pk)


def uid_for(pk: int) -> str:
    return f"event-{pk}@{site_host()}"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _event_url_pattern() -> str:
    marker = 987654321
    return absolute_url(reverse("events:detail", kwargs={"pk": marker})).replace(
        str(marker), "{pk}"
    )


@dataclass(frozen=True)
class FeedLink:
    """A feed's address for copying (https) and for one-click subscription (webcal)."""

    https: str
    webcal: str


def webcal_url(url: str) -> str:
    """The same address with the webcal: scheme, which calendar apps open as a subscription."""
    return "webcal" + url[url.index(":") :]


def feed_link(url_name: str, *, language: str | None = None, **kwargs) -> FeedLink:
    url = absolute_url(reverse(url_name, kwargs=kwargs or None))
    if language:
        url = f"{url}?lang={language}"
    return FeedLink(https=url, webcal=webcal_url(url))


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


# --- Events as plain items -------------------------------------------------------------


@dataclass
class FeedItem:
    """What one VEVENT says, read from a values() row or from an Event.

    `my_status` is the status of the registration the entry is written for (a personal
    feed, an invitation), None in public and network feeds: the meeting link follows it.
    """

    pk: int
    title: str
    kind: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    meeting_url: str
    place: str
    status: str
    registration_mode: str
    sequence: int
    language: str
    created_at: dt.datetime
    updated_at: dt.datetime
    theme_title: str | None
    presenters: list[str] = field(default_factory=list)
    on_waitlist: bool = False
    my_status: str | None = None


def item_from_event(event: Event) -> FeedItem:
    return FeedItem(
        pk=event.pk,
        title=event.title,
        kind=event.kind,
        description=event.description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        meeting_url=event.meeting_url,
        place=event.place,
        status=event.status,
        registration_mode=event.registration_mode,
        sequence=event.sequence,
        language=event.language,
        created_at=event.created_at,
        updated_at=event.updated_at,
        theme_title=event.theme.title if event.theme_id else None,
        presenters=[p.name for p in event.presenters.all()],
        on_waitlist=bool(getattr(event, "on_waitlist", False)),
        my_status=getattr(event, "my_status", None),
    )


def feed_items(events: QuerySet[Event]) -> list[FeedItem]:
    """The feed's events as items: two queries whatever their number."""
    extra = [name for name in ("on_waitlist", "my_status") if name in events.query.annotations]
    fields = [*ITEM_FIELDS, *extra]
    rows = events.prefetch_related(None).values(*fields)
    items: dict[int, FeedItem] = {}
    for row in rows:
        row["theme_title"] = row.pop("theme__title")
        items[row["pk"]] = FeedItem(**row)
    if items:
        through = Event.presenters.through.objects.filter(
            event__in=events.prefetch_related(None).values("pk")
        ).order_by("presenter__name", "presenter_id")
        for event_id, name in through.values_list("event_id", "presenter__name"):
            if event_id in items:
                items[event_id].presenters.append(name)
    return list(items.values())


# --- Writing ---------------------------------------------------------------------------


class _Texts:
    """Translated fixed texts, looked up once per build (in the active language)."""

    def __init__(self) -> None:
        self.cancelled = _("This event has been cancelled.")
        self.theme = _("Theme: %(theme)s")
        self.presenters = _("Presenters: %(names)s")
        self.meeting = _("Online meeting link: %(url)s")
        self.place = _("Place: %(place)s")
        self.page = _("Event page: %(url)s")
        self.online = _("Online: %(url)s")
        self.meeting_label = _("Online meeting")
        self.waitlist = _("[Waitlist] ")
        self.kinds = {value: str(label) for value, label in EventKind.choices}
        self.event_url = _event_url_pattern()
        self.host = site_host()
        # Everything an entry's text depends on besides its event: a stored entry written
        # under another layout (a new release, another site address) is written again.
        self.layout = hashlib.sha256(
            repr((FEED_FORMAT_VERSION, sorted(vars(self).items()))).encode()
        ).hexdigest()[:16]


_TEXTS_HERE: dict[tuple[str, str], _Texts] = {}


def _texts_here() -> _Texts:
    """This process's _Texts for the active language and site address (a build's fixed
    texts do not change while the process runs; looking them up is a tenth of a build)."""
    key = (translation.get_language() or settings.LANGUAGE_CODE, settings.SITE_URL)
    texts = _TEXTS_HERE.get(key)
    if texts is None:
        texts = _TEXTS_HERE[key] = _Texts()
    return texts


def _title(item: FeedItem, texts: _Texts) -> str:
    return item.title or item.theme_title or texts.kinds.get(item.kind, item.kind)


def _description(item: FeedItem, texts: _Texts, page_url: str, link: str | None) -> str:
    lines: list[str] = []
    if item.status == EventStatus.CANCELLED:
        lines.append(texts.cancelled)
    title = _title(item, texts)
    if item.theme_title and item.theme_title != title:
        lines.append(texts.theme % {"theme": item.theme_title})
    if item.presenters:
        lines.append(texts.presenters % {"names": ", ".join(item.presenters)})
    if item.description:
        lines.extend(["", item.description.strip(), ""])
    if link:
        lines.append(texts.meeting % {"url": link})
    if item.place:
        lines.append(texts.place % {"place": item.place})
    lines.append(texts.page % {"url": page_url})
    return "\n".join(lines).strip()


def _vevent(
    item: FeedItem,
    texts: _Texts,
    *,
    stamp: dt.datetime | None = None,
    status: str | None = None,
    extra: Iterable[str] = (),
    person=None,
) -> str:
    """One VEVENT as folded text. The meeting link (LOCATION, DESCRIPTION, CONFERENCE) only
    if events/registration/rules.py lets the item's registration (or `person`) see it."""
    waitlisted = item.on_waitlist
    link = meeting_link(event=item, person=person, registration=item.my_status)
    if status is None:
        if item.status == EventStatus.CANCELLED:
            status = "CANCELLED"
        else:
            status = "TENTATIVE" if waitlisted else "CONFIRMED"
    page_url = texts.event_url.format(pk=item.pk)
    modified = _utc(item.updated_at)
    summary = f"{texts.waitlist if waitlisted else ''}{_title(item, texts)}"
    location = item.place or (texts.online % {"url": link} if link else "")
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{item.pk}@{texts.host}",
        f"DTSTAMP:{_utc(stamp) if stamp else modified}",
        f"CREATED:{_utc(item.created_at)}",
        f"LAST-MODIFIED:{modified}",
        f"SEQUENCE:{item.sequence}",
        f"DTSTART;TZID={TZID}:{_local(item.starts_at)}",
        f"DTEND;TZID={TZID}:{_local(item.ends_at)}",
        f"SUMMARY;LANGUAGE={item.language or 'fi'}:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(_description(item, texts, page_url, link))}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"URL;VALUE=URI:{_uri(page_url)}")
    if link:
        lines.append(
            f"CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL={_param(texts.meeting_label)}:{_uri(link)}"
        )
    lines.append(f"STATUS:{status}")
    lines.append(f"TRANSP:{'TRANSPARENT' if status == 'CANCELLED' else 'OPAQUE'}")
    lines.extend(extra)
    lines.append("END:VEVENT")
    return "".join(fold_text(line) for line in lines)


def _header(method: str) -> list[str]:
    return [
        fold_text(line)
        for line in (
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            f"METHOD:{method}",
        )
    ]


def _calendar_head(name: str, description: str) -> list[str]:
    parts = _header("PUBLISH")
    parts.extend(
        fold_text(line)
        for line in (
            f"NAME:{escape_text(name)}",
            f"X-WR-CALNAME:{escape_text(name)}",
            f"DESCRIPTION:{escape_text(description)}",
            f"X-WR-CALDESC:{escape_text(description)}",
            f"X-WR-TIMEZONE:{TZID}",
            f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
            f"X-PUBLISHED-TTL:{REFRESH}",
            f"URL;VALUE=URI:{absolute_url(reverse('calendar:subscribe'))}",
        )
    )
    parts.append(HELSINKI_VTIMEZONE)
    return parts


def build_calendar(*, events: Iterable[FeedItem | Event], name: str, description: str) -> bytes:
    """A whole feed (METHOD:PUBLISH), in the active language. Waitlisted items are marked."""
    texts = _Texts()
    parts = _calendar_head(name, description)
    for event in events:
        item = event if isinstance(event, FeedItem) else item_from_event(event)
        parts.append(_vevent(item, texts))
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


def single_event_ics(
    *, event: Event, person=None, registration: Registration | None = None
) -> bytes:
    """A download of one event. No calendar name: Outlook would open it as a new calendar.

    With the meeting link only if `person` (with their `registration`) may see it.
    """
    item = item_from_event(event)
    if registration is not None and registration.event_id == event.pk:
        item.my_status = registration.status
    parts = _header("PUBLISH")
    parts.append(HELSINKI_VTIMEZONE)
    parts.append(_vevent(item, _Texts(), person=person))
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


# --- Invitations (iTIP) ------------------------------------------------------------------


def _organizer() -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = address or f"kohtaamo@{site_host()}"
    return f"ORGANIZER;CN={_param(name or 'Kohtaamo')}:mailto:{_uri(address)}"


def _attendee(registration: Registration, method: str) -> str:
    email = registration.email or (registration.user.email if registration.user_id else "")
    name = registration.name or (registration.user.get_full_name() if registration.user_id else "")
    if method == "CANCEL" or registration.status == RegistrationStatus.CANCELLED:
        partstat = "DECLINED"
    elif registration.status == RegistrationStatus.WAITLISTED:
        partstat = "TENTATIVE"
    elif registration.status == RegistrationStatus.CONFIRMED:
        partstat = "ACCEPTED"
    else:
        partstat = "NEEDS-ACTION"
    cn = f";CN={_param(name)}" if name else ""
    return (
        f"ATTENDEE{cn};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=FALSE:"
        f"mailto:{_uri(email)}"
    )


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
    item = item_from_event(event)
    item.on_waitlist = registration.status == RegistrationStatus.WAITLISTED and method == "REQUEST"
    item.my_status = registration.status  # the link only for a confirmed registration
    # DTSTAMP orders messages with the same SEQUENCE: a registration cancelled after the
    # confirmation must look newer than it.
    stamp = event.updated_at
    if method == "CANCEL" and registration.cancelled_at and registration.cancelled_at > stamp:
        stamp = registration.cancelled_at
    parts = _header(method)
    parts.append(HELSINKI_VTIMEZONE)
    parts.append(
        _vevent(
            item,
            _Texts(),
            stamp=stamp,
            status="CANCELLED" if method == "CANCEL" else None,
            extra=(_organizer(), _attendee(registration, method)),
        )
    )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


# --- Stored entries ------------------------------------------------------------------------


def entry_hash(entry: bytes) -> bytes:
    """The digest an entry's bytes are stored with (CalendarEntry.text_hash and siblings)."""
    return hashlib.sha256(entry).digest()[:16]


# Which stored variant of an event's entry a personal feed reads, by the person's registration
# status: the waitlisted one, or the confirmed one (with the meeting link; stored only where
# it differs), else the public one, which is also all that public and network feeds read.
# The one home of that rule: the ORM's expression (_variant) and PostgreSQL's statement
# (_personal_variant_sql) are both built from it. Each pair: (text column, digest column).
_PUBLIC_VARIANT = ("text", "text_hash")
_VARIANT_OF_STATUS = {
    RegistrationStatus.WAITLISTED: ("waitlisted_text", "waitlisted_hash"),
    RegistrationStatus.CONFIRMED: ("confirmed_text", "confirmed_hash"),
}
_TEXT, _DIGEST = 0, 1


def _variant(events: QuerySet[Event], prefix: str, part: int):
    """The stored column (`part`: _TEXT or _DIGEST) a feed of `events` reads, as an ORM
    expression over the entry joined as `prefix`."""
    public = F(prefix + _PUBLIC_VARIANT[part])
    if "my_status" not in events.query.annotations:
        return public
    return Case(
        *(
            When(my_status=status, then=Coalesce(F(prefix + columns[part]), public))
            for status, columns in _VARIANT_OF_STATUS.items()
        ),
        default=public,
    )


def _personal_variant_sql(part: int) -> tuple[str, list]:
    """The same choice in PostgreSQL's feed statement (entry `ce`, the person's status
    `u.status`), and its parameters."""
    public = f"ce.{_PUBLIC_VARIANT[part]}"
    whens = "".join(
        f"WHEN u.status = %s THEN COALESCE(ce.{columns[part]}, {public}) "
        for columns in _VARIANT_OF_STATUS.values()
    )
    return f"CASE {whens}ELSE {public} END", list(_VARIANT_OF_STATUS)


def _with_entries(events: QuerySet[Event], language: str, layout: str) -> QuerySet[Event]:
    """The events annotated `entry`: their stored text in `language` if it was written for
    the event as it is now (its `updated_at`) and in this layout, else None; and
    `entry_hash`, its digest.

    The variant follows the feed's person (`my_status`, a personal feed): waitlisted, or
    confirmed (with the meeting link, `confirmed_text`, where it differs); public and
    network feeds read `text`, which never holds a link that events/registration/rules.py
    keeps from them.

    A join, not a subquery per event: one calendar entry per event and language, so no
    event is repeated. (PostgreSQL reads the entries with _POSTGRES_FEED instead.)
    """
    current = FilteredRelation(
        "calendar_entries",
        condition=Q(
            calendar_entries__language=language,
            calendar_entries__layout=layout,
            calendar_entries__rendered_for=F("updated_at"),
        ),
    )
    events = events.prefetch_related(None).annotate(current_entry=current)
    return events.annotate(
        entry=_variant(events, "current_entry__", _TEXT),
        entry_hash=_variant(events, "current_entry__", _DIGEST),
    )


@dataclass(frozen=True)
class BuiltFeed:
    body: bytes  # plain, or gzip when `gzipped`
    etag: str  # the plain body's, whichever was built
    gzipped: bool = False


FEED_END = b"END:VCALENDAR\r\n"
_END_PIECE = packing.Piece.of(FEED_END)
# An event without a current entry, in a body joined by PostgreSQL: a line of its own
# ("#<event id>"), which no entry can hold (each of their lines starts with a property name
# or, folded, a space; values have no raw line breaks), replaced by the entry written here.
_PLACEHOLDER = re.compile(rb"(?<![^\n])#(\d+)\r\n")  # at the start of a line or of a month
_NO_HASH = bytes(16)  # the digest's place for such an event
_EPOCH_2000 = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # PostgreSQL's
_MICROSECOND = dt.timedelta(microseconds=1)
# Stored spans not written again for this long are deleted (prune_entries): one that is
# still current is simply stored again after the next build.
SPAN_KEPT = dt.timedelta(days=7)


def _etag(head: bytes, hashes: Iterable[bytes]) -> str:
    """A strong ETag of the body head + entries + FEED_END, from the entries' digests."""
    digest = hashlib.sha256(head)
    digest.update(b"".join(hashes))
    digest.update(FEED_END)
    return f'"{digest.hexdigest()[:40]}"'


@dataclass
class _Month:
    """A month of a feed: its events are consecutive in feed order (ordered by start)."""

    text: bytes | None  # the entries joined (None when only the stored gzip piece was read)
    hashes: bytes  # each entry's 16-byte digest, in order
    piece: packing.Piece | None = None  # the stored span's gzip piece
    missing: int = 0  # PostgreSQL's placeholders for events without a current entry
    unstored: list[int] | None = None  # its events, when it has no stored span


def month_of(starts_at: dt.datetime) -> tuple[int, int]:
    """The month a feed groups an event in (UTC, as the database's date_trunc below)."""
    utc = starts_at.astimezone(dt.UTC)
    return utc.year, utc.month


def members_digest(members: Iterable[tuple[int, dt.datetime]]) -> bytes:
    """What a span is found by: its events' ids and `updated_at`, in feed order (the digest
    _POSTGRES_FEED works out from PostgreSQL's binary forms of both: int8 and microseconds
    since 2000)."""
    packed = b"".join(
        struct.pack(">qq", pk, (stamp - _EPOCH_2000) // _MICROSECOND) for pk, stamp in members
    )
    return hashlib.md5(packed, usedforsecurity=False).digest()


def feed_body(events: QuerySet[Event], *, name: str, description: str) -> bytes:
    """A whole feed in the active language, joined from the events' stored entries."""
    return build_feed(events, name=name, description=description).body


FeedEvents = QuerySet[Event] | Callable[[], QuerySet[Event]]


def build_feed(
    events: FeedEvents,
    *,
    name: str,
    description: str,
    gzipped: bool = False,
    statement_key: tuple | None = None,
) -> BuiltFeed:
    """A whole feed in the active language, plain or gzip, and its ETag.

    One query reads the feed's events with their stored text, a month at a time: a month
    whose events are exactly those of a stored span (CalendarSpan, found by its members'
    digest) comes from the span, already joined and compressed; any other month is joined
    from its events' entries. Events without a current entry (new, changed, or a new layout)
    are written here from two more queries; storing them, and the months joined from
    entries, is queued for after the request, so a feed's query count never depends on its
    size. Gives the same text as `build_calendar` over the same events, and the same bytes
    whichever way each month was read.

    The ETag is a SHA-256 over the head and the entries' stored digests (an entry written
    here is hashed here), so it follows the body's bytes without hashing megabytes.
    On PostgreSQL the database joins the entries (_postgres_months); elsewhere they are read
    as rows.

    `events` may be a function giving the QuerySet: with a `statement_key` (which must name
    one QuerySet: the feed, its clock's minute, events/calendars/selectors.feed_now) the
    worker keeps the feed's compiled statement, and the QuerySet is built only when needed.
    """
    texts = _texts_here()
    language = translation.get_language() or settings.LANGUAGE_CODE
    head = "".join(_calendar_head(name, description)).encode()
    events = _Lazy(events)
    months = None
    if connections[events.db].vendor == "postgresql":
        months = _postgres_months(
            events, language, texts.layout, gzipped=gzipped, statement_key=statement_key
        )
        if months is not None:
            _write_placeholders(events, months, language, texts)
    if months is None:
        months = _months_from_rows(events.get(), language=language, texts=texts)
    _queue_spans([month.unstored for month in months if month.unstored], language)
    etag = _etag(head, [month.hashes for month in months])
    if not gzipped:
        return BuiltFeed(b"".join([head, *(month.text for month in months), FEED_END]), etag)
    joiner = packing.GzipJoiner()
    joiner.add(_head_piece(head))  # each compressed once per worker
    for month in months:
        if month.piece is not None:
            joiner.add(month.piece)
        else:
            joiner.add_plain(month.text)
    joiner.add(_END_PIECE)
    return BuiltFeed(joiner.finish(), etag, gzipped=True)


@functools.lru_cache(maxsize=256)
def _head_piece(head: bytes) -> packing.Piece:
    """A feed head compressed once per worker (a head per feed, language and name)."""
    return packing.Piece.of(head)


def _write_missing(events: QuerySet[Event], missing: list[int], language: str, texts: _Texts):
    written = {
        item.pk: _vevent(item, texts).encode() for item in feed_items(events.filter(pk__in=missing))
    }
    _queue_storing(missing, language)
    return written


def _months_from_rows(events: QuerySet[Event], *, language: str, texts: _Texts) -> list[_Month]:
    rows = list(
        _with_entries(events, language, texts.layout).values_list(
            "pk", "starts_at", "entry", "entry_hash"
        )
    )
    missing = [pk for pk, _starts, entry, _hash in rows if entry is None]
    written = _write_missing(events, missing, language, texts) if missing else {}
    months: list[_Month] = []
    for _month, in_month in itertools.groupby(rows, key=lambda row: month_of(row[1])):
        entries: list[bytes] = []
        hashes: list[bytes] = []
        for pk, _starts, stored, stored_hash in in_month:
            if stored is None:  # an event that left the feed between the two reads is left out
                entry = written.get(pk, b"")
                digest = entry_hash(entry)
            else:
                entry = stored.encode() if isinstance(stored, str) else stored
                digest = bytes(stored_hash)
            entries.append(entry)
            hashes.append(digest)
        months.append(_Month(b"".join(entries), b"".join(hashes)))
    return months


def _write_placeholders(events: _Lazy, months: list[_Month], language: str, texts: _Texts) -> None:
    """Write the entries PostgreSQL had none for, in place of their placeholders (the
    QuerySet is built only then: a feed read from its compiled statement needs none)."""
    found = {
        index: [int(pk) for pk in _PLACEHOLDER.findall(month.text)]
        for index, month in enumerate(months)
        if month.missing
    }
    if not found:
        return
    all_missing = [pk for ids in found.values() for pk in ids]
    written = _write_missing(events.get(), all_missing, language, texts)
    for index, ids in found.items():
        month = months[index]
        month.text = _PLACEHOLDER.sub(lambda match: written.get(int(match[1]), b""), month.text)
        later = iter(ids)
        month.hashes = b"".join(
            entry_hash(written.get(next(later), b"")) if digest == _NO_HASH else digest
            for digest in (month.hashes[i : i + 16] for i in range(0, len(month.hashes), 16))
        )
        month.unstored = None  # stored once its entries are (the next build queues it)


# The feed's events in order (start time, then id), a row per month; per month the digest of
# its members, the stored span with those members if there is one, and otherwise its
# entries joined in order by the database, their digests and how many have no current
# entry. The aggregates take the rows in the sorted subquery's order (a GroupAggregate over
# presorted input: one sort, not one per aggregate and month). Index lookups through the
# entries' (event, language) key: no hash of megabytes of text, no sort of wide rows; a
# month read from its span takes one lookup.
_POSTGRES_FEED = """
SELECT sp.hashes, {span_text}, {span_piece}, agg.body, agg.hashes, agg.missing,
       CASE WHEN sp.id IS NULL THEN g.ids END
FROM (
  SELECT s.month,
         array_agg(s.pk) AS ids,
         array_agg(s.stamp) AS stamps{status_array},
         decode(md5(string_agg(int8send(s.pk::bigint) || timestamptz_send(s.stamp), ''::bytea)),
                'hex') AS members
  FROM (
    SELECT t.pk, t.stamp{status_select}, date_trunc('month', t.starts AT TIME ZONE 'UTC') AS month
    FROM ({events}) AS t({columns})
    ORDER BY month, t.starts, t.pk
  ) AS s
  GROUP BY s.month
) AS g
LEFT JOIN {spans} AS sp
  ON {use_spans} AND sp.language = %s AND sp.layout = %s AND sp.members = g.members
CROSS JOIN LATERAL (
  SELECT string_agg(COALESCE({entry}, '#' || u.id || E'\\r\\n'), '' ORDER BY u.ord) AS body,
         string_agg(COALESCE({digest}, %s), ''::bytea ORDER BY u.ord) AS hashes,
         count(*) - count({entry}) AS missing
  FROM unnest(g.ids, g.stamps{status_unnest}) WITH ORDINALITY AS u(id, stamp{status_column}, ord)
  LEFT JOIN {entries} AS ce
    ON ce.event_id = u.id AND ce.language = %s AND ce.layout = %s AND ce.rendered_for = u.stamp
  WHERE sp.id IS NULL
) AS agg
ORDER BY g.month
"""


class _Lazy:
    """A feed's QuerySet, built on the first `get()` (or given as it is)."""

    def __init__(self, events: FeedEvents) -> None:
        self._events = events if isinstance(events, QuerySet) else None
        self._build = None if isinstance(events, QuerySet) else events

    @property
    def db(self) -> str:
        """The given QuerySet's database; a built one reads where Event's queries do."""
        return self._events.db if self._events is not None else Event.objects.db

    def get(self) -> QuerySet[Event]:
        if self._events is None:
            self._events = self._build()
        return self._events


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: list
    personal: bool


class _Statements:
    """The feeds' compiled statements in this worker, by statement key (feed, language,
    layout, gzip, minute): building and compiling the QuerySet cost about as much as the
    database's whole answer at 1,000 events. Bounded: emptied when full (a key lives a
    minute)."""

    limit = 256
    kept: dict[tuple, _Statement] = {}  # one per process

    @classmethod
    def get(cls, key: tuple | None) -> _Statement | None:
        return None if key is None else cls.kept.get(key)

    @classmethod
    def put(cls, key: tuple | None, statement: _Statement) -> None:
        if key is None:
            return
        if len(cls.kept) >= cls.limit:
            cls.kept.clear()
        cls.kept[key] = statement


def _postgres_months(
    events: _Lazy, language: str, layout: str, *, gzipped: bool, statement_key: tuple | None
):
    """The feed's months joined by PostgreSQL, or None for a QuerySet not ordered by start
    time and id, as feeds are (then the rows are read instead)."""
    key = None if statement_key is None else (*statement_key, language, layout, gzipped)
    statement = _Statements.get(key)
    if statement is None:
        statement = _feed_statement(events.get(), language, layout, gzipped=gzipped)
        if statement is None:
            return None
        _Statements.put(key, statement)
    with _binary_cursor(connections[events.db]) as cursor:
        cursor.execute(statement.sql, statement.params)
        rows = cursor.fetchall()
    return [_month_from_row(row, personal=statement.personal) for row in rows]


def _feed_statement(
    events: QuerySet[Event], language: str, layout: str, *, gzipped: bool
) -> _Statement | None:
    if list(events.query.order_by) not in (["starts_at", "pk"], ["starts_at", "id"]):
        return None
    personal = "my_status" in events.query.annotations
    fields = ["pk", "updated_at", *(["my_status"] if personal else []), "starts_at"]
    unordered = events.prefetch_related(None).order_by().values_list(*fields)
    inner, inner_params = unordered.query.sql_with_params()
    entry, digest = (f"ce.{column}" for column in _PUBLIC_VARIANT)
    variant_params: list = []
    if personal:
        entry, variant_params = _personal_variant_sql(_TEXT)
        digest, _same = _personal_variant_sql(_DIGEST)
    quote = connections[events.db].ops.quote_name
    sql = _POSTGRES_FEED.format(
        entries=quote(CalendarEntry._meta.db_table),
        spans=quote(CalendarSpan._meta.db_table),
        # Spans hold public entries: a personal feed is joined from its entries.
        use_spans="FALSE" if personal else "TRUE",
        span_text="NULL::text" if gzipped else "sp.text",
        span_piece="sp.deflated, sp.crc, sp.size, sp.shift" if gzipped else "NULL, 0, 0, 0",
        events=inner,
        columns="pk, stamp, status, starts" if personal else "pk, stamp, starts",
        status_array=", array_agg(s.status) AS statuses" if personal else "",
        status_select=", t.status" if personal else "",
        status_unnest=", g.statuses" if personal else "",
        status_column=", status" if personal else "",
        entry=entry,
        digest=digest,
    )
    # The entry expression appears twice (the body and the count), the digest once.
    params = [
        *inner_params,
        language,
        layout,
        *variant_params,
        *variant_params,
        _NO_HASH,
        *variant_params,
        language,
        layout,
    ]
    return _Statement(sql, params, personal)


class _FeedCursor(psycopg.Cursor):
    """Parameters bound by the server, the statement prepared once per connection (planning
    the feed's query costs about as much as running it at 1,000 events), and results in
    PostgreSQL's binary format: a bytea (the stored gzip pieces and digests) as bytes, not
    hex text to decode, text as its UTF-8 bytes."""

    def execute(self, query, params=None, *, prepare=True, binary=True):
        return super().execute(query, params, prepare=prepare, binary=binary)


def _binary_cursor(connection):
    """A _FeedCursor, wrapped as Django wraps its own cursors (Django's bind parameters in the
    client and take text results), so it is counted, logged and its errors translated like
    any other query."""
    connection.ensure_connection()
    cursor = _FeedCursor(connection.connection)
    cursor.adapters.register_loader("text", _Utf8Bytes)
    return connection._prepare_cursor(cursor)  # as connection.cursor() does


def _month_from_row(row: tuple, *, personal: bool) -> _Month:
    span_hashes, span_text, deflated, crc, size, shift, body, hashes, missing, ids = row
    if span_hashes is None:  # joined from its entries: its span can be stored (public feeds)
        return _Month(body, bytes(hashes), missing=missing, unstored=None if personal else ids)
    piece = packing.Piece(bytes(deflated), crc, size, shift) if deflated is not None else None
    return _Month(span_text, bytes(span_hashes), piece=piece)


class _Utf8Bytes(Loader):
    """Text as the UTF-8 bytes PostgreSQL sends (the database's encoding is UTF8): decoding
    ~10 MB and encoding it again would cost more than the query's own work."""

    format = Format.BINARY

    def load(self, data) -> bytes:
        return bytes(data)


def _queue_storing(event_ids: list[int], language: str) -> None:
    """An outbox row (stored entries are replaced by the current text, so a repeat is
    harmless): one per event set, language and minute, so a burst of requests for a feed
    stores its entries once while a later change is stored again."""
    ids = sorted(event_ids)
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:24]
    minute = timezone.now().strftime("%Y%m%dT%H%M")
    key = f"calendar-entries:{language}:{digest}:{minute}"
    enqueue(task=STORE_ENTRIES_TASK, args=[ids, language], key=key)


def _queue_spans(months: list[list[int]], language: str) -> None:
    """An outbox row for storing the spans of months a build joined from entries (once per
    set of months, language and minute, as _queue_storing)."""
    if not months:
        return
    digest = hashlib.sha256(repr(months).encode()).hexdigest()[:24]
    minute = timezone.now().strftime("%Y%m%dT%H%M")
    key = f"calendar-spans:{language}:{digest}:{minute}"
    enqueue(task=STORE_SPANS_TASK, args=[months, language], key=key)


def store_spans(months: Iterable[list[int]], language: str) -> int:
    """Join and store the spans of these months of a feed (each its event ids in feed order),
    from their current entries in `language`; a month with an event changed or without a
    current entry since is left out (a later build queues it again). Idempotent."""
    months = [list(month) for month in months]
    ids = {pk for month in months for pk in month}
    with translation.override(language):
        layout = _Texts().layout
    stamps = dict(Event.objects.filter(pk__in=ids).values_list("pk", "updated_at"))
    entries = {
        entry.event_id: entry
        for entry in CalendarEntry.objects.filter(
            event_id__in=ids, language=language, layout=layout
        ).only("event_id", "rendered_for", "text", "text_hash")
    }
    spans = []
    for month in months:
        if not all(pk in entries and entries[pk].rendered_for == stamps.get(pk) for pk in month):
            continue
        text = "".join(entries[pk].text for pk in month)
        piece = packing.Piece.of(text.encode())
        spans.append(
            CalendarSpan(
                language=language,
                layout=layout,
                members=members_digest((pk, stamps[pk]) for pk in month),
                text=text,
                hashes=b"".join(bytes(entries[pk].text_hash) for pk in month),
                deflated=piece.deflated,
                crc=piece.crc,
                size=piece.size,
                shift=piece.shift,
            )
        )
    CalendarSpan.objects.bulk_create(
        spans,
        update_conflicts=True,
        unique_fields=["language", "layout", "members"],
        update_fields=["stored_at"],  # the same members give the same text
    )
    return len(spans)


def feed_months(events: QuerySet[Event]) -> list[list[int]]:
    """The feed's events by month, as a build groups them (for storing their spans)."""
    rows = events.prefetch_related(None).values_list("pk", "starts_at")
    return [
        [pk for pk, _starts in in_month]
        for _month, in_month in itertools.groupby(rows, key=lambda row: month_of(row[1]))
    ]


def _variants(item: FeedItem, texts: _Texts) -> tuple[str, str | None, str]:
    """An event's entry for public feeds, for a confirmed person (None when it is the same:
    no link to add) and for a waitlisted one."""
    item.on_waitlist, item.my_status = False, None
    public = _vevent(item, texts)
    item.my_status = RegistrationStatus.CONFIRMED
    confirmed = _vevent(item, texts)
    item.on_waitlist, item.my_status = True, RegistrationStatus.WAITLISTED
    waitlisted = _vevent(item, texts)
    return public, (None if confirmed == public else confirmed), waitlisted


def store_entries(event_ids: Iterable[int], language: str) -> int:
    """Write and store the entries of these events in `language` (all three variants).

    Idempotent: an entry is replaced by the current text. Rows are written in event order, so
    two workers storing the same events never deadlock.
    """
    with translation.override(language):
        texts = _Texts()
        items = feed_items(Event.objects.filter(pk__in=list(event_ids)).order_by("pk"))
        entries = []
        for item in items:
            text, confirmed_text, waitlisted_text = _variants(item, texts)
            entries.append(
                CalendarEntry(
                    event_id=item.pk,
                    language=language,
                    layout=texts.layout,
                    rendered_for=item.updated_at,
                    text=text,
                    confirmed_text=confirmed_text,
                    waitlisted_text=waitlisted_text,
                    text_hash=entry_hash(text.encode()),
                    confirmed_hash=(
                        None if confirmed_text is None else entry_hash(confirmed_text.encode())
                    ),
                    waitlisted_hash=entry_hash(waitlisted_text.encode()),
                )
            )
    CalendarEntry.objects.bulk_create(
        entries,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["event", "language"],
        update_fields=[
            "layout",
            "rendered_for",
            "text",
            "confirmed_text",
            "waitlisted_text",
            "text_hash",
            "confirmed_hash",
            "waitlisted_hash",
        ],
    )
    return len(entries)


def current_layouts() -> dict[str, str]:
    """The layout an entry is written in now, per language."""
    layouts = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            layouts[code] = _Texts().layout
    return layouts


def prune_entries(now: dt.datetime | None = None) -> int:
    """Delete the entries of events that have left every feed's window for good, and every
    entry written in another layout (an older release: never read again, and it may hold
    text, such as a meeting link, that the current layout leaves out).

    Feeds show the past `FEED_PAST` (events/selectors.py); an older event's entry is never
    read again unless the event is moved, and then it is written again anyway. Spans go
    with their layout, or `SPAN_KEPT` after they were last stored.
    """
    before = (now or timezone.now()) - FEED_PAST
    current = Q()
    for language, layout in current_layouts().items():
        current |= Q(language=language, layout=layout)
    deleted, _by_model = CalendarEntry.objects.filter(
        Q(event__starts_at__lt=before) | ~current
    ).delete()
    spans, _by_model = CalendarSpan.objects.filter(
        Q(stored_at__lt=(now or timezone.now()) - SPAN_KEPT) | ~current
    ).delete()
    return deleted + spans


# --- Changes --------------------------------------------------------------------------------

GENERATION_KEY = "calendar-feed:generation"


def feed_generation() -> str:
    """A token that changes whenever something a feed shows may have changed (see below).

    Remembered feed versions are trusted only under the token they were built under.
    """
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(8)
        cache.add(GENERATION_KEY, generation, None)
    return generation


class _ChangesHere:
    """How many feed changes this process made: its workers' short memo drops at once."""

    count = 0


def local_changes() -> int:
    return _ChangesHere.count


def _new_generation() -> None:
    _ChangesHere.count += 1
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)


def feeds_changed() -> None:
    """Something a feed shows changed: remembered feed versions are no longer trusted.

    Called now and again after the transaction commits: a request that read the old token
    before the commit may remember an old version under it, the second change drops that.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def events_text_changed(events: QuerySet[Event]) -> int:
    """Text shown in these events changed elsewhere (a theme or presenter renamed).

    Their `updated_at` moves, so their feed entries are written again and LAST-MODIFIED tells
    calendar clients. Cancelled events without a cancellation time are left alone: their
    place in the feeds is decided by `updated_at` (events/selectors.calendar_feed_events).
    """
    touched = events.exclude(status=EventStatus.CANCELLED, cancelled_at__isnull=True).update(
        updated_at=timezone.now()
    )
    feeds_changed()
    return touched


# --- Conditional requests ----------------------------------------------------------------

# How long a feed's remembered ETag is trusted without a change signal: the bound on what a
# change made around the models (raw SQL, QuerySet.update) could leave unseen.
ETAG_TRUSTED_SECONDS = 300


@dataclass(frozen=True)
class FeedVersion:
    """What the cache remembers of a built feed, so a conditional request needs no query."""

    generation: str
    day: str  # the feed's window moves with the date
    checked_at: float
    etag: str
    built: dt.datetime

    def for_cache(self) -> tuple:
        """Plain values, so a release that changes this class never meets an old pickle."""
        # Not dataclasses.astuple, which deep-copies every field on every build.
        return (
            FEED_FORMAT_VERSION,
            self.generation,
            self.day,
            self.checked_at,
            self.etag,
            self.built,
        )

    @classmethod
    def from_cache(cls, value) -> FeedVersion | None:
        if isinstance(value, tuple) and value[:1] == (FEED_FORMAT_VERSION,):
            try:
                return cls(*value[1:])
            except TypeError:  # another shape from another release: build again
                return None
        return None

    def trusted(self, generation: str, day: str, now: float) -> bool:
        return (
            self.generation == generation
            and self.day == day
            and now - self.checked_at < ETAG_TRUSTED_SECONDS
        )


class _Supported:
    """The codes of settings.LANGUAGES, worked out again only when the setting is replaced
    (override_settings): hashing its lazy labels costs a translation lookup each."""

    languages: object = None
    codes: frozenset[str] = frozenset()


def _supported_languages() -> frozenset[str]:
    languages = settings.LANGUAGES
    if _Supported.languages is not languages:
        _Supported.codes = frozenset(code for code, _label in languages)
        _Supported.languages = languages
    return _Supported.codes


def activate_language(code: str | None) -> str:
    """The language a feed is written in: `code` if supported, else the active one."""
    supported = _supported_languages()
    if code and code in supported:
        return code
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in supported else settings.LANGUAGE_CODE
