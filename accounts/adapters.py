from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """Save the language a person signs up in, so that e-mails follow it."""

    def save_user(self, request, user, form, commit=True):  # noqa: FBT002 - allauth's signature
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email.lower()
        user.language = translation.get_language() or "fi"
        if commit:
            user.save()
        return user
