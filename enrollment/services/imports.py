"""Department files: upload, validate (preview), accept and merge into the registry.

The core's one lifecycle (``medinsure.rules.imports``: checking → preview → accepting → done, invalid,
failed) and storage (``ImportRecord``): the upload, the checked rows and the errors are columns of the
batch, so the validate and merge steps may run in this process or on any worker of any host. Each step
runs inline for a small file and in Celery (with a progress job) for a large one — the same function
either way (``_job_if_big``, ``_Progress``)."""

from __future__ import annotations

import csv
import hashlib

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
from medinsure.core.imports import MAX_REPORT_ROWS, Verdict, deflate_writer, inflate_text, transition
from medinsure.jobs import services as jobs

IMPORT_EXTENSIONS = ("xlsx", "xls", "csv", "txt")
S = ImportBatch.Status


def sync_max_bytes() -> int:
    return int(getattr(settings, "ENROLLMENT_IMPORT_SYNC_MAX_BYTES", 2_000_000))


def sync_max_rows() -> int:
    return int(getattr(settings, "ENROLLMENT_IMPORT_SYNC_MAX_ROWS", 20_000))


def _job_if_big(batch: ImportBatch, *, big: bool, actor, kind: str, title: str, total: int = 0) -> bool:
    """Inside the step's transaction: a big step gets a progress job (the caller queues it by name after
    commit: any worker on any host); a small one is run by the caller after commit. True when big."""
    if big:
        batch.job = jobs.job_create(actor=actor, kind=kind, title=title, total=total)
        batch.save(update_fields=["job"])
    return big


class _Progress:
    """The batch's progress job, if it has one (a small step runs without)."""

    def __init__(self, job_id):
        self.job_id = job_id

    def start(self, **kw):
        if self.job_id:
            jobs.job_start(self.job_id, **kw)

    def __call__(self, done, total):
        if self.job_id:
            jobs.job_progress(self.job_id, done=done, total=total)

    def fail(self, message):
        if self.job_id:
            jobs.job_fail(self.job_id, message=message)

    def finish(self, **kw):
        if self.job_id:
            jobs.job_finish(self.job_id, **kw)


def import_upload(*, actor, source: str, uploaded_file, year: int | None = None) -> ImportBatch:
    """Store an uploaded file (in the database) and validate it."""
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
    uploaded_file.seek(0)
    content = uploaded_file.read()
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.create(
            source=source,
            file_name=name[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            year=year,
            uploaded_by=actor,
            raw=content,
            extension=checked.extension,
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=_("上传 %(s)s 文件 %(f)s") % {"s": source, "f": name},
        )
        big = _job_if_big(
            batch,
            big=len(content) > sync_max_bytes(),
            actor=actor,
            kind="enrollment.import.validate",
            title=_("校验导入文件：%(name)s") % {"name": name},
        )
        if big:
            enqueue_on_commit("enrollment.import_validate", batch.pk, job=batch.job)
    if not big:
        import_validate(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def import_validate(*, batch_id: int) -> ImportBatch:
    """Validate the stored upload as a whole; write nothing to the registry. Safe to run twice."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if transition(batch.status, S.PREVIEW, label=batch.get_status_display()) == Verdict.SKIP:
        return batch
    spec = importers.SOURCES[batch.source]
    progress = _Progress(batch.job_id)
    progress.start()
    clean = deflate_writer()
    try:
        ctx = importers.load_context(as_of=today(), year=batch.year)
        result = importers.validate_file(
            bytes(batch.raw or b""), f".{batch.extension}", spec, ctx, clean=clean, progress=progress
        )
        checked = clean.value()
        counts, conflicts = importers.compare_with_registry(checked, spec)
    except importers.FileUnreadable as exc:
        _end_check(batch, S.INVALID, str(exc))
        progress.fail(str(exc))
        return ImportBatch.objects.get(pk=batch_id)
    except Exception as exc:
        _end_check(batch, S.FAILED, str(exc))
        progress.fail(str(exc))
        raise
    errors = sorted(result.errors + conflicts, key=lambda e: e.line)
    if conflicts:  # conflicting rows are dropped from the checked rows so that accepting never writes them
        checked = _drop_lines(checked, {e.line for e in conflicts})
    with transaction.atomic(durable=True):
        locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if transition(locked.status, S.PREVIEW, label=locked.get_status_display()) == Verdict.SKIP:
            return locked  # another delivery of this task finished first
        locked.status = S.PREVIEW
        locked.checked = checked
        locked.errors = [e.as_dict() for e in errors[:MAX_REPORT_ROWS]]
        locked.total_rows = result.total_rows
        locked.valid_rows = max(result.valid_rows - len({e.line for e in conflicts}), 0)
        locked.error_rows = len({e.line for e in errors})
        locked.new_rows, locked.changed_rows, locked.unchanged_rows = (
            counts["new"],
            counts["changed"],
            counts["unchanged"],
        )
        locked.message = ""
        locked.save()
        progress.finish(result={"batch": batch.pk})  # with the status: never a preview beside a running job
    return locked


def _end_check(batch: ImportBatch, status: str, message: str) -> None:
    if transition(batch.status, status, label=batch.get_status_display()) == Verdict.GO:
        ImportBatch.objects.filter(pk=batch.pk, status=S.CHECKING).update(status=status, message=message[:500])


def _drop_lines(checked: bytes, lines: set[int]) -> bytes:
    out = deflate_writer()
    with inflate_text(checked) as src:
        writer = csv.writer(out)
        for row in csv.reader(src):
            if int(row[0]) not in lines:
                writer.writerow(row)
    return out.value()


def import_accept(*, actor, batch_id: int) -> ImportBatch:
    """Accept a previewed file: run or queue the single bulk write. Accepting twice changes nothing."""
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (S.CHECKING, S.INVALID, S.FAILED):
            raise ValidationError({"batch": _("该文件尚未通过校验，不能导入")})
        if transition(batch.status, S.ACCEPTING, label=batch.get_status_display(), field="batch") == Verdict.SKIP:
            return batch
        if batch.purged_at or batch.checked is None:
            raise ValidationError({"batch": _("该文件已超过保存期限被删除，请重新上传")})
        if batch.valid_rows == 0:
            raise ValidationError({"batch": _("文件中没有可导入的有效行")})
        batch.status = S.ACCEPTING
        batch.accepted_by = actor
        batch.save(update_fields=["status", "accepted_by"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=_("确认导入 %(s)s 文件 %(f)s（%(n)s 行）")
            % {"s": batch.source, "f": batch.file_name, "n": batch.valid_rows},
        )
        big = _job_if_big(
            batch,
            big=batch.valid_rows > sync_max_rows(),
            actor=actor,
            kind="enrollment.import.accept",
            title=_("导入：%(name)s") % {"name": batch.file_name},
            total=batch.valid_rows,
        )
        if big:
            enqueue_on_commit("enrollment.import_merge", batch.pk, job=batch.job)
    if not big:
        import_merge(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def import_merge(*, batch_id: int) -> ImportBatch:
    """COPY the checked rows (streamed from the batch's bytes) into staging and merge them in one
    transaction: all rows or none. Safe to run twice."""
    batch = ImportBatch.objects.only("pk", "status", "job", "valid_rows").get(pk=batch_id)
    if batch.status != S.ACCEPTING:
        return ImportBatch.objects.get(pk=batch_id)  # already merged (a task that ran twice) or not accepted
    progress = _Progress(batch.job_id)
    progress.start(total=batch.valid_rows)  # committed now: the page shows the write running
    try:
        with transaction.atomic(durable=True):
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if transition(locked.status, S.DONE, label=locked.get_status_display()) == Verdict.SKIP:
                return locked
            source, actor_id = locked.source, locked.accepted_by_id
            with connection.cursor() as cur:
                importers.load_stage(cur, locked.checked, locked.pk)
                created, changed = importers.merge_resident_rows(
                    cur, source=source, batch_id=locked.pk, actor_id=actor_id
                )
                if source in ("hr", "tax"):
                    created, changed = importers.merge_status_rows(
                        cur, source=source, batch_id=locked.pk, actor_id=actor_id
                    )
                if source == "tax":
                    importers.merge_payment_rows(cur, batch_id=locked.pk)
                importers.clear_stage(cur, locked.pk)
            locked.status = S.DONE
            locked.accepted_at = timezone.now()
            locked.new_rows, locked.changed_rows = created, changed
            locked.unchanged_rows = max(locked.valid_rows - created - changed, 0)
            locked.save(update_fields=["status", "accepted_at", "new_rows", "changed_rows", "unchanged_rows"])
            campaign = Campaign.objects.order_by("-year").first()
            if campaign:
                enqueue_on_commit("enrollment.tasks_sync", campaign.year)
                queue_progress_refresh(campaign.year)
            progress.finish(result={"batch": batch_id, "new": created, "changed": changed})  # with the status
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch_id, status=S.ACCEPTING).update(status=S.FAILED, message=str(exc)[:500])
        progress.fail(str(exc))
        raise
    return ImportBatch.objects.get(pk=batch_id)
