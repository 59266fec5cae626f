"""Designated institutions: the core table, which supervision maintains."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.institutions.models import Institution
from supervision import access

from ._common import _durable


def institution_save(
    *,
    actor,
    institution_id: int | None = None,
    code: str,
    name: str,
    kind: str,
    type: str = "",
    level: int | None = None,
    division_id: int | None = None,
    address: str = "",
):
    """Create or edit a designated institution (the core table; supervision maintains it)."""
    access.require_staff(actor)
    errors = {}
    code = (code or "").strip().upper()
    if not re.match(r"^[HP]\d{11}$", code):
        errors["code"] = _("编码应为 H 或 P 加 11 位数字")
    elif (kind == "medical") != code.startswith("H"):
        errors["kind"] = _("医疗机构编码以 H 开头，药店以 P 开头")
    if not (name or "").strip():
        errors["name"] = _("请填写机构名称")
    if kind not in ("medical", "pharmacy"):
        errors["kind"] = _("请选择类别")
    if level not in (None, 1, 2, 3, 4):
        errors["level"] = _("应为一级、二级、三级或市外")
    with _durable():
        clash = Institution.objects.filter(code=code).exclude(pk=institution_id or 0).exists()
        if clash:
            errors["code"] = _("编码已存在")
        if errors:
            raise ValidationError(errors)
        if institution_id:
            inst = Institution.objects.select_for_update().get(pk=institution_id)
        else:
            inst = Institution()
        inst.code, inst.name, inst.kind, inst.type = code, name.strip(), kind, (type or "").strip()
        inst.level, inst.division_id, inst.address = level, division_id, (address or "").strip()
        inst.full_clean()
        inst.save()
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=inst,
            summary=f"{'edit' if institution_id else 'create'} {code}",
        )
    return inst
