from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext

from .rules import session_must_set_up


class UserLanguageMiddleware:
    """A signed-in person without a language cookie gets the language of their profile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SecondFactorMiddleware:
    """A staff member without a second factor may only set one up (or sign out).

    The rule is accounts.rules; this only sends such a person to the setup page,
    with an explanation, from every other page (the API answers 403).
    """

    ALLOWED_URL_NAMES = frozenset(
        {"account_logout", "account_reauthenticate", "set_language", "healthz"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):  # noqa: ARG002 - Django's
        match = request.resolver_match
        name = match.url_name if match is not None else None
        if name and (name.startswith("mfa_") or name in self.ALLOWED_URL_NAMES):
            return None
        if not session_must_set_up(request):
            return None
        explanation = gettext(
            "Your account has a staff role and can see other people's personal data, so "
            "it must be protected with two-factor authentication. Set up an authenticator "
            "app or a security key (passkey) to continue."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": explanation}, status=403)
        messages.warning(request, explanation)
        return redirect("mfa_index")
