"""The one error of the YouTube connection: ``YouTubeError(kind)``, with a message a person
can act on (translated when shown) and details for the administrator (never a token)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kohtaamo.errors import DomainError, ServiceError

NOT_CONNECTED = "not_connected"
REVOKED = "revoked"
QUOTA_EXCEEDED = "quota_exceeded"
NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"
UNAVAILABLE = "unavailable"

MESSAGES: dict[str, Promise] = {
    NOT_CONNECTED: _(
        "The YouTube channel is not connected. Ask an administrator to connect it "
        "(see docs/youtube.md)."
    ),
    REVOKED: _(
        "YouTube no longer accepts Kohtaamo's access to the channel: it was revoked or has "
        "expired. Ask an administrator to connect the channel again."
    ),
    QUOTA_EXCEEDED: _(
        "Today's YouTube quota is used up. The work continues after midnight Pacific time."
    ),
    NOT_FOUND: _("YouTube no longer has this video: it may have been deleted."),
    FORBIDDEN: _(
        "YouTube refused the request: the connected account may not manage this video. "
        "Ask an administrator."
    ),
    UNAVAILABLE: _("YouTube did not answer in time. Try again later."),
}
KINDS = frozenset(MESSAGES)
TRANSIENT_KINDS = frozenset({UNAVAILABLE, QUOTA_EXCEEDED})


class YouTubeError(ServiceError):
    """A YouTube call that did not succeed; ``code`` (also ``reason``) is Google's error
    reason, e.g. quotaExceeded."""

    messages = MESSAGES
    transient_kinds = TRANSIENT_KINDS

    @property
    def reason(self) -> str:
        """Google's name for its error code."""
        return self.code


class QuotaExhaustedError(DomainError):
    """Spending the units of an operation would take today's use past the daily quota."""

    default_message = _(
        "Today's YouTube quota is used up. The work continues after midnight Pacific time."
    )

    def __init__(self, message=None, *, operation: str = "", cost: int = 0, remaining: int = 0):
        self.operation = operation
        self.cost = cost
        self.remaining = remaining
        super().__init__(message)
