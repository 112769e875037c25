"""The Graph connection's settings (GRAPH_* in kohtaamo/settings.py), read when used so that
a test's ``settings`` override applies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class GraphConfig:
    tenant_id: str
    client_id: str
    organiser: str
    endpoint: str
    authority_host: str
    scope: str
    timeout: float
    client_secret: str = field(default="", repr=False)
    certificate_path: str = ""
    certificate_thumbprint: str = ""
    certificate_passphrase: str = field(default="", repr=False)

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant_id}"

    @property
    def uses_certificate(self) -> bool:
        """A certificate is preferred when both it and a secret are given."""
        return bool(self.certificate_path)

    @property
    def missing(self) -> list[str]:
        """The settings still to be set before any Graph call (names only, never values)."""
        missing = [
            name
            for name, value in (
                ("GRAPH_TENANT_ID", self.tenant_id),
                ("GRAPH_CLIENT_ID", self.client_id),
                ("GRAPH_ORGANISER", self.organiser),
            )
            if not value
        ]
        if not (self.client_secret or self.certificate_path):
            missing.append("GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH")
        return missing


def graph_config() -> GraphConfig:
    endpoint = getattr(settings, "GRAPH_ENDPOINT", "https://graph.microsoft.com/v1.0").rstrip("/")
    return GraphConfig(
        tenant_id=getattr(settings, "GRAPH_TENANT_ID", ""),
        client_id=getattr(settings, "GRAPH_CLIENT_ID", ""),
        organiser=getattr(settings, "GRAPH_ORGANISER", ""),
        endpoint=endpoint,
        authority_host=getattr(
            settings, "GRAPH_AUTHORITY_HOST", "https://login.microsoftonline.com"
        ).rstrip("/"),
        scope=getattr(settings, "GRAPH_SCOPE", "")
        or "/".join(endpoint.split("/")[:3]) + "/.default",
        timeout=float(getattr(settings, "GRAPH_TIMEOUT_SECONDS", 10.0)),
        client_secret=getattr(settings, "GRAPH_CLIENT_SECRET", ""),
        certificate_path=getattr(settings, "GRAPH_CERTIFICATE_PATH", ""),
        certificate_thumbprint=getattr(settings, "GRAPH_CERTIFICATE_THUMBPRINT", ""),
        certificate_passphrase=getattr(settings, "GRAPH_CERTIFICATE_PASSPHRASE", ""),
    )


def graph_configured() -> bool:
    """True when the tenant, the client id, the organiser and a secret or certificate are
    set; without them no Graph code runs."""
    return not graph_config().missing
