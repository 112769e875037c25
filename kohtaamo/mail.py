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


def send_templated_mail(
    *,
    to: str,
    template_prefix: str,
    context: dict,
    language: str | None = None,
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
    alternatives: list[tuple[bytes | str, str]] | None = None,
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
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to], headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    for content, mimetype in alternatives or []:
        message.attach_alternative(content, mimetype)
    for attachment in attachments or []:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send()
