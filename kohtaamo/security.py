"""Refuse requests that carry NUL bytes in their parameters.

PostgreSQL cannot store or compare text with a NUL (0x00) byte, so a `?q=%00` would turn
into a database error (500). No form field, filter or API value of this site ever needs
one: such a request is answered 400 before it reaches a view. Uploaded files are not
inspected here (an XLSX legitimately contains NUL bytes); their content is checked by
kohtaamo.uploads.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in querydict.lists()
    )


def carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _has_nul(request.GET):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/json":
        body = request.body
        return b"\\u0000" in body or b"\x00" in body
    if content_type in _FORM_TYPES and not request.path.startswith("/api/"):
        return _has_nul(request.POST)
    return False


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if carries_nul(request):
            return HttpResponseBadRequest(
                _("The request contains a NUL character, which no field accepts."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
