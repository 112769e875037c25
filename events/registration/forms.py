"""Forms of registration: a guest's registration, an organiser registering someone, capacity."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ANSWER_FIELDS, Event, InterpretationNeed
from .services import ANSWER_LIMITS, RegistrationAnswers


class RegistrationAnswersForm(forms.Form):
    """The event's registration questions (all optional); only the asked ones are shown.

    Prefixed "answers", so that it sits in the same <form> as the guest's details."""

    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=ANSWER_LIMITS["accessibility_needs"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example a step-free route, an induction loop or a place to sit."),
    )
    interpretation = forms.ChoiceField(
        label=_("Interpretation or captioning"),
        required=False,
        choices=[("", _("Not needed")), *InterpretationNeed.choices],
        widget=forms.RadioSelect,
    )
    diet = forms.CharField(
        label=_("Diet"),
        required=False,
        max_length=ANSWER_LIMITS["diet"],
        help_text=_("For example vegan, gluten-free or a food allergy."),
    )
    question_answer = forms.CharField(
        required=False,
        max_length=ANSWER_LIMITS["question_answer"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        kwargs.setdefault("prefix", "answers")
        super().__init__(*args, **kwargs)
        asked = event.asked_questions
        for name in ANSWER_FIELDS:
            if name not in asked:
                del self.fields[name]
        if "question_answer" in self.fields:
            self.fields["question_answer"].label = event.custom_question
        if "interpretation" in self.fields:
            self.fields["interpretation"].initial = ""

    def answers(self) -> RegistrationAnswers:
        return RegistrationAnswers(
            **{name: self.cleaned_data.get(name) or "" for name in self.fields}
        )


class GuestRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send a link to this address: open it to confirm your registration."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"


class RegisterSomeoneForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("A person with an account is registered with it; others as guests."),
    )
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        required=False,
        help_text=_("Empty means no limit. Raising it moves people off the waitlist."),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "seats")
        super().__init__(*args, **kwargs)


def question_columns(event: Event) -> list[tuple[str, str]]:
    """(answer field, heading) of the questions the event asks, for lists and exports."""
    fields = RegistrationAnswersForm.base_fields
    return [
        (name, event.custom_question if name == "question_answer" else fields[name].label)
        for name in event.asked_questions
    ]


def answer_text(registration, name: str) -> str:
    """One answer as shown to the organiser (the interpretation by its label)."""
    if name == "interpretation":
        return str(registration.get_interpretation_display()) if registration.interpretation else ""
    return getattr(registration, name)
