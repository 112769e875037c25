"""Factories for events: themes, presenters, series, events and registrations."""

import datetime as dt

import factory
from django.utils import timezone

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

from ._common import HELSINKI
from .accounts import UserFactory


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
