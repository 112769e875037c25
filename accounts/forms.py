from django import forms

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "title",
            "organisation",
            "organisation_name",
            "phone",
            "language",
            "reminders_enabled",
        ]
