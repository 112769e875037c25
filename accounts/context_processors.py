from django.conf import settings

from . import roles as role_rules


def roles(request):
    user = request.user
    return {
        "is_staff_member": role_rules.is_staff_member(user),
        "can": _AbilityLookup(user),
        "microsoft_login_enabled": "microsoft" in settings.SOCIALACCOUNT_PROVIDERS,
    }


class _AbilityLookup:
    """Templates ask `{% if can.manage_events %}`; the answer comes from accounts.roles.can."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name: str) -> bool:
        try:
            ability = role_rules.Ability(name)
        except ValueError:
            raise AttributeError(name) from None
        return role_rules.can(self._user, ability)
