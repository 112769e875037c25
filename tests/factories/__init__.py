"""factory_boy factories shared by the whole suite."""

from .events import (
    HELSINKI,
    CaptionTrackFactory,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    PresenterFactory,
    RecordingFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
    totp_code,
)

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
