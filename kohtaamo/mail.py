"""Sending e-mail: one function, rendered in the recipient's language.

Templates come in pairs: `<prefix>_subject.txt` and `<prefix>_body.txt`
(optionally `<prefix>_body.html`). Call this from Celery tasks, after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class CalendarInvitation:
    """An iCalendar object sent as iMIP (RFC 6047), so that mail programs (Outlook among
    them) treat it as an invitation that updates the calendar, not as a mere file: an inline
    `text/calendar; method=…; charset=utf-8` part in the multipart/alternative beside the
    text (and HTML), plus the same object as the named attachment `filename`. `method` must
    equal the object's METHOD property (REQUEST or CANCEL)."""

    content: bytes
    method: str
    filename: str


class _Message(EmailMultiAlternatives):
    """Sets `method=` on the Content-Type of the text/calendar parts (Django cannot)."""

    calendar_method: str | None = None

    def message(self):
        msg = super().message()
        if self.calendar_method:
            for part in msg.walk():
                if part.get_content_type() == "text/calendar":
                    part.set_param("method", self.calendar_method, requote=False)
        return msg


def send_templated_mail(
    *,
    to: str,
    template_prefix: str,
    context: dict,
    language: str | None = None,
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
    alternatives: list[tuple[bytes | str, str]] | None = None,
    invitation: CalendarInvitation | None = None,
) -> None:
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"site_url": settings.SITE_URL, "language": language, **context}
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_body.txt", context)
        try:
            html = render_to_string(f"{template_prefix}_body.html", context)
        except TemplateDoesNotExist:
            html = None
    message = _Message(subject=subject, body=body, to=[to], headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    for content, mimetype in alternatives or []:
        message.attach_alternative(content, mimetype)
    if invitation is not None:
        text = invitation.content.decode("utf-8")
        message.calendar_method = invitation.method
        message.attach_alternative(text, "text/calendar")
        message.attach(invitation.filename, text, "text/calendar")
    for attachment in attachments or []:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send()
