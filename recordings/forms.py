from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, EventStatus
from kohtaamo.uploads import check_upload

LANGUAGE_CHOICES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]


class RecordingForm(forms.Form):
    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.none(),
        required=False,
        help_text=_("The session that was recorded."),
    )
    url = forms.URLField(
        label=_("Video address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("A YouTube address, or another video site's address."),
    )
    is_live_recording = forms.BooleanField(
        label=_("Recording of a live session (may be captioned within the deadline)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        since = timezone.now() - dt.timedelta(days=800)
        self.fields["event"].queryset = (
            Event.objects.filter(starts_at__lte=timezone.now(), starts_at__gte=since)
            .exclude(status=EventStatus.CANCELLED)
            .select_related("theme")
            .order_by("-starts_at")
        )


class CaptionUploadForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="fi")
    file = forms.FileField(
        label=_("Caption file"),
        help_text=_("WebVTT (.vtt) or SubRip (.srt), UTF-8, at most 2 MB."),
    )

    def clean_file(self):
        # Before the view reads it: the size and content check of every caption file.
        upload = self.cleaned_data["file"]
        check_upload(upload, kind="captions")
        return upload


class DeliveryForm(forms.Form):
    file = forms.FileField(
        label=_("Delivered caption file"),
        help_text=_("WebVTT (.vtt) or SubRip (.srt), UTF-8, at most 2 MB."),
    )

    def clean_file(self):
        # Before the view reads it: the size and content check of every caption file.
        upload = self.cleaned_data["file"]
        check_upload(upload, kind="captions")
        return upload


class OrderForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="fi")
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    minutes = forms.DecimalField(
        label=_("Minutes"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Leave empty to use the video's duration."),
    )
    price_per_minute = forms.DecimalField(
        label=_("Price per minute (€)"),
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        initial=Decimal("3.20"),
    )


class PublishForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason for publishing without compliant captions (administrators only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written to the audit log and listed in the accessibility statement."),
    )
