"""The schema's error answers and security, for every operation at once.

settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] names AutoSchema below. From each view's
permissions, throttles and path it adds the error answers that can happen, all with the one
error body (kohtaamo.api_errors.ErrorSerializer):

- 400 where the operation takes a request body, filters a list with django-filter, or the
  view declares a 400 itself (its description is kept: say *why* there, not the shape; the
  same for a 404);
- 401 and 403 where the operation needs a signed-in caller (anything but AllowAny, or
  IsAuthenticatedOrReadOnly for a read);
- 404 where the path names an object ({id});
- 429 where a throttle with a rate applies.

An operation anyone may call declares no security requirement (`security: []`); the others
list the token and the session cookie, without drf-spectacular's "or none" ({}).
A view that declares an error code with a serializer of its own gets the one body anyway
(drf-spectacular's @extend_schema replaces get_response_serializers, so the swap is made where
each code's answer is built, _get_response_for_code).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.throttling import ScopedRateThrottle

from .api_errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": _("The request is not valid: detail says why, errors by field."),
    "401": _("Not signed in: send a valid API token (Authorization: Token …) or a session cookie."),
    "403": _(
        "Signed in, but not allowed: no right to this, a session request without its CSRF "
        "token, or a staff session without its second factor."
    ),
    "404": _("Not found, or not visible to you."),
    "429": _("Too many requests: wait the number of seconds in Retry-After, then try again."),
}
ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": _("The way to authenticate: Token."),
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": _("Seconds to wait before the next request."),
        }
    },
}
# Why a request is bad or what is not found, a view may say (its description is kept); who
# is refused and when to retry are the same everywhere (401, 403, 429: these texts).
VIEW_DESCRIBED = frozenset({"400", "404"})
_PATH_PARAMETER = re.compile(r"\{\w+\}")


class AutoSchema(openapi.AutoSchema):
    def get_auth(self):
        auths = super().get_auth()  # also registers the security schemes' components
        if self.is_public():
            return []
        return [auth for auth in auths if auth]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if self.is_public():
            operation["security"] = []
        responses = operation["responses"]
        for code in self.error_codes(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(None, code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        """An error code (declared by the view or added above) answers with ErrorSerializer."""
        code = str(status_code)
        if code not in ERROR_DESCRIPTIONS:
            return super()._get_response_for_code(serializer, status_code, media_types, direction)
        description = ERROR_DESCRIPTIONS[code]
        if code in VIEW_DESCRIBED:
            description = getattr(serializer, "description", "") or description
        answer = OpenApiResponse(ErrorSerializer, description=description)
        response = super()._get_response_for_code(answer, status_code, None, direction)
        if code in ERROR_HEADERS:
            response["headers"] = ERROR_HEADERS[code]
        return response

    def is_public(self) -> bool:
        """Anyone may call it: every permission lets an anonymous caller through."""
        for permission in self.view.get_permissions():
            if isinstance(permission, AllowAny):
                continue
            if isinstance(permission, IsAuthenticatedOrReadOnly) and self.method in SAFE_METHODS:
                continue
            return False
        return True

    def error_codes(self, operation: dict) -> set[str]:
        """The error answers this operation can give (besides those its view declares)."""
        codes = set()
        if "requestBody" in operation or self._filters_a_list():
            codes.add("400")
        if not self.is_public():
            codes |= {"401", "403"}
        if _PATH_PARAMETER.search(self.path):
            codes.add("404")
        if self._is_throttled():
            codes.add("429")
        return codes

    def _filters_a_list(self) -> bool:
        """django-filter refuses a bad filter value with 400 (memberships?status=…)."""
        if getattr(self.view, "action", None) != "list":
            return False
        backends = getattr(self.view, "filter_backends", None) or []
        has_filters = getattr(self.view, "filterset_fields", None) or getattr(
            self.view, "filterset_class", None
        )
        return bool(has_filters) and any(issubclass(b, DjangoFilterBackend) for b in backends)

    def _is_throttled(self) -> bool:
        for throttle in self.view.get_throttles():
            if isinstance(throttle, ScopedRateThrottle):
                scope = getattr(self.view, throttle.scope_attr, None)
                if scope and throttle.THROTTLE_RATES.get(scope):
                    return True
            elif getattr(throttle, "rate", "unknown") is not None:  # SimpleRateThrottle's
                return True
        return False
