"""Department files: upload, validate (preview), accept and merge into the registry."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import importers
from enrollment.models import Campaign, ImportBatch
from enrollment.services._common import queue_progress_refresh, today
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from medinsure.core import uploads
from medinsure.jobs import services as jobs

IMPORT_EXTENSIONS = ("xlsx", "xls", "csv", "txt")


def sync_max_bytes() -> int:
    return int(getattr(settings, "ENROLLMENT_IMPORT_SYNC_MAX_BYTES", 2_000_000))


def import_upload(*, actor, source: str, uploaded_file, year: int | None = None) -> ImportBatch:
    """Store an uploaded file and validate it (inline when small, in Celery with a progress job when large)."""
    if source not in importers.SOURCES:
        raise ValidationError({"source": _("未知的数据来源")})
    spec = importers.SOURCES[source]
    if spec.needs_year and not year:
        raise ValidationError({"year": _("请选择参保年度")})
    try:
        checked = uploads.check_upload(uploaded_file, kind="enrollment_import", allowed=IMPORT_EXTENSIONS)
    except uploads.UploadRejected as exc:
        raise ValidationError({"file": exc.message}) from exc
    name = checked.display_name
    suffix = f".{checked.extension}"
    digest = hashlib.sha256()
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.create(
            source=source, file_name=name[:255], file_path="", sha256="", year=year, uploaded_by=actor
        )
        path = importers.storage_dir() / f"{batch.pk}{suffix}"
        with open(path, "wb") as out:
            for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]:
                digest.update(chunk)
                out.write(chunk)
        batch.file_path = str(path)
        batch.sha256 = digest.hexdigest()
        big = path.stat().st_size > sync_max_bytes()
        if big:
            job = jobs.job_create(
                actor=actor, kind="enrollment.import.validate", title=_("校验导入文件：%(name)s") % {"name": name}
            )
            batch.job = job
        batch.save(update_fields=["file_path", "sha256", "job"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=f"upload {source} {name}",
        )
        if big:
            enqueue_on_commit("enrollment.import_validate", batch.pk, job=batch.job)
    if not big:
        import_validate(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def import_validate(*, batch_id: int) -> ImportBatch:
    """Validate the stored file as a whole; write nothing to the registry. Safe to run twice."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.VALIDATING,):
        return batch
    spec = importers.SOURCES[batch.source]
    clean_path, errors_path = importers.batch_paths(batch)
    job_id = batch.job_id
    if job_id:
        jobs.job_start(job_id)

    def progress(done, total):
        if job_id:
            jobs.job_progress(job_id, done=done, total=total)

    try:
        ctx = importers.load_context(as_of=today(), year=batch.year)
        result = importers.validate_file(batch.file_path, spec, ctx, clean_path=clean_path, progress=progress)
        counts, conflicts = importers.compare_with_registry(clean_path, spec)
    except importers.FileUnreadable as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.INVALID, message=str(exc)[:500])
        if job_id:
            jobs.job_fail(job_id, message=str(exc))
        batch.refresh_from_db()
        return batch
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=str(exc)[:500])
        if job_id:
            jobs.job_fail(job_id, message=str(exc))
        raise
    errors = result.errors + conflicts
    if conflicts:
        # conflicting rows are dropped from the clean file so that accepting never writes them
        bad = {e.line for e in conflicts}
        _drop_lines(clean_path, bad)
    error_lines = len({e.line for e in errors})
    importers.write_errors_csv(errors_path, errors)
    valid = result.valid_rows - len({e.line for e in conflicts})
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.PREVIEW,
        total_rows=result.total_rows,
        valid_rows=max(valid, 0),
        error_rows=error_lines,
        new_rows=counts["new"],
        changed_rows=counts["changed"],
        unchanged_rows=counts["unchanged"],
        errors=[e.as_dict() for e in sorted(errors, key=lambda e: e.line)[:200]],
        message="",
    )
    if job_id:
        jobs.job_finish(job_id, result={"batch": batch.pk})
    batch.refresh_from_db()
    return batch


def _drop_lines(clean_path: Path, lines: set[int]) -> None:
    tmp = clean_path.with_suffix(".tmp")
    with open(clean_path, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
        for row in src:
            if int(row.split(",", 1)[0]) not in lines:
                dst.write(row)
    shutil.move(tmp, clean_path)


def import_accept(*, actor, batch_id: int) -> ImportBatch:
    """Accept a previewed file: queue or run the single bulk write. Accepting twice changes nothing."""
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (ImportBatch.Status.ACCEPTED, ImportBatch.Status.ACCEPTING):
            return batch
        if batch.status != ImportBatch.Status.PREVIEW:
            raise ValidationError({"batch": _("该文件尚未通过校验，不能导入")})
        if batch.valid_rows == 0:
            raise ValidationError({"batch": _("文件中没有可导入的有效行")})
        big = batch.valid_rows > int(getattr(settings, "ENROLLMENT_IMPORT_SYNC_MAX_ROWS", 20_000))
        batch.status = ImportBatch.Status.ACCEPTING
        batch.accepted_by = actor
        if big:
            batch.job = jobs.job_create(
                actor=actor,
                kind="enrollment.import.accept",
                title=_("导入：%(name)s") % {"name": batch.file_name},
                total=batch.valid_rows,
            )
        batch.save(update_fields=["status", "accepted_by", "job"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=f"accept {batch.source} {batch.file_name} ({batch.valid_rows})",
        )
        if big:
            enqueue_on_commit("enrollment.import_merge", batch.pk, job=batch.job)
    if not big:
        import_merge(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def import_merge(*, batch_id: int) -> ImportBatch:
    """COPY the clean rows into staging and merge them in one transaction: all rows or none."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.ACCEPTING:
        return batch  # already merged (a task that ran twice) or not accepted
    clean_path, _errors = importers.batch_paths(batch)
    job_id = batch.job_id
    if job_id:
        jobs.job_start(job_id, total=batch.valid_rows)
    actor_id = batch.accepted_by_id
    try:
        with transaction.atomic(durable=True):
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if locked.status != ImportBatch.Status.ACCEPTING:
                return locked
            with connection.cursor() as cur:
                importers.load_stage(cur, clean_path, batch.pk)
                created, changed = importers.merge_resident_rows(
                    cur, source=batch.source, batch_id=batch.pk, actor_id=actor_id
                )
                if batch.source in ("hr", "tax"):
                    s_created, s_changed = importers.merge_status_rows(
                        cur, source=batch.source, batch_id=batch.pk, actor_id=actor_id
                    )
                if batch.source == "tax":
                    importers.merge_payment_rows(cur, batch_id=batch.pk)
                importers.clear_stage(cur, batch.pk)
            if batch.source in ("hr", "tax"):
                created, changed = s_created, s_changed
            locked.status = ImportBatch.Status.ACCEPTED
            locked.accepted_at = timezone.now()
            locked.new_rows, locked.changed_rows = created, changed
            locked.unchanged_rows = max(locked.valid_rows - created - changed, 0)
            locked.save(update_fields=["status", "accepted_at", "new_rows", "changed_rows", "unchanged_rows"])
            campaign = Campaign.objects.order_by("-year").first()
            if campaign:
                enqueue_on_commit("enrollment.tasks_sync", campaign.year)
                queue_progress_refresh(campaign.year)
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, message=str(exc)[:500])
        if job_id:
            jobs.job_fail(job_id, message=str(exc))
        raise
    if job_id:
        jobs.job_finish(job_id, result={"batch": batch.pk, "new": created, "changed": changed})
    batch.refresh_from_db()
    return batch
