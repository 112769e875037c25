"""Accessibility operations: the publication gate, the caption policy, the statement, alerts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_audit
from accounts.roles import Ability, can
from kohtaamo.mail import send_templated_mail
from recordings.models import Availability, PublicationState, Recording
from recordings.selectors import recordings_for_dashboard
from recordings.services import recheck_tracks
from youtube import hooks as youtube

from .compliance import Compliance, compliance_of
from .models import AccessibilityFeedback, AccessibilityStatement, CaptionPolicy, FeedbackChannel
from .translation import TRANSLATED_STATEMENT_FIELDS


class PublicationBlockedError(Exception):
    """The recording may not be published; ``reasons`` are translated sentences."""

    def __init__(self, reasons: list) -> None:
        self.reasons = [str(reason) for reason in reasons]
        super().__init__(" ".join(self.reasons))


class NotAllowedError(PublicationBlockedError):
    pass


def compliance(recording: Recording, *, policy: CaptionPolicy | None = None) -> Compliance:
    return compliance_of(
        recording, policy=policy or CaptionPolicy.load(), today=timezone.localdate()
    )


@transaction.atomic
def publish(*, recording: Recording, by, override_reason: str | None = None) -> Recording:
    """Publish a recording on its event page and in the feeds — only if it complies.

    A superuser (Ability.OVERRIDE_PUBLICATION) may publish a non-compliant recording with a
    written reason (e.g. a documented disproportionate burden); the override is logged.
    """
    if not can(by, Ability.PUBLISH_RECORDINGS):
        raise NotAllowedError([_("You may not publish recordings.")])
    recording = Recording.objects.select_for_update().get(pk=recording.pk)
    if recording.publication_state == PublicationState.PUBLISHED:
        return recording
    if _hidden_on_platform(recording):
        raise PublicationBlockedError(
            [_("The video is private or not available on the platform, so it cannot be shown.")]
        )
    status = compliance(recording)
    reason = (override_reason or "").strip()
    if not status.is_compliant:
        if not reason:
            raise PublicationBlockedError(status.reasons())
        if not can(by, Ability.OVERRIDE_PUBLICATION):
            raise NotAllowedError(
                [*status.reasons(), _("Only an administrator may publish it anyway.")]
            )
        if len(reason) < 10:
            raise PublicationBlockedError([_("Write the reason for publishing anyway in full.")])
    recording.publication_state = PublicationState.PUBLISHED
    recording.published_at = timezone.now()
    recording.published_by = by
    recording.override_reason = reason if not status.is_compliant else ""
    recording.save(
        update_fields=["publication_state", "published_at", "published_by", "override_reason"]
    )
    if status.is_compliant:
        record_audit(actor=by, action="recording.published", obj=recording)
    else:
        record_audit(
            actor=by,
            action="recording.published_with_override",
            obj=recording,
            reason=reason,
            status=status.status,
        )
    # The video becomes public on YouTube after this commits (a connected channel only).
    youtube.publication_changed(
        recording_id=recording.pk, public=True, change_id=recording.published_at.isoformat()
    )
    return recording


def _hidden_on_platform(recording: Recording) -> bool:
    """Gone from the platform, or private there and not a video of the connected channel
    (whose privacy publishing changes to public)."""
    if recording.availability == Availability.UNAVAILABLE:
        return True
    if recording.availability == Availability.PRIVATE:
        return not youtube.video_on_channel(recording_id=recording.pk)
    return False


@transaction.atomic
def unpublish(*, recording: Recording, by) -> Recording:
    if not can(by, Ability.PUBLISH_RECORDINGS):
        raise NotAllowedError([_("You may not publish recordings.")])
    recording = Recording.objects.select_for_update().get(pk=recording.pk)
    if recording.publication_state != PublicationState.PUBLISHED:
        return recording
    recording.publication_state = PublicationState.NOT_PUBLISHED
    recording.published_at = None
    recording.published_by = None
    recording.override_reason = ""
    recording.save(
        update_fields=["publication_state", "published_at", "published_by", "override_reason"]
    )
    entry = record_audit(actor=by, action="recording.unpublished", obj=recording)
    youtube.publication_changed(
        recording_id=recording.pk, public=False, change_id=f"unpublished-{entry.pk}"
    )
    return recording


POLICY_FIELDS = (
    "required_languages",
    "deadline_days",
    "max_chars_per_line_warning",
    "max_chars_per_line_error",
    "max_lines_per_cue",
    "min_cue_seconds",
    "max_cue_seconds_warning",
    "max_cps_warning",
    "max_cps_error",
    "min_gap_seconds_warning",
    "min_coverage",
    "max_silent_stretch_seconds",
)


@transaction.atomic
def update_policy(*, by, **values) -> CaptionPolicy:
    """Change the thresholds and check every stored human track again with them."""
    if not can(by, Ability.EDIT_CAPTION_POLICY):
        raise NotAllowedError([_("You may not change the caption policy.")])
    policy = CaptionPolicy.load()
    changed = {}
    for name in POLICY_FIELDS:
        if name in values and getattr(policy, name) != values[name]:
            changed[name] = str(values[name])
            setattr(policy, name, values[name])
    policy.save()
    if changed:
        for recording in Recording.objects.filter(tracks__kind="human").distinct():
            recheck_tracks(recording=recording, policy=policy)
        record_audit(actor=by, action="caption_policy.changed", obj=policy, **changed)
    return policy


def _in_every_language(*names: str) -> tuple[str, ...]:
    """'x' → ('x_fi', 'x_sv', 'x_en') for each translated field (settings.LANGUAGES)."""
    out: list[str] = []
    for name in names:
        if name in TRANSLATED_STATEMENT_FIELDS:
            out += [f"{name}_{code}" for code, _label in settings.LANGUAGES]
        else:
            out.append(name)
    return tuple(out)


STATEMENT_FIELDS = _in_every_language(
    "compliance_status",
    "non_accessible_content",
    "disproportionate_burden",
    "accessible_alternatives",
    "prepared_on",
    "reviewed_on",
    "assessment_method",
    "feedback_contact",
    "feedback_email",
    "feedback_form_enabled",
    "feedback_answer_days",
    "authority_name",
    "authority_url",
    "authority_email",
    "authority_phone",
    "authority_address",
)


@transaction.atomic
def update_statement(*, by, **values) -> AccessibilityStatement:
    if not can(by, Ability.EDIT_ACCESSIBILITY_STATEMENT):
        raise NotAllowedError([_("You may not edit the accessibility statement.")])
    statement = AccessibilityStatement.load()
    for name in STATEMENT_FIELDS:
        if name in values:
            setattr(statement, name, values[name])
    statement.save()
    record_audit(actor=by, action="accessibility_statement.changed", obj=statement)
    return statement


# --- accessibility feedback (the statement's feedback channel) ---------------------------------


def submit_feedback(
    *, message: str, contact: str = "", about_url: str = "", today: dt.date | None = None
) -> AccessibilityFeedback:
    """Feedback sent by anyone through the form on the statement page, received today."""
    feedback = AccessibilityFeedback.objects.create(
        received_on=today or timezone.localdate(),
        channel=FeedbackChannel.FORM,
        message=message.strip(),
        contact=contact.strip(),
        about_url=about_url.strip(),
    )
    record_audit(actor=None, action="accessibility_feedback.received", obj=feedback)
    return feedback


def record_feedback(
    *,
    by,
    received_on: dt.date,
    channel: str,
    message: str,
    contact: str = "",
    about_url: str = "",
) -> AccessibilityFeedback:
    """Staff record feedback that arrived by e-mail, telephone or otherwise."""
    if not can(by, Ability.EDIT_ACCESSIBILITY_STATEMENT):
        raise NotAllowedError([_("You may not handle accessibility feedback.")])
    feedback = AccessibilityFeedback.objects.create(
        received_on=received_on,
        channel=channel,
        message=message.strip(),
        contact=contact.strip(),
        about_url=about_url.strip(),
    )
    record_audit(actor=by, action="accessibility_feedback.recorded", obj=feedback, channel=channel)
    return feedback


@transaction.atomic
def answer_feedback(
    *, feedback: AccessibilityFeedback, by, answered_on: dt.date, answer_summary: str
) -> AccessibilityFeedback:
    """Mark feedback answered: the date and a summary of the answer, and who handled it."""
    if not can(by, Ability.EDIT_ACCESSIBILITY_STATEMENT):
        raise NotAllowedError([_("You may not handle accessibility feedback.")])
    feedback = AccessibilityFeedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.answered_on = answered_on
    feedback.answer_summary = answer_summary.strip()
    feedback.handled_by = by
    feedback.save(update_fields=["answered_on", "answer_summary", "handled_by"])
    record_audit(
        actor=by,
        action="accessibility_feedback.answered",
        obj=feedback,
        answered_on=answered_on.isoformat(),
    )
    return feedback


# --- deadline alerts --------------------------------------------------------------------------


def claim_deadline_alert(*, recording_id: int, today: dt.date) -> bool:
    """Mark a recording alerted for the day; False when today's alert was already claimed.

    Called in the transaction that writes the alert mails to the outbox
    (accessibility.tasks.send_deadline_alerts), so a second run the same day sends nothing.
    """
    return bool(
        Recording.objects.filter(pk=recording_id)
        .exclude(deadline_alert_sent_on=today)
        .update(deadline_alert_sent_on=today)
    )


def send_deadline_alert(*, recording_id: int, person_id: int, day: dt.date) -> bool:
    """One caption deadline alert to one person (an outbox row's work)."""
    recording = recordings_for_dashboard().filter(pk=recording_id).first()
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    if recording is None or person is None or not person.email:
        return False
    status = compliance_of(recording, policy=CaptionPolicy.load(), today=day)
    send_templated_mail(
        to=person.email,
        template_prefix="email/recordings/deadline_alert",
        context={
            "recording": recording,
            "status": status,
            "url": f"{settings.SITE_URL}/recordings/{recording.pk}/",
        },
        language=getattr(person, "language", None) or None,
    )
    return True


def clear_old_feedback_contacts(*, before: dt.date, dry_run: bool = False) -> int:
    """Clear the sender's contact details of feedback received before ``before`` (the
    nightly retention run, accounts.services.apply_retention). The feedback itself and its
    dates stay: the record of what was asked and when it was answered."""
    due = AccessibilityFeedback.objects.filter(received_on__lt=before).exclude(contact="")
    return due.count() if dry_run else due.update(contact="")
