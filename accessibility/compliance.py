"""Compliance status and caption deadline of a recording: computed here and nowhere else.

Decision (documented in docs/recordings.md): a language counts as captioned only when a
human-made track (uploaded, fetched from the platform or delivered by a vendor) has passed the
checks without errors AND a person has approved it (status "approved", reviewer recorded).
WCAG 1.2.2 as Finland's 306/2019 applies it asks for captions made or checked by a person;
a file merely passing the automatic checks has not been checked by a person. Automatic
(speech-recognised) tracks never count.

Deadline: recordings of live sessions may be captioned within ``CaptionPolicy.deadline_days``
(default 14, as the act allows for recordings of live broadcasts) of being published on the
platform (``uploaded_on``, or the recording date when the platform date is unknown).
Pre-recorded video needs captions before it is published at all; if it is already visible on
the platform without captions, it is overdue.

Works on ``recording.tracks.all()`` so a page that prefetched tracks runs no extra queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recordings.models import Availability, TrackKind, TrackStatus


class Status:
    NO_CAPTIONS = "no_captions"
    ONLY_AUTOMATIC = "only_automatic"
    ERRORS = "errors"
    NEEDS_REVIEW = "needs_review"
    COMPLIANT = "compliant"


STATUS_LABELS = {
    Status.NO_CAPTIONS: _("No captions"),
    Status.ONLY_AUTOMATIC: _("Only automatic captions"),
    Status.ERRORS: _("Captions with errors"),
    Status.NEEDS_REVIEW: _("Captions waiting for review"),
    Status.COMPLIANT: _("Compliant"),
}
# Worst first: the recording's status is that of its worst required language.
_RANK = [
    Status.NO_CAPTIONS,
    Status.ONLY_AUTOMATIC,
    Status.ERRORS,
    Status.NEEDS_REVIEW,
    Status.COMPLIANT,
]


class DeadlineState:
    NONE = ""
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    BEFORE_PUBLISHING = "before_publishing"


DUE_SOON_DAYS = 3


@dataclass
class Compliance:
    status: str
    languages: dict[str, str] = field(default_factory=dict)
    deadline: dt.date | None = None
    days_left: int | None = None
    deadline_state: str = DeadlineState.NONE

    @property
    def is_compliant(self) -> bool:
        return self.status == Status.COMPLIANT

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def deadline_label(self) -> str:
        if self.deadline_state == DeadlineState.OVERDUE:
            if self.days_left is None or self.days_left >= 0:
                return str(_("Overdue: on the platform without captions"))
            late = -self.days_left
            return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", late) % {"n": late}
        if self.deadline_state in (DeadlineState.DUE, DeadlineState.DUE_SOON):
            if self.days_left == 0:
                return str(_("Due today"))
            return ngettext("Due in %(n)d day", "Due in %(n)d days", self.days_left) % {
                "n": self.days_left
            }
        if self.deadline_state == DeadlineState.BEFORE_PUBLISHING:
            return str(_("Needed before publishing"))
        return ""

    def reasons(self) -> list[str]:
        """Why the recording does not comply, one sentence per language."""
        texts = {
            Status.NO_CAPTIONS: _("No captions in language %(lang)s."),
            Status.ONLY_AUTOMATIC: _(
                "Only automatic captions in language %(lang)s; automatic captions do not count."
            ),
            Status.ERRORS: _("The captions in language %(lang)s have errors."),
            Status.NEEDS_REVIEW: _(
                "The captions in language %(lang)s have not been approved by a person."
            ),
        }
        return [
            str(texts[status]) % {"lang": lang}
            for lang, status in self.languages.items()
            if status != Status.COMPLIANT
        ]


def required_languages(policy) -> list[str]:
    langs = [part.strip() for part in (policy.required_languages or "").split(",")]
    return [lang for lang in langs if lang] or ["fi"]


def language_status(tracks, language: str) -> str:
    human = [t for t in tracks if t.language == language and t.kind == TrackKind.HUMAN]
    if human:
        track = human[0]
        if track.checked_at is None or track.error_count:
            return Status.ERRORS
        if track.status != TrackStatus.APPROVED:
            return Status.NEEDS_REVIEW
        return Status.COMPLIANT
    if any(t.language == language and t.kind == TrackKind.AUTOMATIC for t in tracks):
        return Status.ONLY_AUTOMATIC
    return Status.NO_CAPTIONS


def compliance_of(recording, *, policy, today: dt.date) -> Compliance:
    tracks = list(recording.tracks.all())
    languages = {lang: language_status(tracks, lang) for lang in required_languages(policy)}
    status = min(languages.values(), key=_RANK.index)
    result = Compliance(status=status, languages=languages)
    if status == Status.COMPLIANT:
        return result
    visible = recording.availability in (Availability.PUBLIC, Availability.UNLISTED)
    if recording.is_live_recording:
        start = recording.uploaded_on or recording.recorded_on
        if start is None:
            return result
        result.deadline = start + dt.timedelta(days=policy.deadline_days)
        result.days_left = (result.deadline - today).days
        if result.days_left < 0:
            result.deadline_state = DeadlineState.OVERDUE
        elif result.days_left <= DUE_SOON_DAYS:
            result.deadline_state = DeadlineState.DUE_SOON
        else:
            result.deadline_state = DeadlineState.DUE
    elif visible and recording.uploaded_on:
        result.deadline = recording.uploaded_on
        result.days_left = (recording.uploaded_on - today).days
        result.deadline_state = DeadlineState.OVERDUE
    else:
        result.deadline_state = DeadlineState.BEFORE_PUBLISHING
    return result
