"""The upcoming-event cards, rendered in Python: the same HTML as the template loop they replace.

Measured on /events/ (50 cards, issue 20): the template loop spent ~0.3 ms a card resolving
variables, formatting two dates and looking up translations; a per-card fragment cache
needs one cache round trip a card and a key covering the theme's title as well. Formatting
the few fields here keeps the output byte-for-byte that of the loop it replaces (see
tests/events/test_event_cards.py) with no cache to go stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, pgettext

from events.models import Event

register = template.Library()

CARD = (
    '\n  <li class="event-card">\n'
    '    <h3><a href="{url}"{lang}>{title}</a></h3>\n'
    '    <p class="meta"><time datetime="{iso}">{when}</time> · {kind} · {format}{cancelled}</p>\n'
    "  </li>\n  "
)


# A pk no event has: reversed once per render, then replaced by each card's pk.
PK_MARKER = 987654321


@register.simple_tag(takes_context=True)
def event_cards(context: template.Context, events: Iterable[Event]) -> SafeString:
    """One <li class="event-card"> per event, as the loop in _event_cards.html wrote them.

    The URL pattern is reversed, and the kind and format labels translated, once per render
    rather than once per card (Event.get_absolute_url and get_FOO_display per card were half
    of the loop's time).
    """
    shared = {
        "language": context.get("LANGUAGE_CODE"),
        "url": reverse("events:detail", kwargs={"pk": PK_MARKER}),
        "kinds": _labels("kind"),
        "formats": _labels("format"),
        "cancelled": format_html(" · <strong>{}</strong>", pgettext("event", "Cancelled")),
        "use_tz": context.use_tz,
    }
    return mark_safe(  # noqa: S308 - every part is escaped by format_html
        "".join(_card(event, **shared) for event in events)
    )


def _labels(field: str) -> dict[str, str]:
    return {value: str(label) for value, label in Event._meta.get_field(field).flatchoices}


def _card(event: Event, *, language, url, kinds, formats, cancelled, use_tz) -> str:
    starts_at = template_localtime(event.starts_at, use_tz)
    return format_html(
        CARD,
        url=url.replace(str(PK_MARKER), str(event.pk)),
        lang=format_html(' lang="{}"', event.language) if event.language != language else "",
        title=event.display_title,
        iso=date_filter(starts_at, "c"),
        when=date_filter(starts_at, "SHORT_DATETIME_FORMAT"),
        kind=kinds.get(event.kind, event.kind),
        format=formats.get(event.format, event.format),
        cancelled=cancelled if event.is_cancelled else "",
    )


ROW = (
    "\n    <tr>\n"
    '      <td><time datetime="{iso}">{day}</time></td>\n'
    '      <th scope="row"><a href="{url}"{lang}>{title}</a>{cancelled}</th>\n'
    "      <td>{theme}</td>\n"
    "      <td>{presenters}</td>\n"
    "      <td>{kind}</td>\n"
    "      <td>{recordings}</td>\n"
    "    </tr>\n    "
)


@register.simple_tag(takes_context=True)
def archive_rows(context: template.Context, events: Iterable[Event]) -> SafeString:
    """The archive table's rows, as the loop in archive.html wrote them (0.3 ms a row there).

    Needs `presenters` prefetched and `published_recordings` (selectors.archive_events).
    """
    shared = {
        "language": context.get("LANGUAGE_CODE"),
        "url": reverse("events:detail", kwargs={"pk": PK_MARKER}),
        "transcript": reverse("recordings:transcript", args=[PK_MARKER]),
        "kinds": _labels("kind"),
        "cancelled": format_html(
            ' <span class="badge badge-warn">{}</span>', pgettext("event", "Cancelled")
        ),
        "watch": gettext("Watch the recording"),
        "transcript_label": gettext("transcript"),
        "use_tz": context.use_tz,
    }
    return mark_safe("".join(_row(event, **shared) for event in events))  # noqa: S308 - escaped


def _row(event: Event, *, language, url, transcript, kinds, cancelled, watch, transcript_label,
         use_tz) -> str:  # fmt: skip
    starts_at = template_localtime(event.starts_at, use_tz)
    event_url = url.replace(str(PK_MARKER), str(event.pk))
    theme = event.theme
    recordings = "<br>".join(
        format_html(
            '<a href="{}#recordings-heading">{}</a> (<a href="{}">{}</a>)',
            event_url,
            watch,
            transcript.replace(str(PK_MARKER), str(recording.pk)),
            transcript_label,
        )
        for recording in event.published_recordings
    )
    return format_html(
        ROW,
        iso=date_filter(starts_at, "c"),
        day=date_filter(starts_at, "SHORT_DATE_FORMAT"),
        url=event_url,
        lang=format_html(' lang="{}"', event.language) if event.language != language else "",
        title=event.display_title,
        cancelled=cancelled if event.is_cancelled else "",
        theme=format_html('<a href="{}">{}</a>', theme.get_absolute_url(), theme.title)
        if theme
        else "",
        presenters=mark_safe(  # noqa: S308 - each name escaped
            ", ".join(conditional_escape(p.name) for p in event.presenters.all())
        ),
        kind=kinds.get(event.kind, event.kind),
        recordings=mark_safe(recordings),  # noqa: S308 - built with format_html
    )
