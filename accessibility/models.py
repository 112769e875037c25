"""The caption policy and the accessibility statement (both single, editable rows)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .checks import DEFAULTS


class SingletonModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class CaptionPolicy(SingletonModel):
    """Thresholds for caption checks; defaults and their sources are in accessibility/checks.py."""

    required_languages = models.CharField(
        _("required languages"),
        max_length=100,
        default="fi",
        help_text=_("Comma-separated language codes."),
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("days to caption a live recording"), default=14
    )
    max_chars_per_line_warning = models.PositiveSmallIntegerField(
        default=DEFAULTS.max_chars_per_line_warning
    )
    max_chars_per_line_error = models.PositiveSmallIntegerField(
        default=DEFAULTS.max_chars_per_line_error
    )
    max_lines_per_cue = models.PositiveSmallIntegerField(default=DEFAULTS.max_lines_per_cue)
    min_cue_seconds = models.FloatField(default=DEFAULTS.min_cue_seconds)
    max_cue_seconds_warning = models.FloatField(default=DEFAULTS.max_cue_seconds_warning)
    max_cps_warning = models.FloatField(default=DEFAULTS.max_cps_warning)
    max_cps_error = models.FloatField(default=DEFAULTS.max_cps_error)
    min_gap_seconds_warning = models.FloatField(default=DEFAULTS.min_gap_seconds_warning)
    min_coverage = models.FloatField(
        default=DEFAULTS.min_coverage, help_text=_("Share of the video with captions.")
    )
    max_silent_stretch_seconds = models.FloatField(default=DEFAULTS.max_silent_stretch_seconds)

    class Meta:
        verbose_name = _("caption policy")
        verbose_name_plural = _("caption policy")

    def __str__(self) -> str:
        return str(_("Caption policy"))


class AccessibilityStatement(SingletonModel):
    compliance_status = models.CharField(
        _("compliance"),
        max_length=20,
        default="partial",
        choices=[
            ("full", _("Fully compliant")),
            ("partial", _("Partially compliant")),
            ("none", _("Not compliant")),
        ],
    )
    non_accessible_content = models.TextField(
        _("content that is not accessible, and why"), blank=True
    )
    disproportionate_burden = models.TextField(
        _("disproportionate burden claims"),
        blank=True,
        help_text=_(
            "Content left inaccessible because fixing it would be a disproportionate "
            "burden, and why (temporary, documented)."
        ),
    )
    accessible_alternatives = models.TextField(_("accessible alternatives"), blank=True)
    prepared_on = models.DateField(_("statement prepared"), null=True, blank=True)
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    assessment_method = models.CharField(
        _("how accessibility was assessed"), max_length=200, blank=True
    )
    feedback_contact = models.TextField(_("feedback channel"), blank=True)
    feedback_email = models.EmailField(_("feedback e-mail address"), blank=True)
    feedback_form_enabled = models.BooleanField(
        _("feedback form on the statement page"), default=True
    )
    feedback_answer_days = models.PositiveSmallIntegerField(
        _("days to answer feedback"),
        default=14,
        help_text=_(
            "The Act on the Provision of Digital Services (306/2019) gives the organisation "
            "14 days to answer feedback on accessibility."
        ),
    )
    authority_name = models.CharField(_("supervisory authority"), max_length=200, blank=True)
    authority_url = models.URLField(_("supervisory authority's website"), blank=True)
    authority_email = models.EmailField(_("supervisory authority's e-mail address"), blank=True)
    authority_phone = models.CharField(
        _("supervisory authority's telephone number"), max_length=50, blank=True
    )
    authority_address = models.TextField(_("supervisory authority's postal address"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")

    def __str__(self) -> str:
        return str(_("Accessibility statement"))

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1, defaults=dict(AUTHORITY_SEED))
        return obj


# The authority in charge of accessibility supervision since 1.1.2026, when Lupa- ja
# valvontavirasto took over the work of Etelä-Suomen aluehallintovirasto. Seeded into empty
# fields only (migration 0003 and a new statement row); staff edit it. E-mail, telephone and
# address are left for staff to fill from the authority's own site.
AUTHORITY_SEED = (
    ("authority_name_fi", "Lupa- ja valvontavirasto"),
    ("authority_name_sv", "Tillstånds- och tillsynsverket"),
    ("authority_name_en", "Finnish Permit and Supervisory Agency"),
    ("authority_url", "https://www.saavutettavuusvaatimukset.fi"),
)


class FeedbackChannel(models.TextChoices):
    FORM = "form", _("Form on the statement page")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telephone")
    OTHER = "other", _("Other")


class AccessibilityFeedback(models.Model):
    """Feedback on accessibility, answered within the statement's feedback_answer_days.

    ``contact`` is personal data: only staff see it (docs/privacy.md)."""

    received_on = models.DateField(_("received"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=FeedbackChannel.choices, default=FeedbackChannel.FORM
    )
    message = models.TextField(_("feedback"))
    contact = models.CharField(
        _("contact details"),
        max_length=200,
        blank=True,
        help_text=_("E-mail address or telephone number, if the sender wants an answer."),
    )
    about_url = models.URLField(_("page the feedback is about"), max_length=500, blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    answer_summary = models.TextField(_("summary of the answer"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.get_channel_display()}"

    def due_on(self, answer_days: int) -> dt.date:
        return self.received_on + dt.timedelta(days=answer_days)
