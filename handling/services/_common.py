"""Private helpers the handling services share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from handling.rules.workflow import next_status


def today():
    return timezone.localdate()


def user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def moved(application, action: str) -> str:
    """The status ``action`` leads to, asked of the transition table; refused on ``status`` otherwise."""
    new = next_status(application.status, action)
    if new is None:
        raise ValidationError(
            {"status": _("该申请当前状态为“%(s)s”，不能执行此操作") % {"s": application.get_status_display()}}
        )
    return new
