"""Forms of the attendance pages: check-in, headcount, the Teams report upload and its
confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kohtaamo.uploads import check_upload


class HeadcountForm(forms.Form):
    headcount = forms.IntegerField(
        label=_("Headcount"),
        min_value=0,
        max_value=100000,
        required=False,
        help_text=_("How many took part. Empty clears it."),
    )


class CheckInForm(forms.Form):
    """Bulk check-in: the chosen registrations are marked attended or absent."""

    ATTENDED, ABSENT = "attended", "absent"
    registrations = forms.TypedMultipleChoiceField(
        label=_("Participants"),
        coerce=int,
        error_messages={"required": _("Choose at least one participant.")},
    )
    mark = forms.ChoiceField(
        choices=[(ATTENDED, _("Attended")), (ABSENT, _("Did not come"))],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, registrations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registrations"].choices = [(r.pk, r.display_name) for r in registrations]


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Teams attendance report"),
        help_text=_(
            "The .csv file that Teams gives (attendance list or attendance report), "
            "in any of its languages and encodings."
        ),
    )
    count_hosts = forms.BooleanField(
        label=_("Count organisers and presenters as participants"),
        required=False,
        help_text=_(
            "By default the people whose role in the report is organiser, co-organiser or "
            "presenter are listed apart and not counted, as the participant numbers go to "
            "the funder."
        ),
    )

    def clean_file(self):
        # Before the view reads it: the size and content check every import makes.
        upload = self.cleaned_data["file"]
        check_upload(upload, kind="teams-report")
        return upload


class AttendanceConfirmForm(forms.Form):
    """What the organiser confirms on the preview (events.attendance.services decides)."""

    belongs_to_event = forms.BooleanField(
        label=_("This report belongs to this event"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the report belongs to this event although its date or title differs, "
            "for example: the session was moved and the meeting link kept. Recorded in the "
            "audit log."
        ),
    )
    merge = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, ask_reason: bool = True, **kwargs):
        kwargs.setdefault("prefix", "confirm")
        super().__init__(*args, **kwargs)
        if not ask_reason:
            del self.fields["belongs_to_event"], self.fields["reason"]


class TeamsFetchForm(forms.Form):
    """Fetch the attendance of the event's Teams meeting from Microsoft 365 (a preview)."""

    count_hosts = forms.BooleanField(
        label=_("Count organisers and presenters as participants"),
        required=False,
        help_text=AttendanceUploadForm.base_fields["count_hosts"].help_text,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "teams")
        super().__init__(*args, **kwargs)
