"""The one error of the Graph connection: ``GraphError(kind)``, with a message an organiser
can act on (translated when shown) and the details an administrator needs (never a secret or
a token)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kohtaamo.errors import ServiceError

NOT_CONFIGURED = "not_configured"
AUTH = "auth"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
THROTTLED = "throttled"
UNAVAILABLE = "unavailable"
NOT_READY = "not_ready"
BAD_RESPONSE = "bad_response"

MESSAGES: dict[str, Promise] = {
    NOT_CONFIGURED: _(
        "The Microsoft 365 connection is not set up. Ask the administrator to configure it "
        "(see docs/microsoft365.md)."
    ),
    AUTH: _(
        "Microsoft 365 did not accept Kohtaamo's sign-in: the app registration's client "
        "secret or certificate may have expired or be wrong. Ask the administrator to renew it."
    ),
    FORBIDDEN: _(
        "Microsoft 365 refused the request. Either the app registration lacks an application "
        "permission (with admin consent), or the Teams application access policy has not been "
        "granted to the organiser account. Ask the Microsoft 365 administrator."
    ),
    NOT_FOUND: _(
        "Microsoft 365 no longer has this meeting: it may have been deleted in Teams or Outlook."
    ),
    THROTTLED: _(
        "Microsoft 365 is limiting the number of requests right now. Try again in a few minutes."
    ),
    UNAVAILABLE: _("Microsoft 365 did not answer in time. Try again later."),
    NOT_READY: _(
        "The Teams attendance report is not available yet: it appears some minutes after the "
        "meeting has ended. Try again later."
    ),
    BAD_RESPONSE: _(
        "Microsoft 365 gave an answer Kohtaamo cannot use. Try again later; if it happens "
        "again, tell the administrator."
    ),
}
KINDS = frozenset(MESSAGES)
# Kinds that may pass by themselves: a task can try again later.
TRANSIENT_KINDS = frozenset({THROTTLED, UNAVAILABLE, NOT_READY})


class GraphError(ServiceError):
    """A Graph call that did not succeed; ``code`` is Graph's error code or the AADSTS code.
    Transient kinds (throttled, unavailable, report not ready) may pass by themselves."""

    messages = MESSAGES
    transient_kinds = TRANSIENT_KINDS
