"""Forms of the organiser pages: themes, presenters, series, events, materials, cancelling,
planning a term and assigning themes to its sessions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from kohtaamo.uploads import upload_limit
from microsoft365.config import graph_configured

from ..forms import DATE_WIDGET, DATETIME_WIDGET
from ..models import Event, EventStatus, Presenter, Series, Theme
from .services import EVENT_FIELDS


class PlanningRecordForm(forms.ModelForm):
    """A theme, presenter or series form: `unsaved()` gives the row to save and its
    many-to-many values, for events.planning.services.save_planning_record."""

    def unsaved(self) -> tuple[models.Model, dict[str, object]]:
        return self.save(commit=False), {}


class ThemeForm(PlanningRecordForm):
    class Meta:
        model = Theme
        fields = ["title", "description", "keywords"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"keywords": _("Separate keywords with commas.")}


class PresenterForm(PlanningRecordForm):
    user_email = forms.EmailField(
        label=_("E-mail of the presenter's user account"),
        required=False,
        help_text=_("Optional: links the presenter to a person who has an account."),
    )

    class Meta:
        model = Presenter
        fields = ["name", "title", "organisation", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["user_email"].initial = self.instance.user.email

    def clean_user_email(self):
        email = self.cleaned_data["user_email"].strip()
        if not email:
            return None
        person = get_user_model().objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(_("No account has this e-mail address."))
        return person

    def unsaved(self) -> tuple[models.Model, dict[str, object]]:
        presenter = self.save(commit=False)
        presenter.user = self.cleaned_data["user_email"]
        return presenter, {}


# Shown only when Microsoft Graph is configured (microsoft365.config.graph_configured).
TEAMS_SERIES_FIELDS = ("teams_meetings_by_default", "teams_attendance_autosave")
TEAMS_EVENT_FIELDS = ("teams_meeting_wanted",)


class SeriesForm(PlanningRecordForm):
    class Meta:
        model = Series
        fields = [
            "name",
            "kind",
            "description",
            "weekday",
            "start_time",
            "duration_minutes",
            "format",
            "meeting_url",
            "place",
            "capacity",
            "registration_mode",
            "organisers",
            *TEAMS_SERIES_FIELDS,
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisers"].queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.ORGANISER.value)
            .order_by("email")
            .distinct()
        )
        if not graph_configured():  # without Microsoft 365 there is no Teams choice
            for name in TEAMS_SERIES_FIELDS:
                del self.fields[name]

    def unsaved(self) -> tuple[models.Model, dict[str, object]]:
        return self.save(commit=False), {"organisers": self.cleaned_data["organisers"]}


class EventForm(forms.ModelForm):
    """Every field of an event; saved through events.planning.services (create/update_event)."""

    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_opens_at": DATETIME_WIDGET,
            "registration_closes_at": DATETIME_WIDGET,
        }
        help_texts = {
            "starts_at": _("Helsinki time."),
            "ends_at": _("Helsinki time."),
            "audience_networks": _("Only when the audience is members of chosen networks."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        if self.instance.status != EventStatus.CANCELLED:
            status.choices = [c for c in status.choices if c[0] != EventStatus.CANCELLED]
        else:
            status.disabled = True
        self.fields["theme"].queryset = Theme.objects.order_by("title")
        self.fields["presenters"].queryset = Presenter.objects.order_by("name")
        if not graph_configured():  # without Microsoft 365 there is no Teams choice
            for name in TEAMS_EVENT_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("audience") == "networks" and not data.get("audience_networks"):
            self.add_error("audience_networks", _("Choose at least one network."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["presenters"] = list(data.get("presenters") or [])
        data["audience_networks"] = list(data.get("audience_networks") or [])
        if self.fields["status"].disabled:
            data.pop("status", None)
        return data


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("Slides (PDF)"),
        required=False,
        help_text=_("A PDF file, at most %(mb)s MB.")
        % {"mb": upload_limit("slides") // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    url = forms.URLField(
        label=_("Or a link"), required=False, max_length=500, assume_scheme="https"
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url"):
            raise forms.ValidationError(_("Choose a PDF file or give a link."))
        return data


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (told to the registered people)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class PlanTermForm(forms.Form):
    series = forms.ModelChoiceField(label=_("Series"), queryset=Series.objects.all())
    first_date = forms.DateField(label=_("First date"), widget=DATE_WIDGET)
    last_date = forms.DateField(label=_("Last date"), widget=DATE_WIDGET)
    publish = forms.BooleanField(
        label=_("Publish the sessions at once (otherwise they are drafts)"), required=False
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first_date"), data.get("last_date")
        if first and last and last < first:
            self.add_error("last_date", _("The last date must not be before the first date."))
        if first and last and (last - first).days > 3 * 366:
            self.add_error("last_date", _("Plan at most three years at a time."))
        return data


class BreakForm(forms.Form):
    name = forms.CharField(label=_("Name of the break"), max_length=100, required=False)
    start = forms.DateField(label=_("Break starts"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Break ends"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = (self.prefix or "").rsplit("-", 1)[-1]
        if number.isdigit():
            for field in self.fields.values():
                field.label = f"{field.label} ({int(number) + 1})"

    def clean(self):
        data = super().clean()
        name, start, end = data.get("name"), data.get("start"), data.get("end")
        if not (name or start or end):
            return data
        if not (start and end):
            raise forms.ValidationError(_("A break needs a start and an end date."))
        if end < start:
            self.add_error("end", _("The break ends before it starts."))
        if not name:
            self.add_error("name", _("Give the break a name, e.g. “Summer break”."))
        return data


BreakFormSet = forms.formset_factory(BreakForm, extra=3, max_num=12)


def assignment_choices(themes, presenters) -> tuple[list, list]:
    """The theme and presenter choices of the "assign themes" rows, read once for the table
    (each row's own ModelChoiceField would query both lists again)."""
    theme_field = SessionAssignmentForm.base_fields["theme"]
    theme_choices = [("", theme_field.empty_label)]
    theme_choices += [(theme.pk, theme_field.label_from_instance(theme)) for theme in themes]
    presenter_field = SessionAssignmentForm.base_fields["presenters"]
    presenter_choices = [(p.pk, presenter_field.label_from_instance(p)) for p in presenters]
    return theme_choices, presenter_choices


class SessionAssignmentForm(forms.Form):
    """One row of the "assign themes" table; labels name the session's date."""

    event_id = forms.IntegerField(widget=forms.HiddenInput)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    presenters = forms.ModelMultipleChoiceField(
        label=_("Presenters"), queryset=Presenter.objects.none(), required=False
    )

    def __init__(
        self, *args, event: Event | None = None, themes=None, presenters=None, choices=None, **kw
    ):
        super().__init__(*args, **kw)
        self.event = event
        self.fields["theme"].queryset = themes if themes is not None else Theme.objects.all()
        self.fields["presenters"].queryset = (
            presenters if presenters is not None else Presenter.objects.all()
        )
        if choices is not None:  # computed once for all the rows of the table
            self.fields["theme"].choices, self.fields["presenters"].choices = choices
        if event is not None:
            when = date_format(timezone.localtime(event.starts_at), "SHORT_DATE_FORMAT")
            self.fields["theme"].label = _("Theme for %(date)s") % {"date": when}
            self.fields["presenters"].label = _("Presenters for %(date)s") % {"date": when}
