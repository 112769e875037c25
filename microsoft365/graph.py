"""A small Microsoft Graph client: an app-only token from MSAL, then ``requests``.

- The token comes from ``ConfidentialClientApplication.acquire_token_for_client`` on one
  application object per configuration, kept in this module: MSAL's in-memory token cache
  answers until the token is about to expire. Tokens are never stored anywhere else (not in
  the database, not in logs).
- Every request has a timeout. Connection errors and 5xx answers are tried again a few times
  with short waits; 429 and 503 wait as long as ``Retry-After`` says (up to
  MAX_RETRY_AFTER_SECONDS; a longer wait is left to the caller, e.g. the task's retry). A
  POST that may already have been carried out (a timeout after sending, a 500) is not sent
  again unless the caller says it is idempotent.
- Lists follow ``@odata.nextLink`` (``get_all``), only on the endpoint's own host.
- Every failure is a ``GraphError`` (errors.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from django.utils import timezone

from .config import GraphConfig, graph_config
from .errors import (
    AUTH,
    BAD_RESPONSE,
    FORBIDDEN,
    NOT_CONFIGURED,
    NOT_FOUND,
    THROTTLED,
    UNAVAILABLE,
    GraphError,
)

__all__ = ["GraphClient", "GraphError", "acquire_token", "reset_token_cache"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # one request and at most three more
BACKOFF_SECONDS = (0.5, 1.0, 2.0)  # before the 2nd, 3rd and 4th attempt
MAX_RETRY_AFTER_SECONDS = 30.0
MAX_PAGES = 500
RETRY_STATUSES = frozenset({500, 502, 503, 504})
_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

# One MSAL application (a msal.ConfidentialClientApplication, with its in-memory token cache)
# for the configuration in use.
_applications: dict[tuple[str, ...], Any] = {}
_applications_lock = threading.Lock()


def _msal() -> Any:
    """MSAL, loaded with the first token rather than when Django starts (the events app
    imports this module; a site without Graph configuration never needs MSAL)."""
    import msal  # noqa: PLC0415 - see the docstring

    return msal


def reset_token_cache() -> None:
    """Forget the MSAL application and its cached token (tests; a token Graph refused)."""
    with _applications_lock:
        _applications.clear()


def _credential(config: GraphConfig) -> str | dict[str, str]:
    """The secret, or the certificate in the form MSAL takes (preferred when given)."""
    if not config.uses_certificate:
        return config.client_secret
    path = Path(config.certificate_path)
    if path.suffix.lower() in {".pfx", ".p12"}:
        credential = {"private_key_pfx_path": str(path)}
    else:
        try:
            pem = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise GraphError(
                NOT_CONFIGURED, code="certificate", detail=f"cannot read {path}: {exc}"
            ) from exc
        credential = {"private_key": pem}
        thumbprint = re.sub(r"[\s:]", "", config.certificate_thumbprint)
        if thumbprint:
            credential["thumbprint"] = thumbprint
        elif certificate := _PEM_CERTIFICATE.search(pem):
            credential["public_certificate"] = certificate.group(0)  # MSAL takes its SHA-256
        else:
            raise GraphError(
                NOT_CONFIGURED,
                code="certificate",
                detail="a PEM file without its certificate needs GRAPH_CERTIFICATE_THUMBPRINT",
            )
    if config.certificate_passphrase:
        credential["passphrase"] = config.certificate_passphrase
    return credential


def _application_key(config: GraphConfig) -> tuple[str, ...]:
    secret = hashlib.sha256(config.client_secret.encode()).hexdigest()
    return (
        config.authority,
        config.client_id,
        secret,
        config.certificate_path,
        config.certificate_thumbprint,
    )


def _application(config: GraphConfig) -> Any:
    key = _application_key(config)
    with _applications_lock:
        application = _applications.get(key)
        if application is not None:
            return application
    if not config.authority_host.startswith("https://"):
        raise GraphError(NOT_CONFIGURED, code="authority", detail="GRAPH_AUTHORITY_HOST: https")
    msal = _msal()
    try:
        # Reads the tenant's OpenID configuration once (instance discovery off, so that a
        # national cloud or a test's stub authority is taken as given).
        application = msal.ConfidentialClientApplication(
            config.client_id,
            authority=config.authority,
            client_credential=_credential(config),
            instance_discovery=False,
            token_cache=msal.TokenCache(),
            timeout=config.timeout,
        )
    except ValueError as exc:  # unknown tenant (4xx from the discovery document), or a bad key
        code = "tenant" if "authority configuration" in str(exc) else "certificate"
        raise GraphError(AUTH, code=code, detail=_first_line(exc)) from exc
    except (requests.RequestException, msal.exceptions.MsalServiceError) as exc:
        raise GraphError(UNAVAILABLE, detail=type(exc).__name__) from exc
    with _applications_lock:
        _applications.clear()  # one configuration at a time
        _applications[key] = application
    return application


def _first_line(value: object) -> str:
    return str(value).strip().splitlines()[0][:300] if str(value).strip() else ""


def acquire_token(config: GraphConfig | None = None) -> str:
    """An app-only access token for Graph, from MSAL's cache while it is valid."""
    config = config or graph_config()
    if config.missing:
        raise GraphError(NOT_CONFIGURED, detail="missing: " + ", ".join(config.missing))
    application = _application(config)
    try:
        result = application.acquire_token_for_client(scopes=[config.scope])
    except (requests.RequestException, _msal().exceptions.MsalServiceError) as exc:
        raise GraphError(UNAVAILABLE, code="token", detail=type(exc).__name__) from exc
    except ValueError as exc:  # the token endpoint answered something that is not JSON
        raise GraphError(BAD_RESPONSE, code="token", detail="not JSON") from exc
    token = (result or {}).get("access_token")
    if token:
        return token
    codes = (result or {}).get("error_codes") or []
    code = f"AADSTS{codes[0]}" if codes else (result or {}).get("error", "")
    detail = _first_line((result or {}).get("error_description", ""))
    logger.warning("Microsoft 365 refused the token request: %s %s", code, detail)
    raise GraphError(AUTH, code=code, detail=detail)


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from Retry-After (a number, or an HTTP date), else None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def _error_body(response: requests.Response) -> tuple[str, str]:
    """Graph's error code and developer message, if the body has them."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(error, dict):
        return str(error), ""
    return str(error.get("code") or ""), _first_line(error.get("message") or "")


def _error_from(response: requests.Response) -> GraphError:
    status = response.status_code
    code, detail = _error_body(response)
    if status == 401:
        kind = AUTH
    elif status == 403:
        kind = FORBIDDEN
    elif status in (404, 410):
        kind = NOT_FOUND
    elif status == 429:
        kind = THROTTLED
    elif status >= 500:
        kind = UNAVAILABLE
    else:
        kind = BAD_RESPONSE
    return GraphError(kind, status=status, code=code, detail=detail)


class GraphClient:
    """Graph calls for one configuration. ``sleep`` is injected by tests."""

    def __init__(
        self,
        *,
        config: GraphConfig | None = None,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config or graph_config()
        if self.config.missing:
            raise GraphError(NOT_CONFIGURED, detail="missing: " + ", ".join(self.config.missing))
        self.sleep = sleep
        self.session = session or requests.Session()
        self._origin = "/".join(self.config.endpoint.split("/")[:3])

    # ---------------------------------------------------------------- paths and URLs

    def user_path(self, *parts: str) -> str:
        """``/users/{organiser}/…``, each part quoted as one path segment."""
        segments = (self.config.organiser, *parts)
        return "/users/" + "/".join(quote(part, safe="=:@") for part in segments)

    def _url(self, path: str, params: dict[str, Any] | None) -> str:
        if path.startswith(("https://", "http://")):
            if not path.startswith(self._origin + "/"):
                # A next link elsewhere would get our token: refuse it.
                raise GraphError(BAD_RESPONSE, detail="a next link to another host")
            url = path
        else:
            url = self.config.endpoint + path
        if params:
            # Spaces as %20 and the OData quotes as they are, as Graph's own examples write it.
            query = "&".join(
                f"{quote(str(name), safe='$')}={quote(str(value), safe=chr(39))}"
                for name, value in params.items()
            )
            url += ("&" if "?" in url else "?") + query
        return url

    # ---------------------------------------------------------------- requests

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """One call with the retry rules above; a non-2xx answer raises GraphError.

        ``idempotent`` (default: every method but POST) allows sending the request again
        after an answer that does not tell whether it was carried out."""
        url = self._url(path, params)
        shown = urlsplit(url).path  # logged: no query (join URLs), never a header
        idempotent = method.upper() != "POST" if idempotent is None else idempotent
        attempt, fresh_token = 0, False
        while True:
            attempt += 1
            headers = {
                "Authorization": "Bearer " + acquire_token(self.config),
                "Accept": "application/json",
            }
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json,
                    headers=headers,
                    timeout=self.config.timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                # A connect timeout never reached Graph; anything else might have.
                safe = idempotent or isinstance(exc, requests.ConnectTimeout)
                if (
                    safe
                    and attempt < MAX_ATTEMPTS
                    and isinstance(exc, requests.ConnectionError | requests.Timeout)
                ):
                    wait = BACKOFF_SECONDS[attempt - 1]
                    logger.warning(
                        "Graph %s %s failed (%s); trying again in %.1f s",
                        method,
                        shown,
                        type(exc).__name__,
                        wait,
                    )
                    self.sleep(wait)
                    continue
                raise GraphError(UNAVAILABLE, detail=type(exc).__name__) from exc
            status = response.status_code
            if status == 401 and not fresh_token:
                # The cached token was refused (revoked, or the app's roles changed): once more
                # with a new one.
                reset_token_cache()
                fresh_token = True
                attempt -= 1
                continue
            if status == 429 or status in RETRY_STATUSES:
                wait = self._wait(response, attempt=attempt, idempotent=idempotent)
                if wait is not None:
                    logger.warning(
                        "Graph %s %s answered %s (request-id %s); trying again in %.1f s",
                        method,
                        shown,
                        status,
                        response.headers.get("request-id", "-"),
                        wait,
                    )
                    self.sleep(wait)
                    continue
            if status >= 400:
                error = _error_from(response)
                logger.info(
                    "Graph %s %s answered %s %s (request-id %s)",
                    method,
                    shown,
                    status,
                    error.code,
                    response.headers.get("request-id", "-"),
                )
                raise error
            return response

    @staticmethod
    def _wait(response: requests.Response, *, attempt: int, idempotent: bool) -> float | None:
        """How long to wait before the next attempt, or None to give up now."""
        if attempt >= MAX_ATTEMPTS:
            return None
        status = response.status_code
        retry_after = _retry_after(response) if status in (429, 503) else None
        if retry_after is not None:
            # Sooner would not be honouring it; much later is the caller's (task's) business.
            return retry_after if retry_after <= MAX_RETRY_AFTER_SECONDS else None
        if status in (429, 503) or idempotent:  # not carried out, or safe to repeat
            return BACKOFF_SECONDS[attempt - 1]
        return None  # a 500 to a POST may have created something: do not repeat it

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise GraphError(BAD_RESPONSE, status=response.status_code, detail="not JSON") from exc
        if not isinstance(data, dict):
            raise GraphError(BAD_RESPONSE, status=response.status_code, detail="not an object")
        return data

    def get(self, path: str, *, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._json(self.request("GET", path, params=params))

    def get_all(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of ``value`` over all pages (``@odata.nextLink``)."""
        url: str | None = path
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            page = self.get(url, params=params)
            items = page.get("value")
            if not isinstance(items, list):
                raise GraphError(BAD_RESPONSE, detail="a list without value")
            yield from (item for item in items if isinstance(item, dict))
            url, params = page.get("@odata.nextLink"), None
            if not url:
                return
            if url in seen:
                raise GraphError(BAD_RESPONSE, detail="the same next link twice")
            seen.add(url)
        raise GraphError(BAD_RESPONSE, detail=f"more than {MAX_PAGES} pages")

    def post(
        self, path: str, *, json: Any = None, idempotent: bool | None = None
    ) -> dict[str, Any] | None:
        """The answer's JSON object, or None for an empty answer (202, 204)."""
        response = self.request("POST", path, json=json, idempotent=idempotent)
        return self._json(response) if response.content else None

    def patch(self, path: str, *, json: Any) -> dict[str, Any] | None:
        response = self.request("PATCH", path, json=json)
        return self._json(response) if response.content else None

    def delete(self, path: str) -> None:
        self.request("DELETE", path)
