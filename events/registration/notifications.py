"""E-mails about registrations, each rendered in the recipient's language.

Only events.registration.tasks calls these (after commit, in the background). Registration e-mails
always go out: they are part of the service, not newsletters. Templates live in
templates/email/events/<kind>_subject.txt and _body.txt.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from kohtaamo.mail import CalendarInvitation, send_templated_mail

from ..calendars.feeds import invitation_ics
from ..models import Event, Registration, RegistrationStatus
from .rules import meeting_link

TEMPLATE_DIR = "email/events"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def manage_url(registration: Registration) -> str:
    """Where the person sees and cancels this registration."""
    if registration.user_id:
        return absolute(reverse("events:mine"))
    return absolute(reverse("events:registration", kwargs={"token": registration.token}))


def feedback_url(registration: Registration) -> str:
    try:
        path = reverse("events:feedback", kwargs={"token": registration.token})
    except NoReverseMatch:
        path = f"/events/feedback/{registration.token}/"
    return absolute(path)


def _invitation(registration: Registration, method: str) -> CalendarInvitation:
    content = invitation_ics(event=registration.event, method=method, registration=registration)
    name = "cancel.ics" if method == "CANCEL" else "invite.ics"
    return CalendarInvitation(content=content, method=method, filename=name)


def send_registration_mail(
    registration: Registration,
    *,
    kind: str,
    ics_method: str | None = None,
    **extra,
) -> None:
    """Send the `kind` e-mail (template prefix) about this registration to its person."""
    event: Event = registration.event
    language = registration.mail_language
    with translation.override(language):
        invitation = _invitation(registration, ics_method) if ics_method else None
    context = {
        "registration": registration,
        "event": event,
        "event_url": absolute(event.get_absolute_url()),
        "manage_url": manage_url(registration),
        "is_guest": registration.is_guest,
        # The link only if this person may see it (events/registration/rules.py); the template
        # shows it.
        "meeting_link": meeting_link(event=event, registration=registration),
        **extra,
    }
    send_templated_mail(
        to=registration.mail_address,
        template_prefix=f"{TEMPLATE_DIR}/{kind}",
        context=context,
        language=language,
        invitation=invitation,
    )


def send_confirmed(registration: Registration) -> None:
    send_registration_mail(registration, kind="confirmed", ics_method="REQUEST")


def send_waitlisted(registration: Registration) -> None:
    send_registration_mail(registration, kind="waitlisted")


def send_promoted(registration: Registration) -> None:
    send_registration_mail(registration, kind="promoted", ics_method="REQUEST")


def send_guest_confirmation_link(registration: Registration) -> None:
    confirm_url = absolute(reverse("events:registration", kwargs={"token": registration.token}))
    send_registration_mail(registration, kind="guest_confirm", confirm_url=confirm_url)


def send_registration_cancelled(registration: Registration, *, was_confirmed: bool) -> None:
    send_registration_mail(
        registration, kind="registration_cancelled", ics_method="CANCEL" if was_confirmed else None
    )


def send_reminder(registration: Registration) -> None:
    send_registration_mail(registration, kind="reminder")


def send_event_changed(registration: Registration, *, fields: list[str]) -> None:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    send_registration_mail(
        registration,
        kind="event_changed",
        ics_method="REQUEST" if confirmed else None,
        time_changed=bool({"starts_at", "ends_at"} & set(fields)),
        place_changed=bool({"place", "format"} & set(fields)),
        link_changed="meeting_url" in fields,
    )


def send_event_cancelled(registration: Registration, *, with_ics: bool) -> None:
    send_registration_mail(
        registration, kind="event_cancelled", ics_method="CANCEL" if with_ics else None
    )


def send_feedback_request(registration: Registration) -> None:
    send_registration_mail(
        registration, kind="feedback_request", feedback_url=feedback_url(registration)
    )
