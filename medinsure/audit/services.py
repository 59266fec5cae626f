"""The one audit call: ``audit_log(actor=…, verb=…, obj=…, summary=…)``.

``obj`` names what was read or changed: a model instance (type ``app_label.model`` and its primary key),
a model class with ``key=`` for something that is not one row (a year's tasks, a report's month), or a
plain string type for what has no model (``"database"``). The type comes from the model
(``_meta.label_lower``), so one kind of object is always written the same way. The request's IP and
path come from the request being served (``AuditContextMiddleware`` puts them in a context variable),
so services take no ``request``; a Celery task or a command writes rows without them.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.db import models

from medinsure.audit.models import AuditLog
from medinsure.masking import mask_numbers_in_text


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    path: str


current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("audit_request", default=None)


def client_ip(request) -> str | None:
    """The real client's address behind the trusted proxies (medinsure.core.client_ip)."""
    if request is None:
        return None
    from medinsure.core.client_ip import client_ip as real_client_ip

    return real_client_ip(request) or None


def request_context(request) -> RequestContext:
    return RequestContext(ip=client_ip(request), path=request.get_full_path()[:300])


def type_name(obj) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, models.Model) or (isinstance(obj, type) and issubclass(obj, models.Model)):
        return obj._meta.label_lower
    raise TypeError(f"audit_log: obj must be a model, a model instance or a type name, not {obj!r}")


def audit_log(
    *,
    actor,
    verb: str,
    obj,
    key=None,
    summary: str = "",
    username: str = "",
) -> AuditLog:
    """Write one audit row. Call it inside the service's transaction so it commits with the change.

    ``verb`` is an ``AuditLog.Action``; ``key`` overrides the object id (required sense when ``obj`` is a
    class or a type name); ``username`` names an actor that is not a logged-in user (a failed login).

    The log is read by auditors who may not see personal numbers, and it is kept for years: any ID or
    mobile number in the summary, the key or the request path is masked here, whatever the caller wrote."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if key is None and isinstance(obj, models.Model):
        key = obj.pk
    ctx = current_request.get()
    return AuditLog.objects.create(
        actor=user,
        username=(user.get_username() if user else username)[:150],
        action=verb,
        object_type=type_name(obj)[:64],
        object_id=_clean(mask_numbers_in_text("" if key is None else str(key)))[:64],
        summary=_clean(mask_numbers_in_text(str(summary)))[:500],
        ip=ctx.ip if ctx else None,
        path=_clean(mask_numbers_in_text(ctx.path)) if ctx else "",
    )


def _clean(text: str) -> str:
    """PostgreSQL text cannot hold NUL: a hostile value quoted in a summary must not fail the audit row."""
    return text.replace("\x00", "")
