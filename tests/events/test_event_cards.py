"""The event cards of /events/ and the front page, rendered in Python (issue 20): the same
HTML as the template loop they replace, in every language, never stale, never a
registration or meeting link."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Audience, EventFormat, EventKind, EventStatus
from events.selectors import archive_events, upcoming_events
from recordings.models import PublicationState
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    PresenterFactory,
    RecordingFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The loop the tag replaced (events/templates/events/_event_cards.html before issue 20).
TEMPLATE_LOOP = Template(
    '{% load i18n %}{% for event in events %}\n  <li class="event-card">\n'
    '    <h3><a href="{{ event.get_absolute_url }}"{% if event.language != LANGUAGE_CODE %}'
    ' lang="{{ event.language }}"{% endif %}>{{ event.display_title }}</a></h3>\n'
    '    <p class="meta"><time datetime="{{ event.starts_at|date:\'c\' }}">'
    '{{ event.starts_at|date:"SHORT_DATETIME_FORMAT" }}</time> · {{ event.get_kind_display }}'
    " · {{ event.get_format_display }}{% if event.is_cancelled %} · <strong>"
    '{% translate "Cancelled" context "event" %}</strong>{% endif %}</p>\n  </li>\n  {% endfor %}'
)
TAG = Template("{% load event_cards %}{% event_cards events %}")


def _cards(client, language: str) -> str:
    client.cookies["django_language"] = language
    body = client.get(reverse("events:list")).content.decode()
    return body[
        body.index('<ul class="event-list">') : body.index("</ul>", body.index("event-list"))
    ]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_cards_are_the_template_loops_html(language):
    EventFactory(title='Työkyky & <hyvinvointi> "ja" muut', kind=EventKind.KOHTAAMO)
    EventFactory(title="", theme=ThemeFactory(title="Teema & muu"), language="sv",
                 format=EventFormat.HYBRID, status=EventStatus.CANCELLED)  # fmt: skip
    events = list(upcoming_events(user=None))
    with translation.override(language):
        context = {"events": events, "LANGUAGE_CODE": language}
        assert TAG.render(Context(context)) == TEMPLATE_LOOP.render(Context(context))


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_card_shows_the_events_change_at_once(client, language):
    event = EventFactory(title="Alkuperäinen")
    before = _cards(client, language)
    event.title = "Uusi otsikko"
    event.starts_at += dt.timedelta(days=1, hours=2)
    event.ends_at += dt.timedelta(days=1, hours=2)
    event.status = EventStatus.CANCELLED
    event.save()
    after = _cards(client, language)
    assert "Alkuperäinen" in before and "Alkuperäinen" not in after
    assert "Uusi otsikko" in after
    assert f'datetime="{timezone.localtime(event.starts_at).isoformat()}"' in after
    with translation.override(language):
        assert translation.pgettext("event", "Cancelled") in after
    assert "<strong>" not in before


def test_a_theme_rename_shows_on_a_card_named_by_its_theme(client):
    theme = ThemeFactory(title="Vanha teema")
    EventFactory(title="", theme=theme)
    assert "Vanha teema" in _cards(client, "fi")
    theme.title = "Uusi teema"
    theme.save()
    assert "Uusi teema" in _cards(client, "fi")


def test_cards_carry_nothing_of_one_viewer_to_another(client):
    """No registration state or meeting link on a card; a network's event only for members."""
    network = NetworkFactory()
    member, stranger = UserFactory(), UserFactory()
    MembershipFactory(network=network, user=member)
    public = EventFactory(title="Kaikille")
    members_only = EventFactory(title="Verkoston oma", audience=Audience.NETWORKS)
    members_only.audience_networks.add(network)
    RegistrationFactory(event=public, user=member)
    client.force_login(member)
    seen_by_member = _cards(client, "fi")
    client.force_login(stranger)
    seen_by_stranger = _cards(client, "fi")
    client.logout()
    seen_anonymously = _cards(client, "fi")
    assert "Verkoston oma" in seen_by_member
    assert "Verkoston oma" not in seen_by_stranger and "Verkoston oma" not in seen_anonymously
    for cards in (seen_by_member, seen_by_stranger, seen_anonymously):
        assert "teams.microsoft.com" not in cards
    assert seen_by_stranger == seen_anonymously


ARCHIVE_LOOP = Template(
    "{% load i18n %}{% for event in events %}\n    <tr>\n"
    "      <td><time datetime=\"{{ event.starts_at|date:'c' }}\">"
    '{{ event.starts_at|date:"SHORT_DATE_FORMAT" }}</time></td>\n'
    '      <th scope="row"><a href="{{ event.get_absolute_url }}"'
    '{% if event.language != LANGUAGE_CODE %} lang="{{ event.language }}"{% endif %}>'
    "{{ event.display_title }}</a>{% if event.is_cancelled %} "
    '<span class="badge badge-warn">{% translate "Cancelled" context "event" %}</span>'
    "{% endif %}</th>\n"
    '      <td>{% if event.theme %}<a href="{{ event.theme.get_absolute_url }}">'
    "{{ event.theme.title }}</a>{% endif %}</td>\n"
    "      <td>{% for presenter in event.presenters.all %}{{ presenter.name }}"
    "{% if not forloop.last %}, {% endif %}{% endfor %}</td>\n"
    "      <td>{{ event.get_kind_display }}</td>\n"
    "      <td>{% for recording in event.published_recordings %}"
    '<a href="{{ event.get_absolute_url }}#recordings-heading">'
    '{% translate "Watch the recording" %}</a> (<a href="'
    '{% url \'recordings:transcript\' recording.pk %}">{% translate "transcript" %}</a>)'
    "{% if not forloop.last %}<br>{% endif %}{% endfor %}</td>\n    </tr>\n    {% endfor %}"
)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_archive_rows_are_the_template_loops_html(language):
    ago = timezone.now() - dt.timedelta(days=3)
    first = EventFactory(
        title="Menneet & <muut>",
        starts_at=ago,
        ends_at=ago + dt.timedelta(hours=1),
        theme=ThemeFactory(title="Teema & <b>"),
        status=EventStatus.CANCELLED,
        language="sv",
    )
    first.presenters.add(PresenterFactory(name="Anna <A>"), PresenterFactory(name="Bo"))
    EventFactory(title="", theme=ThemeFactory(), starts_at=ago - dt.timedelta(days=1),
                 ends_at=ago - dt.timedelta(days=1, hours=-1))  # fmt: skip
    for _ in range(2):
        RecordingFactory(event=first, publication_state=PublicationState.PUBLISHED)
    events = list(archive_events(user=None).prefetch_related("presenters"))
    rows = Template("{% load event_cards %}{% archive_rows events %}")
    with translation.override(language):
        context = {"events": events, "LANGUAGE_CODE": language}
        assert rows.render(Context(context)) == ARCHIVE_LOOP.render(Context(context))
