"""manage.py check_microsoft365: what works of the Graph connection, line by line.

Configuration, token, the application permissions in the token, the organiser's mailbox,
its calendar (Teams meetings allowed) and its online meetings (the Teams application access
policy). Exit code 1 if a check failed; without configuration it says so and exits 0. Never
prints a secret or a token.

Written in the site's language (LANGUAGE_CODE) once translated; a failed check shows the
GraphError message an organiser would see.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from microsoft365.config import GraphConfig, graph_config
from microsoft365.errors import NOT_FOUND, GraphError
from microsoft365.graph import GraphClient, acquire_token
from microsoft365.meetings import odata_string

REQUIRED_ROLES = (
    "Calendars.ReadWrite",
    "OnlineMeetings.ReadWrite.All",
    "OnlineMeetingArtifact.Read.All",
    "User.Read.All",
)
# A join URL no meeting has: the answer tells whether online meetings may be read at all.
PROBE_JOIN_URL = "https://teams.microsoft.com/l/meetup-join/kohtaamo-connection-check"

OK, FAILED, SKIPPED = "OK", "FAILED", "SKIPPED"
# The checks' names (a context of their own: "token" means something else elsewhere).
CONFIGURATION = pgettext_lazy("connection check", "configuration")
TOKEN = pgettext_lazy("connection check", "token")
PERMISSIONS = pgettext_lazy("connection check", "permissions")
ORGANISER = pgettext_lazy("connection check", "organiser")
CALENDAR = pgettext_lazy("connection check", "calendar")
ONLINE_MEETINGS = pgettext_lazy("connection check", "online meetings")


def token_roles(token: str) -> list[str] | None:
    """The application permissions (``roles``) an access token carries, read without
    verifying it (Graph verifies it); None when it cannot be read."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    roles = claims.get("roles") if isinstance(claims, dict) else None
    return [str(role) for role in roles] if isinstance(roles, list) else None


def _failure(error: GraphError) -> str:
    code = f" [{error.code}]" if error.code else ""
    return f"{error}{code}"


class Command(BaseCommand):
    help = "Check the Microsoft 365 (Graph) connection and say what works (docs/microsoft365.md)."

    def handle(self, *args, **options):
        config = graph_config()
        if config.missing:
            self.stdout.write(
                _("Microsoft 365 is not configured (missing: %(names)s); nothing to check.")
                % {"names": ", ".join(config.missing)}
            )
            return
        self.failed = 0
        self.report(OK, CONFIGURATION, self._describe(config))
        try:
            token = acquire_token(config)
        except GraphError as error:
            self.report(FAILED, TOKEN, _failure(error))
            for label in (PERMISSIONS, ORGANISER, CALENDAR, ONLINE_MEETINGS):
                self.report(SKIPPED, label, _("needs a token"))
            self._finish()
            return
        self.report(OK, TOKEN, _("acquired from %(host)s") % {"host": config.authority_host})
        self._permissions(token)
        graph = GraphClient(config=config)
        self._check(ORGANISER, lambda: self._organiser(graph))
        self._check(CALENDAR, lambda: self._calendar(graph))
        self._check(ONLINE_MEETINGS, lambda: self._online_meetings(graph))
        self._finish()

    def report(self, status: str, label: str | Promise, text: str) -> None:
        if status == FAILED:
            self.failed += 1
        style = {OK: self.style.SUCCESS, FAILED: self.style.ERROR}.get(status, self.style.WARNING)
        self.stdout.write(f"{style(status.ljust(7))} {label}: {text}")

    def _check(self, label: str | Promise, check: Callable[[], tuple[bool, str]]) -> None:
        try:
            ok, text = check()
        except GraphError as error:
            ok, text = False, _failure(error)
        self.report(OK if ok else FAILED, label, text)

    def _finish(self) -> None:
        if self.failed:
            raise CommandError(
                _("%(count)s check(s) failed; see docs/microsoft365.md.") % {"count": self.failed},
                returncode=1,
            )

    @staticmethod
    def _describe(config: GraphConfig) -> str:
        credential = _("certificate") if config.uses_certificate else _("client secret")
        return _(
            "tenant %(tenant)s, application %(client)s, organiser %(organiser)s, "
            "%(credential)s, %(endpoint)s"
        ) % {
            "tenant": config.tenant_id,
            "client": config.client_id,
            "organiser": config.organiser,
            "credential": credential,
            "endpoint": config.endpoint,
        }

    def _permissions(self, token: str) -> None:
        roles = token_roles(token)
        if roles is None:
            self.report(SKIPPED, PERMISSIONS, _("the token's permissions cannot be read"))
            return
        missing = [role for role in REQUIRED_ROLES if role not in roles]
        if missing:
            self.report(
                FAILED,
                PERMISSIONS,
                _("missing application permissions (grant them and admin consent): %(roles)s")
                % {"roles": ", ".join(missing)},
            )
        else:
            self.report(OK, PERMISSIONS, ", ".join(REQUIRED_ROLES))

    @staticmethod
    def _organiser(graph: GraphClient) -> tuple[bool, str]:
        user = graph.get(
            graph.user_path(), params={"$select": "id,displayName,mail,userPrincipalName"}
        )
        address = user.get("mail") or user.get("userPrincipalName") or ""
        return True, _("mailbox %(name)s <%(address)s> is readable") % {
            "name": user.get("displayName") or "",
            "address": address,
        }

    @staticmethod
    def _calendar(graph: GraphClient) -> tuple[bool, str]:
        calendar = graph.get(
            graph.user_path("calendar"),
            params={"$select": "name,allowedOnlineMeetingProviders,defaultOnlineMeetingProvider"},
        )
        providers = calendar.get("allowedOnlineMeetingProviders") or []
        if "teamsForBusiness" not in providers:
            return False, _(
                "the calendar does not allow Teams meetings (allowed: %(providers)s)"
            ) % {"providers": ", ".join(providers) or "-"}
        return True, _("readable; Teams meetings allowed")

    @staticmethod
    def _online_meetings(graph: GraphClient) -> tuple[bool, str]:
        try:
            graph.get(
                graph.user_path("onlineMeetings"),
                params={"$filter": f"JoinWebUrl eq {odata_string(PROBE_JOIN_URL)}"},
            )
        except GraphError as error:
            if error.kind != NOT_FOUND:  # "no such meeting" means reading them is allowed
                raise
        return True, _("readable (the Teams application access policy is granted)")
