"""Designated institutions: the core table, which supervision maintains; and its Excel import on the
core's one lifecycle (upload → preview / invalid → accepting → done; the upload kept in the database)."""

from __future__ import annotations

import io
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.imports import transition
from medinsure.institutions.models import Institution
from supervision import access
from supervision.models import InstitutionImport

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


def institution_import_upload(*, actor, file_name: str, content: bytes) -> InstitutionImport:
    """Check a whole institutions workbook and keep it (in the database) for the preview."""
    from supervision import importers

    access.require_staff(actor)
    report = importers.read_institutions(io.BytesIO(content))
    S = InstitutionImport.Status
    with _durable():
        batch = InstitutionImport.objects.create(
            file_name=file_name[:200],
            raw=content,
            status=S.PREVIEW if report.ok else S.INVALID,
            row_count=len(report.rows),
            errors=[e.as_dict() for e in report.errors],
            created_by=actor,
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=f"upload {batch.file_name} rows={len(report.rows)} errors={len(report.errors)}",
        )
    return batch


def institution_import_accept(*, actor, import_id) -> InstitutionImport:
    """Write a previewed workbook: checked again from the stored upload, written all or nothing."""
    from supervision import importers

    access.require_staff(actor)
    S = InstitutionImport.Status
    with _durable():
        batch = InstitutionImport.objects.select_for_update().get(pk=import_id)
        if batch.status in (S.INVALID, S.CHECKING):
            raise ValidationError({"status": _("文件有错误，不能导入")})
        transition(batch.status, S.ACCEPTING, label=batch.get_status_display())
        if batch.status != S.PREVIEW:
            raise ValidationError({"status": _("该文件已导入")})
        if batch.purged_at or batch.raw is None:
            raise ValidationError({"status": _("该文件已超过保存期限被删除，请重新上传")})
        report = importers.read_institutions(io.BytesIO(bytes(batch.raw)))
        if not report.ok:  # the district's townships changed since the preview
            batch.status = S.INVALID
            batch.errors = [e.as_dict() for e in report.errors]
            batch.save(update_fields=["status", "errors"])
            return batch
        importers.import_institutions(actor=actor, report=report)  # joins this transaction
        batch.status = S.DONE  # accepting → done in this one transaction
        batch.created, batch.updated, batch.unchanged = report.created, report.updated, report.unchanged
        batch.save(update_fields=["status", "created", "updated", "unchanged"])
    return batch
