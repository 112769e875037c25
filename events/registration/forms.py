"""Forms of registration: a guest's registration, an organiser registering someone, capacity."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
