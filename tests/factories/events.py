"""factory_boy factories shared by the whole suite."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from accounts.models import User
from events.models import (
    Event,
    EventKind,
    EventStatus,
    Presenter,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Series,
    Theme,
)
from networks.models import Membership, MembershipStatus, Network, Organisation, Sector
from recordings.models import CaptionTrack, Recording

HELSINKI = ZoneInfo("Europe/Helsinki")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.fi")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """allauth wants a verified EmailAddress for mandatory verification logins."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def with_totp(obj, create, extracted, **kwargs):
        """`UserFactory(with_totp=True)`: an authenticator app is set up (as staff must);
        the secret is kept on `obj.totp_secret` so a test can compute the code."""
        if create and extracted:
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            obj.save()
            obj.totp_secret = generate_totp_secret()
            TOTP.activate(obj, obj.totp_secret)


def totp_code(user) -> str:
    """The authenticator app's current code for a user made with `with_totp=True`."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(user.totp_secret, counter))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.NGO
    municipality = "Kuopio"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    title = factory.Sequence(lambda n: f"Theme {n}")


class PresenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presenter

    name = factory.Sequence(lambda n: f"Presenter {n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Series {n}")
    kind = EventKind.KOHTAAMO
    meeting_url = "https://teams.microsoft.com/l/meetup-join/demo"


def _future_start(n: int) -> dt.datetime:
    base = timezone.now().astimezone(HELSINKI).replace(hour=14, minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=7 + n)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = EventKind.WORKSHOP
    title = factory.Sequence(lambda n: f"Event {n}")
    starts_at = factory.Sequence(_future_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    status = EventStatus.PUBLISHED
    registration_mode = RegistrationMode.REGISTRATION
    meeting_url = "https://teams.microsoft.com/l/meetup-join/demo"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.display_name if o.user else "Guest")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "guest@example.fi")
    status = RegistrationStatus.CONFIRMED


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    network = factory.SubFactory(NetworkFactory)
    user = factory.SubFactory(UserFactory)
    status = MembershipStatus.ACTIVE
    joined_on = factory.LazyFunction(lambda: timezone.localdate())


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recording

    url = factory.Sequence(lambda n: f"https://www.youtube.com/watch?v=demo{n:07d}")
    title = factory.Sequence(lambda n: f"Recording {n}")
    duration_seconds = 3600


class CaptionTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaptionTrack

    recording = factory.SubFactory(RecordingFactory)
    language = "fi"
