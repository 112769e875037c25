"""Factories for accounts: people, with a verified address and, for staff, a TOTP app."""

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.fi")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **_kwargs):  # noqa: N805 - factory_boy passes the built object
        """allauth wants a verified EmailAddress for mandatory verification logins."""
        if create and extracted is not False:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def with_totp(obj, create, extracted, **_kwargs):  # noqa: N805 - factory_boy passes the built object
        """`UserFactory(with_totp=True)`: an authenticator app is set up (as staff must);
        the secret is kept on `obj.totp_secret` so a test can compute the code."""
        if create and extracted:
            obj.save()
            obj.totp_secret = generate_totp_secret()
            TOTP.activate(obj, obj.totp_secret)


def totp_code(user) -> str:
    """The authenticator app's current code for a user made with `with_totp=True`."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(user.totp_secret, counter))
