"""The one place that answers "must this person use a second factor, and do they".

Staff handle other people's personal data, so they must have a second factor
(allauth.mfa: an authenticator app or a passkey) unless this session was opened
through Entra ID (the Microsoft provider), whose own policy applies. Members and
guests are never forced. accounts.middleware.SecondFactorMiddleware enforces it;
the admin's user list shows it.

The answer is worked out when a person signs in and kept in the session, so a page
costs no query for it once the answer is "no": a role granted later applies from the
next sign-in. Removing an authenticator works it out again at once.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.db.models import Exists, OuterRef, Q

from .roles import Role, is_staff_member

# Recovery codes alone are not a factor: they only back up one of these.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
ENTRA_PROVIDER = "microsoft"


def requires_second_factor(user) -> bool:
    """Administrator, organiser, communications, reporting or network coordinator."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or is_staff_member(user):
        return True
    return user.coordinated_networks.exists()


def staff_accounts_q() -> Q:
    """The same rule as requires_second_factor, as a filter on users."""
    return (
        Q(is_staff=True)
        | Q(is_superuser=True)
        | Q(groups__name__in=[role.value for role in Role])
        | Q(coordinated_networks__isnull=False)
    )


def has_second_factor(user) -> bool:
    """Has the person set up an authenticator app or a passkey?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def second_factor_exists():
    """An Exists() to annotate a user queryset with has_second_factor."""
    return Exists(Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTOR_TYPES))


def signed_in_with_entra(request, user) -> bool:
    """Was this session opened (by this user) through the Microsoft (Entra ID) provider?"""
    return any(
        record.get("method") == "socialaccount" and record.get("provider") == ENTRA_PROVIDER
        for record in get_authentication_records(request, user)
    )


def must_set_up_second_factor(request, user=None) -> bool:
    """Is the person signed in here staff, without a factor and not signed in via Entra ID?"""
    user = user if user is not None else getattr(request, "user", None)
    if not requires_second_factor(user) or has_second_factor(user):
        return False
    return not signed_in_with_entra(request, user)


SESSION_KEY = "kohtaamo_second_factor_missing"


def remember_for_session(request, user=None) -> bool:
    """Work out must_set_up_second_factor and keep it in the session."""
    missing = must_set_up_second_factor(request, user)
    request.session[SESSION_KEY] = missing
    return missing


def session_must_set_up(request) -> bool:
    """The kept answer for this session. A "yes" (or none yet, for a session older than
    this rule) is worked out again, so setting up a factor lets the person in at once."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return False
    if request.session.get(SESSION_KEY, True):
        return remember_for_session(request)
    return False


def _on_change(sender, request=None, user=None, **kwargs) -> None:  # noqa: ARG001 - a receiver
    if request is not None and hasattr(request, "session"):
        remember_for_session(request, user)


def connect() -> None:
    user_logged_in.connect(_on_change, dispatch_uid="kohtaamo_second_factor_login")
    authenticator_added.connect(_on_change, dispatch_uid="kohtaamo_second_factor_added")
    authenticator_removed.connect(_on_change, dispatch_uid="kohtaamo_second_factor_removed")
