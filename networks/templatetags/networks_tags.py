from django import template

from networks.selectors import memberships_of

register = template.Library()


@register.simple_tag
def my_memberships(user):
    """The person's memberships (profile page): one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(memberships_of(user=user))
