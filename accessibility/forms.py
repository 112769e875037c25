from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityFeedback, AccessibilityStatement, CaptionPolicy, FeedbackChannel
from .services import POLICY_FIELDS, STATEMENT_FIELDS
from .translation import TRANSLATED_STATEMENT_FIELDS

POLICY_LABELS = {
    "max_chars_per_line_warning": _("Characters per line: warning above"),
    "max_chars_per_line_error": _("Characters per line: error above"),
    "max_lines_per_cue": _("Lines per cue: at most"),
    "min_cue_seconds": _("Cue duration: error below (seconds)"),
    "max_cue_seconds_warning": _("Cue duration: warning above (seconds)"),
    "max_cps_warning": _("Reading speed: warning above (characters per second)"),
    "max_cps_error": _("Reading speed: error above (characters per second)"),
    "min_gap_seconds_warning": _("Gap between cues: warning below (seconds)"),
    "min_coverage": _("Coverage: error below (share of the video, 0–1)"),
    "max_silent_stretch_seconds": _("Longest stretch without captions: warning above (seconds)"),
}


class CaptionPolicyForm(forms.ModelForm):
    class Meta:
        model = CaptionPolicy
        fields = list(POLICY_FIELDS)
        labels = POLICY_LABELS

    def clean_required_languages(self) -> str:
        value = self.cleaned_data["required_languages"]
        langs = [part.strip().lower() for part in value.split(",") if part.strip()]
        if not langs or any(not part.isalpha() or len(part) > 8 for part in langs):
            raise forms.ValidationError(_("Give language codes separated by commas, e.g. fi, sv."))
        return ", ".join(langs)

    def clean(self):
        data = super().clean()
        warn, err = data.get("max_chars_per_line_warning"), data.get("max_chars_per_line_error")
        if warn is not None and err is not None and warn > err:
            self.add_error(
                "max_chars_per_line_warning", _("The warning limit is above the error limit.")
            )
        warn, err = data.get("max_cps_warning"), data.get("max_cps_error")
        if warn is not None and err is not None and warn > err:
            self.add_error("max_cps_warning", _("The warning limit is above the error limit."))
        coverage = data.get("min_coverage")
        if coverage is not None and not 0 <= coverage <= 1:
            self.add_error("min_coverage", _("Give a share between 0 and 1."))
        for name in (
            "min_cue_seconds",
            "max_cue_seconds_warning",
            "max_cps_warning",
            "max_cps_error",
            "min_gap_seconds_warning",
            "max_silent_stretch_seconds",
        ):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Give a number that is zero or more."))
        return data


def _language_labels() -> dict:
    """'Feedback channel (Swedish)' for feedback_contact_sv, and so on."""
    labels = {}
    for name in TRANSLATED_STATEMENT_FIELDS:
        base = AccessibilityStatement._meta.get_field(name).verbose_name
        for code, language in settings.LANGUAGES:
            labels[f"{name}_{code}"] = format_lazy("{} ({})", base, language)
    return labels


# A browser's date field needs ISO dates, whatever the language's date format.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

AUTHORITY_CONTACT_HELP = _(
    "Fill in from the supervisory authority's own website "
    "(saavutettavuusvaatimukset.fi); left out of the statement while empty."
)


def _https_urls(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class StatementForm(forms.ModelForm):
    class Meta:
        model = AccessibilityStatement
        formfield_callback = _https_urls
        fields = list(STATEMENT_FIELDS)
        labels = _language_labels()
        help_texts = {
            "authority_email": AUTHORITY_CONTACT_HELP,
            "authority_phone": AUTHORITY_CONTACT_HELP,
            **{
                f"authority_address_{code}": AUTHORITY_CONTACT_HELP
                for code, _language in settings.LANGUAGES
            },
        }
        widgets = {
            "prepared_on": DATE_WIDGET,
            "reviewed_on": DATE_WIDGET,
            **{
                f"{name}_{code}": forms.Textarea(attrs={"rows": 3})
                for name in ("assessment_method", "authority_name")
                for code, _language in settings.LANGUAGES
            },
        }


class PublicFeedbackForm(forms.Form):
    """The statement page's own feedback form: anyone may send it."""

    message = forms.CharField(
        label=_("Your feedback"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Tell us what was hard to use and where."),
    )
    about_url = forms.URLField(
        label=_("Address of the page or recording (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    contact = forms.CharField(
        label=_("Your e-mail address or telephone number (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only if you want an answer. Only our staff see it."),
    )


class FeedbackRecordForm(forms.ModelForm):
    """Staff record feedback that arrived by e-mail or telephone."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[c for c in FeedbackChannel.choices if c[0] != FeedbackChannel.FORM],
    )

    class Meta:
        model = AccessibilityFeedback
        formfield_callback = _https_urls
        fields = ["received_on", "channel", "message", "contact", "about_url"]
        widgets = {
            "received_on": DATE_WIDGET,
            "message": forms.Textarea(attrs={"rows": 4}),
        }


class FeedbackAnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE_WIDGET)
    answer_summary = forms.CharField(
        label=_("Summary of the answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
