"""The assigning office's list (交办清单) on the core's one import lifecycle: upload → preview / invalid →
accepting → done, the upload, checked rows and errors kept in the database (never in the form or a file)."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from medinsure.core import uploads
from medinsure.core.imports import Verdict, check_import_transition, pack, unpack
from replies.models import ProposalImport
from replies.services._common import _audit
from replies.services.proposals import _proposals_write


def proposals_import_upload(*, actor, file_name: str, content: bytes) -> ProposalImport:
    """Check a whole list and keep the result for the preview; nothing is registered."""
    from replies import importers

    upload = io.BytesIO(content)
    upload.name = file_name
    try:  # a file the upload guard refuses is not kept at all
        uploads.check_upload(upload, kind="replies_list", allowed=("xlsx", "csv"))
    except uploads.UploadRejected as exc:
        raise ValidationError({"file": exc.message}) from exc
    result = importers.read_list(file_name, content)
    S = ProposalImport.Status
    rows = [
        {**asdict(r), "assigned_on": r.assigned_on.isoformat(), "proposers": list(r.proposers)} for r in result.rows
    ]
    with transaction.atomic(durable=True):
        batch = ProposalImport.objects.create(
            file_name=file_name[:200],
            raw=content,
            checked=pack(json.dumps(rows, ensure_ascii=False).encode("utf-8")),
            errors=[e.as_dict() for e in result.errors],
            status=S.PREVIEW if rows and not result.file_error else S.INVALID,
            message=str(result.file_error)[:500],
            row_count=len(rows),
            error_count=len(result.errors),
            created_by=actor,
        )
        _audit(actor, batch, f"上传交办清单 {batch.file_name}：可导入 {len(rows)} 行，问题 {len(result.errors)} 处")
    return batch


def proposals_import_rows(batch: ProposalImport) -> list:
    from replies.rules.intake import IntakeRow

    return [
        IntakeRow(**{**r, "assigned_on": date.fromisoformat(r["assigned_on"]), "proposers": tuple(r["proposers"])})
        for r in json.loads(unpack(batch.checked) or b"[]")
    ]


def proposals_import_accept(*, actor, import_id) -> ProposalImport:
    """Register the checked rows in one bulk write (numbers already registered are left alone)."""
    S = ProposalImport.Status
    with transaction.atomic(durable=True):
        batch = ProposalImport.objects.select_for_update().get(pk=import_id)
        if check_import_transition(batch.status, S.ACCEPTING) != Verdict.GO:
            raise ValidationError({"status": _("该清单已导入或无法导入")})
        if batch.purged_at or batch.checked is None:
            raise ValidationError({"status": _("该文件已超过保存期限被删除，请重新上传")})
        outcome = _proposals_write(actor=actor, rows=proposals_import_rows(batch))
        batch.status = S.DONE  # accepting → done in this one transaction
        batch.created, batch.existing = outcome["created"], outcome["existing"]
        batch.save(update_fields=["status", "created", "existing"])
    return batch
