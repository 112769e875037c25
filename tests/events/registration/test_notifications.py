"""Registration e-mails: sent after commit, in the person's language, with iCalendar."""

import datetime as dt
import email
from email import policy

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation
from icalendar import Calendar

from events.models import Event, EventStatus, Registration, RegistrationMode
from events.registration import services as registration_services
from events.registration import tasks as registration_tasks
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service and then its after-commit callbacks (the queued e-mail tasks)."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def ics_of(message):
    for name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            data = content.encode() if isinstance(content, str) else content
            return name, Calendar.from_ical(data)
    return None, None


def test_nothing_is_sent_before_commit():
    event = EventFactory(capacity=3)
    registration_services.register(event=event, person=UserFactory())
    assert mail.outbox == []


def test_confirmation_has_the_invitation_attached(commit):
    event = EventFactory(capacity=3, title="Työkyky ja kuntoutus")
    person = UserFactory(language="en")
    commit(registration_services.register, event=event, person=person)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert "Registration confirmed: Työkyky ja kuntoutus" in message.subject
    assert event.meeting_url in message.body
    name, calendar = ics_of(message)
    assert name == "invite.ics"
    assert calendar["METHOD"] == "REQUEST"
    vevent = calendar.walk("VEVENT")[0]
    assert vevent["DTSTART"].dt == event.starts_at


def test_mail_is_in_the_persons_language(commit):
    event = EventFactory(capacity=3)
    finnish, english = UserFactory(language="fi"), UserFactory(language="en")
    commit(registration_services.register, event=event, person=finnish)
    commit(registration_services.register, event=event, person=english)
    by_address = {m.to[0]: m for m in mail.outbox}
    local = timezone.localtime(event.starts_at)
    day = f"{local.day}.{local.month}.{local.year}"
    # Finnish: "24.11.2026 klo 14.00"; English: "24.11.2026 14:00".
    assert f"{day} klo {local.hour}.{local.minute:02d}" in by_address[finnish.email].body
    assert f"{day} {local.hour:02d}:{local.minute:02d}" in by_address[english.email].body
    assert "klo" not in by_address[english.email].body


def test_waitlist_then_promotion_mails(commit):
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.WAITLIST)
    first = commit(registration_services.register, event=event, person=UserFactory(language="en"))
    waiting_person = UserFactory(language="en")
    commit(registration_services.register, event=event, person=waiting_person)
    waitlist_mail = mail.outbox[-1]
    assert "waitlist" in waitlist_mail.subject
    assert ics_of(waitlist_mail) == (None, None)
    mail.outbox.clear()
    commit(registration_services.cancel_registration, registration=first, by=first.user)
    subjects = {m.to[0]: m for m in mail.outbox}
    cancelled = subjects[first.user.email]
    assert "Registration cancelled" in cancelled.subject
    name, calendar = ics_of(cancelled)
    assert name == "cancel.ics" and calendar["METHOD"] == "CANCEL"
    promoted = subjects[waiting_person.email]
    assert "You got a seat" in promoted.subject
    assert ics_of(promoted)[1]["METHOD"] == "REQUEST"


def test_guest_link_confirm_and_cancel_by_mail(commit, client):
    event = EventFactory(capacity=2)
    with translation.override("en"):
        guest = commit(
            registration_services.register,
            event=event,
            guest_name="Guest Person",
            guest_email="guest@example.fi",
        )
    assert guest.language == "en"
    assert len(mail.outbox) == 1
    link_mail = mail.outbox[0]
    assert "Please confirm your registration" in link_mail.subject
    link = f"/events/registration/{guest.token}/"
    assert link in link_mail.body
    # Opening the link (GET) changes nothing.
    client.get(link)
    guest.refresh_from_db()
    assert guest.status == "pending"
    with after_commit():
        client.post(link, {"action": "confirm"})
    guest.refresh_from_db()
    assert guest.status == "confirmed"
    confirmation = mail.outbox[-1]
    assert "Registration confirmed" in confirmation.subject
    assert ics_of(confirmation)[1]["METHOD"] == "REQUEST"
    with after_commit():
        client.post(link, {"action": "cancel"})
    guest.refresh_from_db()
    assert guest.status == "cancelled"
    assert "Registration cancelled" in mail.outbox[-1].subject


class after_commit:  # noqa: N801 - used like a function
    """Run the after-commit callbacks a request queued (the test transaction never commits)."""

    def __enter__(self):
        self._before = len(connection.run_on_commit)
        return self

    def __exit__(self, *exc):
        callbacks = connection.run_on_commit[self._before :]
        del connection.run_on_commit[self._before :]
        for _sids, callback, _robust in callbacks:
            callback()
        return False


def test_tasks_are_idempotent(commit):
    event = EventFactory(capacity=3)
    registration = commit(registration_services.register, event=event, person=UserFactory())
    assert len(mail.outbox) == 1
    key = registration.confirmed_at.isoformat()
    assert registration_tasks.send_registration_confirmed(registration.pk, key) is False
    assert len(mail.outbox) == 1


def test_confirmation_is_not_sent_for_a_registration_cancelled_meanwhile():
    registration = RegistrationFactory(status="cancelled")
    assert registration_tasks.send_registration_confirmed(registration.pk, "x") is False
    assert mail.outbox == []


def soon_event(hours, **kwargs):
    start = timezone.now() + dt.timedelta(hours=hours)
    return EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1), **kwargs)


def test_reminder_the_day_before_once_and_respecting_the_setting():
    event = soon_event(20)
    wants = RegistrationFactory(event=event, user=UserFactory(language="en"))
    RegistrationFactory(event=event, user=UserFactory(reminders_enabled=False))
    guest = RegistrationFactory(event=event, user=None, email="g@example.fi", language="en")
    RegistrationFactory(event=event, status="waitlisted")
    RegistrationFactory(event=soon_event(30))  # more than a day away
    RegistrationFactory(event=soon_event(20, status=EventStatus.CANCELLED))
    assert registration_tasks.send_due_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([wants.user.email, guest.email])
    assert all("Reminder" in m.subject for m in mail.outbox)
    assert registration_tasks.send_due_reminders() == 0
    assert len(mail.outbox) == 2
    wants.refresh_from_db()
    assert wants.reminder_sent_at is not None


def test_feedback_request_after_the_event_to_attendees_once():
    start = timezone.now() - dt.timedelta(hours=3)
    event = EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    came = RegistrationFactory(event=event, attended=True, user=UserFactory(language="en"))
    RegistrationFactory(event=event, attended=False)
    RegistrationFactory(event=event, status="cancelled")
    RegistrationFactory(event=soon_event(5))  # not over yet
    assert registration_tasks.send_due_feedback_requests() == 1
    assert mail.outbox[0].to == [came.user.email]
    assert f"/events/feedback/{came.token}/" in mail.outbox[0].body
    assert registration_tasks.send_due_feedback_requests() == 0


def test_event_change_and_cancellation_mails(commit):
    event = EventFactory(capacity=5, registration_mode=RegistrationMode.WAITLIST)
    confirmed = commit(
        registration_services.register, event=event, person=UserFactory(language="en")
    )
    mail.outbox.clear()
    Event.objects.filter(pk=event.pk).update(sequence=1, place="Kuopio, room 2")
    event.refresh_from_db()
    title_only = {"title": ["a", "b"]}
    assert (
        commit(registration_services.notify_event_changed, event=event, changes=title_only) is False
    )
    assert mail.outbox == []
    commit(
        registration_services.notify_event_changed, event=event, changes={"place": ["", "Kuopio"]}
    )
    assert len(mail.outbox) == 1
    assert "Changed:" in mail.outbox[0].subject
    assert "Kuopio, room 2" in mail.outbox[0].body
    assert ics_of(mail.outbox[0])[1].walk("VEVENT")[0]["SEQUENCE"] == 1
    # The same change announced twice is sent once.
    commit(
        registration_services.notify_event_changed, event=event, changes={"place": ["", "Kuopio"]}
    )
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    Event.objects.filter(pk=event.pk).update(
        status=EventStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancellation_reason="The presenter fell ill",
    )
    event.refresh_from_db()
    commit(registration_services.notify_event_cancelled, event=event)
    assert [m.to[0] for m in mail.outbox] == [confirmed.email]
    assert "Cancelled:" in mail.outbox[0].subject
    assert "Reason for the cancellation: The presenter fell ill" in mail.outbox[0].body
    assert ics_of(mail.outbox[0])[1]["METHOD"] == "CANCEL"


def test_guest_mail_in_the_language_they_registered_in(commit):
    event = EventFactory(capacity=2)
    with translation.override("en"):
        guest = commit(
            registration_services.register, event=event, guest_name="G", guest_email="g@example.fi"
        )
    mail.outbox.clear()
    Registration.objects.filter(pk=guest.pk).update(language="en")
    with translation.override("fi"):
        commit(registration_services.confirm_guest_registration, token=guest.token)
    assert "Registration confirmed" in mail.outbox[0].subject


# --- iMIP (RFC 6047): the invitation is a text/calendar alternative with method= ------------


def imip_structure(message) -> dict:
    """Parse the sent message as a mail program does and describe its calendar parts."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    alternative = next(
        (p for p in parsed.walk() if p.get_content_type() == "multipart/alternative"), None
    )
    inline = []
    if alternative is not None:
        inline = [
            part for part in alternative.iter_parts() if part.get_content_type() == "text/calendar"
        ]
    attached = [
        part
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar" and part.get_filename()
    ]
    return {
        "top": parsed.get_content_type(),
        "alternative": [p.get_content_type() for p in alternative.iter_parts()]
        if alternative is not None
        else [],
        "inline": [
            (
                p.get_param("method"),
                p.get_content_charset(),
                p.get_content_disposition(),
                Calendar.from_ical(p.get_content())["METHOD"],
            )
            for p in inline
        ],
        "attached": [(p.get_filename(), p.get_param("method")) for p in attached],
    }


def _request(name="invite.ics"):
    return {
        "top": "multipart/mixed",
        "alternative": ["text/plain", "text/calendar"],
        "inline": [("REQUEST", "utf-8", None, "REQUEST")],
        "attached": [(name, "REQUEST")],
    }


CANCEL = {
    "top": "multipart/mixed",
    "alternative": ["text/plain", "text/calendar"],
    "inline": [("CANCEL", "utf-8", None, "CANCEL")],
    "attached": [("cancel.ics", "CANCEL")],
}


def test_each_kind_of_mail_carries_the_invitation_as_imip(commit):
    """Confirmation, promotion, change: an inline text/calendar; method=REQUEST next to the
    text; cancellations: method=CANCEL; a waitlist place carries no invitation at all (the
    person has no seat to put in the calendar until promoted)."""
    event = EventFactory(capacity=1, registration_mode=RegistrationMode.WAITLIST)
    first = commit(registration_services.register, event=event, person=UserFactory(language="fi"))
    assert imip_structure(mail.outbox[-1]) == _request()  # confirmation
    waiting = UserFactory(language="sv")
    commit(registration_services.register, event=event, person=waiting)
    waitlisted = imip_structure(mail.outbox[-1])
    assert waitlisted["inline"] == [] and waitlisted["attached"] == []
    assert waitlisted["top"] == "text/plain" or "text/calendar" not in waitlisted["alternative"]

    mail.outbox.clear()
    commit(registration_services.cancel_registration, registration=first, by=first.user)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert imip_structure(by_address[first.user.email]) == CANCEL  # own cancellation
    assert imip_structure(by_address[waiting.email]) == _request()  # promotion

    mail.outbox.clear()
    Event.objects.filter(pk=event.pk).update(sequence=1, place="Kuopio, room 2")
    event.refresh_from_db()
    commit(
        registration_services.notify_event_changed, event=event, changes={"place": ["", "Kuopio"]}
    )
    assert [imip_structure(m) for m in mail.outbox] == [_request()]  # change

    mail.outbox.clear()
    Event.objects.filter(pk=event.pk).update(
        status=EventStatus.CANCELLED, cancelled_at=timezone.now()
    )
    event.refresh_from_db()
    commit(registration_services.notify_event_cancelled, event=event)
    assert [imip_structure(m) for m in mail.outbox] == [CANCEL]  # the event is cancelled


def test_the_invitation_header_names_its_method_unquoted(commit):
    commit(registration_services.register, event=EventFactory(capacity=3), person=UserFactory())
    raw = mail.outbox[0].message().as_string()
    headers = [line for line in raw.splitlines() if line.startswith("Content-Type: text/calendar")]
    assert headers == ['Content-Type: text/calendar; charset="utf-8"; method=REQUEST'] * 2
