"""The API's one error shape: {"detail": "..."}, and for a validation error also "errors".

DRF answers a validation error with the fields as keys ({"attended": ["..."]} or
{"non_field_errors": ["..."]}) and every other error with {"detail": "..."}. Here every error
has `detail`, one text to show as it is; a 400 from a serializer, a filter or a form also has
`errors`, the messages by field ("registrations.0" for an item of a list, "non_field_errors"
for the input as a whole). The attendance report's 400 already had this shape. The schema
documents the same serializer for every error answer (kohtaamo/api_schema.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_(
            'Validation errors (400) only: the messages by field, "non_field_errors" for the '
            'input as a whole, "registrations.0" for an item of a list.'
        ),
    )


def field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """A ValidationError's detail (nested dicts and lists) as flat {field: [messages]}."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found.update(field_errors(value, name))
        return found
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        found = {}
        for index, item in enumerate(detail):
            if item:  # a list field's valid items are empty in DRF's answer
                found.update(field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return found
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(item) for item in items]}


def error_text(errors: dict[str, list[str]]) -> str:
    """Every message in one text: the input's own first, then each field's, named."""
    whole = api_settings.NON_FIELD_ERRORS_KEY
    texts = list(errors.get(whole, []))
    for name, messages in errors.items():
        if name != whole:
            texts += [f"{name}: {message}" for message in messages]
    return " ".join(texts)


def exception_handler(exc, context):
    """DRF's handler (status, headers such as WWW-Authenticate and Retry-After), with a
    validation error's body in the shape of ErrorSerializer."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        errors = field_errors(exc.detail)
        response.data = {"detail": error_text(errors), "errors": errors}
    return response
