"""One error type for every service, one mapping to each face.

Services raise Django's ``ValidationError({field: message})`` (a message naming the field, in Chinese),
or ``ValidationError(message)`` for an error of the whole request. Nothing else: no ``ValueError``, no
app-specific error class. The faces turn it into their own shape in one place each:

- an HTML view: ``apply_errors(form, exc)`` puts each message on its field (or on the form as a whole
  when the field is not on the form); ``error_text(form)`` gives one line for a flash message;
- the REST API: ``api_exception_handler`` (settings ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) answers a
  400 ``{"field": ["message"]}`` (``non_field_errors`` for a whole-request error), like a serializer's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import exception_handler as drf_default_handler


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    """The messages of a ValidationError by field (``non_field_errors`` for the whole request)."""
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field."""
    for field, messages in error_dict(exc).items():
        target = field if field in form.fields else None
        for m in messages:
            form.add_error(target, m)


def error_text(form) -> str:
    """A form's errors in one line for a flash message, each prefixed with its field's label."""
    parts = []
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.extend(f"{label}：{e}" if label else str(e) for e in errs)
    return "；".join(parts)


def api_exception_handler(exc, context):
    """DRF's handler, with a service's Django ValidationError answered as a 400 in DRF's shape."""
    if isinstance(exc, ValidationError):
        exc = drf_exceptions.ValidationError(error_dict(exc))
    return drf_default_handler(exc, context)
