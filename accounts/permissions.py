"""Entry-point guards (views and API) that ask accounts.roles."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .roles import Ability, can


def ability_required(ability: Ability):
    """View decorator: anonymous → login page; signed in without the ability → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, ability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class AbilityRequiredMixin:
    required_ability: Ability

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can(request.user, self.required_ability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def HasAbility(ability: Ability) -> type[BasePermission]:  # noqa: N802 - reads as a class
    """DRF permission class factory: `permission_classes = [HasAbility(Ability.X)]`."""

    class _HasAbility(BasePermission):
        def has_permission(self, request, view) -> bool:  # noqa: ARG002 - DRF's signature
            return can(request.user, ability)

    _HasAbility.__name__ = f"Has{ability.value.title().replace('_', '')}"
    return _HasAbility
