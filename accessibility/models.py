"""The caption policy and the accessibility statement (both single, editable rows)."""

from __future__ import annotations

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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")

    def __str__(self) -> str:
        return str(_("Accessibility statement"))
