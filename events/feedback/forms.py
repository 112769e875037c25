"""The feedback form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["usefulness", "recommend", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usefulness"].choices = [("", "—")] + [(i, f"{i}") for i in range(1, 6)]
        self.fields["usefulness"].help_text = _("1 = not useful, 5 = very useful")
        self.fields["recommend"].choices = [("", "—")] + [(i, f"{i}") for i in range(11)]
        self.fields["recommend"].help_text = _("0 = not at all likely, 10 = extremely likely")
