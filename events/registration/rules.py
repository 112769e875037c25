"""Who may see an event's online meeting link: the one rule, used everywhere.

The event page, the guest's registration page, the API, the e-mails (their text and the
attached invitation), the single-event download and every calendar feed ask this module;
none of them decides on its own. Templates get the answer from their view (`meeting_link`
in the context), never the rule.

The rule:

- no link for a cancelled event, nor for an event without one;
- a drop-in session (takes no registrations) shows it to everyone, also in public feeds;
- an event that takes registrations shows it to the person with a *confirmed* registration
  for it, and to staff who may manage events (they see and edit the link in the organiser
  form anyway). A waitlisted, pending (guest not yet confirmed) or cancelled registration
  sees no link; neither does anyone else, in any public or network feed.

Nothing here reads the database: the caller passes the person's registration for the event
(or only its status, when that is all it read, as the API and the feeds do).
"""

from __future__ import annotations

from typing import Protocol

from accounts.roles import Ability, can

from ..models import EventStatus, Registration, RegistrationMode, RegistrationStatus


class LinkFacts(Protocol):
    """What the rule reads of an event: an `Event`, or a feed's plain `FeedItem`."""

    pk: int
    meeting_url: str
    status: str
    registration_mode: str


def may_see_meeting_link(
    *,
    event: LinkFacts,
    person=None,
    registration: Registration | str | None = None,
) -> bool:
    """May this viewer see the event's meeting link?

    `person`: the signed-in user, or None/anonymous (a feed or an e-mail has no viewer
    beyond its registration). `registration`: the viewer's registration for this event, or
    just its status; a registration for another event grants nothing.
    """
    if not event.meeting_url or event.status == EventStatus.CANCELLED:
        return False
    if event.registration_mode == RegistrationMode.DROP_IN:
        return True
    if isinstance(registration, Registration):
        status = registration.status if registration.event_id == event.pk else None
    else:
        status = registration
    if status == RegistrationStatus.CONFIRMED:
        return True
    return person is not None and can(person, Ability.MANAGE_EVENTS)


def meeting_link(
    *,
    event: LinkFacts,
    person=None,
    registration: Registration | str | None = None,
) -> str | None:
    """The event's meeting link if this viewer may see it (`may_see_meeting_link`), else None."""
    if may_see_meeting_link(event=event, person=person, registration=registration):
        return event.meeting_url
    return None
