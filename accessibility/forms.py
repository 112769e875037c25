from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityStatement, CaptionPolicy
from .services import POLICY_FIELDS, STATEMENT_FIELDS

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


class StatementForm(forms.ModelForm):
    class Meta:
        model = AccessibilityStatement
        fields = list(STATEMENT_FIELDS)
        widgets = {
            "prepared_on": forms.DateInput(attrs={"type": "date"}),
            "reviewed_on": forms.DateInput(attrs={"type": "date"}),
        }
