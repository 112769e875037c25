"""The base of every domain error: a message meant for the person, translated when shown."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    default_message = _("This cannot be done.")

    def __init__(self, message=None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))
