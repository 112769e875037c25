"""The bases of errors: a domain error (a message meant for the person, translated when
shown) and an outside service's error (a kind, the message for it, details for the log)."""

from collections.abc import Mapping
from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    default_message = _("This cannot be done.")

    def __init__(self, message=None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class ServiceError(Exception):
    """A call to an outside service (Microsoft Graph, YouTube) that did not succeed.

    ``kind`` is one of the subclass's ``messages``; ``message`` is for the person (lazy,
    translated when shown); ``status`` (HTTP), ``code`` (the service's own error code) and
    ``detail`` (the service's English text, never a secret or a token) are for logs and the
    administrator.
    """

    messages: ClassVar[Mapping[str, Promise]] = {}
    transient_kinds: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        kind: str,
        message: str | Promise | None = None,
        *,
        status: int | None = None,
        code: str = "",
        detail: str = "",
    ) -> None:
        if kind not in self.messages:
            raise ValueError(f"unknown {type(self).__name__} kind {kind!r}")
        self.kind = kind
        self.message = self.messages[kind] if message is None else message
        self.status = status
        self.code = code
        self.detail = detail
        super().__init__(kind)

    @property
    def transient(self) -> bool:
        """Trying again later may succeed."""
        return self.kind in self.transient_kinds

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind!r}, status={self.status!r}, code={self.code!r})"
