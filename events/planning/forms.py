"""Forms of the organiser pages: themes, presenters, series, events, materials, cancelling,
planning a term and assigning themes to its sessions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role
from kohtaamo.uploads import upload_limit
from microsoft365.config import graph_configured

from ..forms import DATE_WIDGET, DATETIME_WIDGET
from ..models import Event, EventStatus, Presenter, Series, Theme
from .scheduling import SessionOverride
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
        fields = ["name", "title", "organisation", "bio", "public_page_consent"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        labels = {"bio": _("Short introduction")}
        help_texts = {"bio": _("Shown on the public page, if the presenter agreed to one.")}

    field_order = ["name", "title", "organisation", "bio", "user_email", "public_page_consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["user_email"].initial = self.instance.user.email
        recorded_at = self.instance.consent_recorded_at
        if recorded_at:
            consent = self.fields["public_page_consent"]
            when = date_format(timezone.localtime(recorded_at), "SHORT_DATETIME_FORMAT")
            who = getattr(self.instance.consent_recorded_by, "email", "–")
            recorded = (
                _("Consent recorded %(when)s by %(who)s.")
                if self.instance.public_page_consent
                else _("Consent withdrawn %(when)s, recorded by %(who)s.")
            )
            consent.help_text = f"{consent.help_text} {recorded % {'when': when, 'who': who}}"

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


def presenter_picker_attrs() -> dict:
    """What static/js/checkbox-picker.js needs to turn a presenters multi-select into a text
    filter and checkboxes (the event form and the "assign themes" table)."""
    return {
        "data-picker": "",
        "data-picker-filter-label": _("Find by name, title or organisation"),
        "data-picker-status": _("Shown: %(shown)s of %(total)s"),
        "data-picker-none": _("No presenter matches “%(text)s”."),
        "data-picker-chosen": _("Chosen: %(names)s"),
        "data-picker-nothing-chosen": _("No presenters chosen."),
    }


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
        presenters = self.fields["presenters"]
        presenters.queryset = Presenter.objects.order_by("name", "pk")
        presenters.label_from_instance = presenter_choice_label  # namesakes told apart
        presenters.widget.attrs.update(presenter_picker_attrs())
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
        label=_("Reason (told to the registered people and shown on the public page of the event)"),
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
        elif number == "__prefix__":  # the formset's empty form: static/js/formset-rows.js
            for field in self.fields.values():  # numbers the row it adds
                field.label = f"{field.label} (__num__)"

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


# One empty row at first; "Add a break" adds more (static/js/formset-rows.js, or the server
# without JavaScript), up to MAX_BREAKS.
MAX_BREAKS = 30
BreakFormSet = forms.formset_factory(BreakForm, extra=1, max_num=MAX_BREAKS, validate_max=True)


def with_one_more_break(data, prefix: str = "breaks"):
    """The posted plan with one more (empty) break row: "Add a break" without JavaScript."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(min(max(total, 0) + 1, MAX_BREAKS))
    return data


class SessionOverrideForm(forms.Form):
    """One new session of the term preview: its own start time or meeting link."""

    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    meeting_url = forms.URLField(
        label=_("Meeting link"), required=False, max_length=500, assume_scheme="https"
    )

    def __init__(self, *args, day, with_link: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.day = day
        when = date_format(day, "SHORT_DATE_FORMAT")
        self.fields["start_time"].label = _("Start time on %(date)s") % {"date": when}
        self.fields["meeting_url"].label = _("Meeting link on %(date)s") % {"date": when}
        if not with_link:
            del self.fields["meeting_url"]

    def override(self) -> SessionOverride:
        data = self.cleaned_data
        return SessionOverride(data.get("start_time"), data.get("meeting_url") or "")


def assignment_choices(themes, presenters) -> tuple[list, list]:
    """The theme and presenter choices of the "assign themes" rows, read once for the table
    (each row's own ModelChoiceField would query both lists again)."""
    theme_field = SessionAssignmentForm.base_fields["theme"]
    theme_choices = [("", theme_field.empty_label)]
    theme_choices += [(theme.pk, theme_field.label_from_instance(theme)) for theme in themes]
    presenter_choices = [(p.pk, presenter_choice_label(p)) for p in presenters]
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
        self.fields["presenters"].widget.attrs.update(presenter_picker_attrs())
        if choices is not None:  # computed once for all the rows of the table
            self.fields["theme"].choices, self.fields["presenters"].choices = choices
        if event is not None:
            when = date_format(timezone.localtime(event.starts_at), "SHORT_DATE_FORMAT")
            self.fields["theme"].label = _("Theme for %(date)s") % {"date": when}
            self.fields["presenters"].label = _("Presenters for %(date)s") % {"date": when}


class MergePresentersForm(forms.Form):
    """Two presenters who are one person: which other one, and which of the two is kept."""

    other = forms.ModelChoiceField(
        label=_("The other presenter"),
        queryset=Presenter.objects.none(),
        help_text=_("Presenters with the same name are listed first."),
    )
    keep = forms.ChoiceField(label=_("Which one is kept?"), widget=forms.RadioSelect)

    def __init__(self, *args, presenter: Presenter, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.presenter = presenter
        self.fields["other"].queryset = others
        self.fields["other"].label_from_instance = presenter_choice_label
        self.fields["keep"].choices = [
            (
                "this",
                _("This one: %(presenter)s") % {"presenter": presenter_choice_label(presenter)},
            ),
            ("other", _("The other presenter")),
        ]

    def keep_and_duplicate(self) -> tuple[Presenter, Presenter]:
        other = self.cleaned_data["other"]
        if self.cleaned_data["keep"] == "this":
            return self.presenter, other
        return other, self.presenter


def presenter_choice_label(presenter: Presenter) -> str:
    """“Name, title, organisation – 3 talks”: enough to tell two namesakes apart."""
    details = ", ".join(part for part in (presenter.title, presenter.organisation) if part)
    talks = getattr(presenter, "talks", None)
    label = f"{presenter.name}, {details}" if details else presenter.name
    if talks is None:
        return label
    count = ngettext("%(count)s talk", "%(count)s talks", talks) % {"count": talks}
    return f"{label} – {count}"
