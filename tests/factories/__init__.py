"""factory_boy factories shared by the whole suite, one module per app.

Tests import from here (`from tests.factories import EventFactory`); a new factory goes into
its app's module and is added to the imports and `__all__` below.
"""

from ._common import HELSINKI
from .accounts import UserFactory, totp_code
from .events import (
    EventFactory,
    PresenterFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
)
from .networks import MembershipFactory, NetworkFactory, OrganisationFactory
from .recordings import CaptionTrackFactory, RecordingFactory

__all__ = [
    "HELSINKI",
    "CaptionTrackFactory",
    "EventFactory",
    "MembershipFactory",
    "NetworkFactory",
    "OrganisationFactory",
    "PresenterFactory",
    "RecordingFactory",
    "RegistrationFactory",
    "SeriesFactory",
    "ThemeFactory",
    "UserFactory",
    "totp_code",
]
