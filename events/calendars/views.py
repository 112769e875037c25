"""Calendar feeds (.ics) and the "Subscribe to the calendar" page.

A feed's ETag is a hash of its bytes (feeds.build_feed, over its entries' stored digests).
The cache remembers it, with the body (plain and gzip), until something a feed shows
changes (events/calendars/signals.py) or for at most five minutes, so a conditional request
that matches gets 304 from one cache round trip, without a query, and a cached body is
served as stored bytes. A build is one query that joins the events' stored entries.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from networks.models import Network

from ..models import Audience, Event, EventKind, EventStatus, Series, Theme
from ..registration.rules import meeting_link
from ..registration.selectors import registration_of
from ..selectors import visible_events
from . import feeds
from .selectors import calendar_feed_events, feed_now

CACHE_SECONDS = 24 * 3600
PUBLIC_CACHE_CONTROL = "public, max-age=900"
PRIVATE_CACHE_CONTROL = "private, max-age=900"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Feed bodies (plain and gzip) each gunicorn worker keeps in memory; a 10,000-event feed is
# about 10 MB plain and 1 MB compressed.
LOCAL_BODY_BUDGET = 48 * 1024 * 1024
# As django.middleware.gzip decides (its GZipMiddleware is not in MIDDLEWARE).
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _language(request: HttpRequest, default: str | None = None) -> str:
    # Without a query string, request.GET (a QueryDict parsed per request) is not needed.
    asked = request.GET.get("lang") if request.META.get("QUERY_STRING") else None
    return feeds.activate_language(asked or default)


@functools.lru_cache(maxsize=256)
def _http_date(timestamp: float) -> str:
    return http_date(timestamp)


class _Today:
    """The local date a feed's window follows, worked out once a minute (a 304 is cheap)."""

    since = until = 0.0
    text = ""


def _today() -> str:
    now = time.time()
    if not _Today.since <= now < _Today.until:  # the clock moved on, or back (tests)
        local = timezone.localtime()
        midnight = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        _Today.text = local.date().isoformat()
        _Today.since, _Today.until = now, min(now + 60, midnight.timestamp())
    return _Today.text


def _finish(
    response: HttpResponse, *, etag: str, last_modified: dt.datetime, private: bool
) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = _http_date(last_modified.timestamp())
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@functools.lru_cache(maxsize=4096)
def _remembered_key(key: str, language: str) -> str:
    return "calendar-feed:" + hashlib.sha256(f"{key}|{language}".encode()).hexdigest()[:32]


def _body_key(etag: str, *, gzipped: bool = False) -> str:
    return ("calendar-feed-gzip:" if gzipped else "calendar-feed-body:") + etag.strip('"')


class _LocalBodies:
    """Feed bodies this worker served lately, by ETag, within a byte budget (oldest out).

    An ETag is a hash of its body's bytes (feeds.build_feed), so an entry is never stale: a cached
    answer skips the shared cache's multi-megabyte round trip and unpickling.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.bodies: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        body = self.bodies.get(key)
        if body is not None:
            self.bodies.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.budget or key in self.bodies:
            return
        self.bodies[key] = body
        self.used += len(body)
        while self.used > self.budget:
            _old, dropped = self.bodies.popitem(last=False)
            self.used -= len(dropped)


LOCAL_BODIES = _LocalBodies(LOCAL_BODY_BUDGET)


def _stored_body(etag: str, *, gzipped: bool) -> bytes | None:
    key = _body_key(etag, gzipped=gzipped)
    body = LOCAL_BODIES.get(key)
    if body is None:
        body = cache.get(key)
        if body is not None:
            LOCAL_BODIES.put(key, body)
    return body


def _store_body(etag: str, body: bytes, *, gzipped: bool) -> None:
    key = _body_key(etag, gzipped=gzipped)
    LOCAL_BODIES.put(key, body)
    cache.set(key, body, CACHE_SECONDS)


# What this worker last read from the shared cache (the change generation and a feed's
# version), trusted for settings.CALENDAR_FEED_LOCAL_TRUST_SECONDS (1 s; 0 turns it off)
# unless this process changed a feed since: a
# conditional request within it is answered with no round trip at all. Another worker's
# change reaches this one at most that late; calendar apps poll every 15 minutes or more.
LOCAL_STATE_LIMIT = 2_000  # personal feeds have a key each: forget them all beyond this
_STATE_HERE: dict[str, tuple[float, int, dict]] = {}


def forget_local_state() -> None:
    """Drop this worker's memo (the tests' isolation clears the shared cache too)."""
    _STATE_HERE.clear()


def _shared_state(remembered_key: str) -> dict:
    memo = _STATE_HERE.get(remembered_key)
    if (
        memo is not None
        and time.monotonic() - memo[0] < settings.CALENDAR_FEED_LOCAL_TRUST_SECONDS
        and memo[1] == feeds.local_changes()
    ):
        return memo[2]
    found = cache.get_many([feeds.GENERATION_KEY, remembered_key])
    _remember_here(remembered_key, found)
    return found


def _remember_here(remembered_key: str, found: dict) -> None:
    if len(_STATE_HERE) >= LOCAL_STATE_LIMIT:
        _STATE_HERE.clear()
    _STATE_HERE[remembered_key] = (time.monotonic(), feeds.local_changes(), found)


def serve_feed(
    request: HttpRequest,
    *,
    key: str,
    events: Callable[[dt.datetime], QuerySet[Event]],
    names: Callable[[], tuple[str, str]],
    private: bool,
    language: str,
    filename: str,
) -> HttpResponse:
    """Answer a feed request: 304 on a match, the cached body, or build and cache it.

    `key` names the feed (not its secret); `events` gives its events' QuerySet at a time of
    the feeds' clock (selectors.feed_now) and `names` (calendar name, description), which
    run in `language`, only when the feed is built.
    While nothing changed (the change generation is the same, events/calendars/signals.py) the
    cache remembers the feed's ETag, so a conditional request that matches costs one cache
    round trip and no query. Clients that accept gzip get a gzip body, built as such
    (feeds.build_feed joins stored compressed spans) and cached apart from the plain one.
    """
    remembered_key = _remembered_key(key, language)
    found = _shared_state(remembered_key)
    generation = found.get(feeds.GENERATION_KEY) or feeds.feed_generation()
    day = _today()
    version = feeds.FeedVersion.from_cache(found.get(remembered_key))
    gzipped = _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) is not None
    body = None

    def build() -> feeds.FeedVersion:
        nonlocal body
        with translation.override(language):
            name, description = names()
            now = feed_now()
            built_feed = feeds.build_feed(
                lambda: events(now),
                name=name,
                description=description,
                gzipped=gzipped,
                statement_key=(key, now),
            )
        # An unchanged feed keeps its Last-Modified, so If-Modified-Since keeps working.
        unchanged = version is not None and version.etag == built_feed.etag
        built = version.built if unchanged else timezone.now().replace(microsecond=0)
        fresh = feeds.FeedVersion(generation, day, time.time(), built_feed.etag, built)
        body_key = _body_key(fresh.etag, gzipped=gzipped)
        body = built_feed.body
        LOCAL_BODIES.put(body_key, body)
        cache.set_many({remembered_key: fresh.for_cache(), body_key: body}, CACHE_SECONDS)
        _remember_here(
            remembered_key, {feeds.GENERATION_KEY: generation, remembered_key: fresh.for_cache()}
        )
        return fresh

    if version is None or not version.trusted(generation, day, time.time()):
        version = build()
    etag = _etag(version, gzipped=gzipped)
    not_modified = _not_modified(request, etag, version.built)
    if not_modified is not None:
        return _finish_feed(not_modified, version=version, gzipped=gzipped, private=private)
    if body is None:
        body = _stored_body(version.etag, gzipped=gzipped)
        if body is None:  # not built in this representation yet, or it left the cache
            version = build()
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if gzipped:
        response["Content-Encoding"] = "gzip"
    return _finish_feed(response, version=version, gzipped=gzipped, private=private)


def _not_modified(request: HttpRequest, etag: str, built: dt.datetime) -> HttpResponse | None:
    """Django's get_conditional_response, with the common case first: a calendar app that
    sends back the one ETag it was given (and no other precondition) gets 304 at once."""
    meta = request.META
    if (
        meta.get("HTTP_IF_NONE_MATCH") == etag
        and "HTTP_IF_MATCH" not in meta
        and "HTTP_IF_UNMODIFIED_SINCE" not in meta
    ):
        return HttpResponseNotModified()
    return get_conditional_response(request, etag=etag, last_modified=int(built.timestamp()))


def _etag(version: feeds.FeedVersion, *, gzipped: bool) -> str:
    """The gzip representation has its own strong ETag (RFC 9110 8.8.3: other bytes)."""
    return version.etag[:-1] + '-gzip"' if gzipped else version.etag


def _finish_feed(
    response: HttpResponse, *, version: feeds.FeedVersion, gzipped: bool, private: bool
) -> HttpResponse:
    if "Vary" in response:
        patch_vary_headers(response, ["Accept-Encoding"])
    else:  # what patch_vary_headers sets on a response without Vary, without parsing
        response.headers["Vary"] = "Accept-Encoding"
    return _finish(
        response, etag=_etag(version, gzipped=gzipped), last_modified=version.built, private=private
    )


def _series(slug: str) -> Series:
    return get_object_or_404(Series, slug=slug)


def _kind(kind: str) -> EventKind:
    if kind not in EventKind.values:
        raise Http404
    return EventKind(kind)


def _theme(slug: str) -> Theme:
    return get_object_or_404(Theme, slug=slug)


def _network(slug: str, token: str) -> Network:
    network = Network.objects.filter(slug=slug).first()
    # Same answer for an unknown network and a wrong token; compare in constant time.
    expected = network.calendar_token if network else "-" * len(token)
    if network is None or not hmac.compare_digest(expected.encode(), token.encode()):
        raise Http404
    return network


def _person(token: str):
    # A lookup through the unique index; the token is the only secret here.
    person = get_user_model().objects.filter(calendar_token=token, is_active=True).first()
    if person is None or not hmac.compare_digest(person.calendar_token.encode(), token.encode()):
        raise Http404
    return person


@dataclass(frozen=True)
class FeedKind:
    """One kind of calendar feed: how its URL finds what it follows, and what it says.

    `find` takes the URL's arguments and raises Http404 for what does not exist (or a wrong
    token); the other fields take what it found. `names` gives (calendar name, description)
    and runs in the feed's language.
    """

    find: Callable[..., object]
    key: Callable[[object], str]
    events: Callable[[object, dt.datetime], QuerySet[Event]]  # the subject, selectors.feed_now()
    names: Callable[[object], tuple[str, str]]
    filename: Callable[[object], str]
    private: bool = False
    language: Callable[[object], str | None] = lambda _subject: None


FEED_KINDS: dict[str, FeedKind] = {
    "all": FeedKind(
        find=lambda: None,
        key=lambda _none: "all",
        events=lambda _none, now: calendar_feed_events(now=now),
        names=lambda _none: (
            _("Kohtaamo events"),
            _("All public events of the work-ability programme."),
        ),
        filename=lambda _none: "kohtaamo.ics",
    ),
    "series": FeedKind(
        find=_series,
        key=lambda series: f"series:{series.pk}:{series.name}",
        events=lambda series, now: calendar_feed_events(series=series, now=now),
        names=lambda series: (
            _("Kohtaamo: %(name)s") % {"name": series.name},
            _("Public events of the series %(name)s.") % {"name": series.name},
        ),
        filename=lambda series: f"kohtaamo-{series.slug}.ics",
    ),
    "kind": FeedKind(
        find=_kind,
        key=lambda kind: f"kind:{kind.value}",
        events=lambda kind, now: calendar_feed_events(kind=kind.value, now=now),
        names=lambda kind: (
            _("Kohtaamo: %(kind)s") % {"kind": kind.label},
            _("Public events of the kind: %(kind)s.") % {"kind": kind.label},
        ),
        filename=lambda kind: f"kohtaamo-{kind.value}.ics",
    ),
    "theme": FeedKind(
        find=_theme,
        key=lambda theme: f"theme:{theme.pk}:{theme.title}",
        events=lambda theme, now: calendar_feed_events(theme=theme, now=now),
        names=lambda theme: (
            _("Kohtaamo: %(theme)s") % {"theme": theme.title},
            _("Public events on the theme %(theme)s.") % {"theme": theme.title},
        ),
        filename=lambda theme: f"kohtaamo-{theme.slug}.ics",
    ),
    "network": FeedKind(
        find=_network,
        key=lambda network: f"network:{network.pk}:{network.name}",
        events=lambda network, now: calendar_feed_events(network=network, now=now),
        names=lambda network: (
            _("Kohtaamo: %(network)s") % {"network": network.name},
            _("Events of the network %(network)s, for its members.") % {"network": network.name},
        ),
        filename=lambda network: f"kohtaamo-{network.slug}.ics",
        private=True,
    ),
    "personal": FeedKind(
        find=_person,
        key=lambda person: f"person:{person.pk}",
        events=lambda person, now: calendar_feed_events(person=person, now=now),
        names=lambda _person: (
            _("Kohtaamo: my events"),
            _("The events you have registered for, waitlisted ones marked."),
        ),
        filename=lambda _person: "kohtaamo-my-events.ics",
        private=True,
        language=lambda person: person.language,
    ),
}


@require_safe
def feed(request: HttpRequest, *, feed_kind: str, **url_arguments) -> HttpResponse:
    """Any calendar feed: FEED_KINDS[feed_kind] tells what the URL's arguments find."""
    kind = FEED_KINDS[feed_kind]
    subject = kind.find(**url_arguments)
    return serve_feed(
        request,
        key=kind.key(subject),
        events=lambda now: kind.events(subject, now),
        names=lambda: kind.names(subject),
        private=kind.private,
        language=_language(request, default=kind.language(subject)),
        filename=kind.filename(subject),
    )


@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event as an .ics download (the event page links here).

    With the meeting link only for those who may see it (events/registration/rules.py); such a
    download is private, and the link is part of its ETag.
    """
    event = get_object_or_404(
        visible_events(user=request.user).select_related("theme", "series"), pk=pk
    )
    registration = registration_of(event=event, user=request.user)
    link = meeting_link(event=event, person=request.user, registration=registration)
    language = _language(request)
    digest = hashlib.sha256(
        repr(
            (
                feeds.FEED_FORMAT_VERSION,
                event.pk,
                event.updated_at.isoformat(),
                event.sequence,
                language,
                timezone.localdate().isoformat(),
                link,
            )
        ).encode()
    ).hexdigest()[:40]
    etag = f'"{digest}"'
    # A link only this viewer may see must stay out of shared caches.
    private = event.audience != Audience.EVERYONE or link != meeting_link(event=event)
    last_modified = event.updated_at.replace(microsecond=0)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp())
    )
    if not_modified is not None:
        return _finish(not_modified, etag=etag, last_modified=last_modified, private=private)
    with translation.override(language):
        body = feeds.single_event_ics(event=event, person=request.user, registration=registration)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="kohtaamo-event-{event.pk}.ics"'
    return _finish(response, etag=etag, last_modified=last_modified, private=private)


def subscribe(request: HttpRequest) -> HttpResponse:
    """The "Subscribe to the calendar" page: feed links and instructions per client."""
    public = Event.objects.filter(
        status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED], audience=Audience.EVERYONE
    )
    series = Series.objects.filter(Exists(public.filter(series=OuterRef("pk")))).order_by("name")
    themes = Theme.objects.filter(Exists(public.filter(theme=OuterRef("pk")))).order_by("title")
    language = translation.get_language()
    context = {
        "all_feed": feeds.feed_link("calendar:all", language=language),
        "series_feeds": [
            (s.name, feeds.feed_link("calendar:series", language=language, slug=s.slug))
            for s in series
        ],
        "kind_feeds": [
            (label, feeds.feed_link("calendar:kind", language=language, kind=value))
            for value, label in EventKind.choices
        ],
        "theme_feeds": [
            (t.title, feeds.feed_link("calendar:theme", language=language, slug=t.slug))
            for t in themes
        ],
    }
    if request.user.is_authenticated:
        context["personal_feed"] = feeds.FeedLink(
            https=feeds.personal_feed_url(request.user),
            webcal=feeds.webcal_url(feeds.personal_feed_url(request.user)),
        )
    return render(request, "events/calendar_subscribe.html", context)
