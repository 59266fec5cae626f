"""Every write of the enrollment app: one transaction each, row locks for read-check-write, an audit row,
Celery work queued after commit."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import importers
from enrollment.models import (
    Campaign,
    CampaignTier,
    GuidelineTask,
    GuidelineTaskChange,
    ImportBatch,
    InsuranceStatus,
    MobilisationTask,
    Outcome,
    ProgressDaily,
    ReminderMessage,
    Resident,
    ResidentHistory,
    Source,
    TaskOutcomeLog,
    TaskStatus,
)
from enrollment.rules import allocation, mobilisation
from enrollment.rules.progress import rank_rows
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from medinsure.core import uploads
from medinsure.core.bulk import linear_plan
from medinsure.jobs import services as jobs
from medinsure.regions.models import Division


class ServiceError(ValueError):
    """A refused write; ``field`` names the input at fault (for forms and API errors)."""

    def __init__(self, message: str, field: str = ""):
        self.message = message
        self.field = field
        super().__init__(message)


class StaleVersion(ServiceError):
    pass


def today() -> date:
    return timezone.localdate()


def queue_progress_refresh(year: int) -> None:
    """After commit, ask for a progress refresh a few seconds later: a burst of outcomes or imports
    collapses into one refresh (the task skips when a refresh started after the request)."""
    import time

    from enrollment.tasks import progress_refresh_task

    requested_at = time.time()
    delay = int(getattr(settings, "ENROLLMENT_PROGRESS_DEBOUNCE_SECONDS", 5))
    enqueue_on_commit(progress_refresh_task, year, requested_at=requested_at, countdown=delay)


# --- imports ----------------------------------------------------------------------------------------


IMPORT_EXTENSIONS = ("xlsx", "xls", "csv", "txt")


def sync_max_bytes() -> int:
    return int(getattr(settings, "ENROLLMENT_IMPORT_SYNC_MAX_BYTES", 2_000_000))


def import_upload(*, actor, source: str, uploaded_file, year: int | None = None, request=None) -> ImportBatch:
    """Store an uploaded file and validate it (inline when small, in Celery with a progress job when large)."""
    if source not in importers.SOURCES:
        raise ServiceError(_("未知的数据来源"), "source")
    spec = importers.SOURCES[source]
    if spec.needs_year and not year:
        raise ServiceError(_("请选择参保年度"), "year")
    try:
        checked = uploads.check_upload(uploaded_file, kind="enrollment_import", allowed=IMPORT_EXTENSIONS)
    except uploads.UploadRejected as exc:
        raise ServiceError(exc.message, "file") from exc
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
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.ImportBatch",
            object_id=batch.pk,
            summary=f"upload {source} {name}",
            request=request,
        )
        if big:
            from enrollment.tasks import import_validate_task

            enqueue_on_commit(import_validate_task, batch.pk, job=batch.job)
    if not big:
        import_validate(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def _paths(batch: ImportBatch) -> tuple[Path, Path]:
    base = importers.storage_dir()
    return base / f"{batch.pk}.clean.csv", base / f"{batch.pk}.errors.csv"


def import_validate(*, batch_id: int) -> ImportBatch:
    """Validate the stored file as a whole; write nothing to the registry. Safe to run twice."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.VALIDATING,):
        return batch
    spec = importers.SOURCES[batch.source]
    clean_path, errors_path = _paths(batch)
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
        errors=[e.__dict__ for e in sorted(errors, key=lambda e: e.line)[:200]],
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


def import_accept(*, actor, batch_id: int, request=None) -> ImportBatch:
    """Accept a previewed file: queue or run the single bulk write. Accepting twice changes nothing."""
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (ImportBatch.Status.ACCEPTED, ImportBatch.Status.ACCEPTING):
            return batch
        if batch.status != ImportBatch.Status.PREVIEW:
            raise ServiceError(_("该文件尚未通过校验，不能导入"), "batch")
        if batch.valid_rows == 0:
            raise ServiceError(_("文件中没有可导入的有效行"), "batch")
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
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.ImportBatch",
            object_id=batch.pk,
            summary=f"accept {batch.source} {batch.file_name} ({batch.valid_rows})",
            request=request,
        )
        if big:
            from enrollment.tasks import import_merge_task

            enqueue_on_commit(import_merge_task, batch.pk, job=batch.job)
    if not big:
        import_merge(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def import_merge(*, batch_id: int) -> ImportBatch:
    """COPY the clean rows into staging and merge them in one transaction: all rows or none."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.ACCEPTING:
        return batch  # already merged (a task that ran twice) or not accepted
    clean_path, _errors = _paths(batch)
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
            from enrollment.tasks import tasks_sync_task

            campaign = Campaign.objects.order_by("-year").first()
            if campaign:
                enqueue_on_commit(tasks_sync_task, campaign.year)
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


# --- guideline tasks --------------------------------------------------------------------------------


def township_figures(*, year: int) -> list[allocation.TownshipFigures]:
    """Figures per township from the registry: population registered at the end of the year before last,
    police movements, births and deaths of last year, employee insurance and insured elsewhere."""
    ref_end = date(year - 2, 12, 31)
    last_start, last_end = date(year - 1, 1, 1), date(year - 1, 12, 31)
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    by_prefix = {t.code[:9]: t for t in towns}
    sql = """
    SELECT substr(d.code, 1, 9) AS town,
      count(*) FILTER (WHERE r.birth_date <= %(ref_end)s AND (r.deceased_on IS NULL OR r.deceased_on > %(ref_end)s)
                        AND (r.moved_out_on IS NULL OR r.moved_out_on > %(ref_end)s)
                        AND (r.moved_in_on IS NULL OR r.moved_in_on <= %(ref_end)s)) AS hukou,
      count(*) FILTER (WHERE r.moved_in_on BETWEEN %(ls)s AND %(le)s) AS moved_in,
      count(*) FILTER (WHERE r.moved_out_on BETWEEN %(ls)s AND %(le)s) AS moved_out,
      count(*) FILTER (WHERE r.birth_date BETWEEN %(ls)s AND %(le)s) AS births,
      count(*) FILTER (WHERE r.deceased_on BETWEEN %(ls)s AND %(le)s) AS deaths,
      count(*) FILTER (WHERE st.status = 'employee' AND r.deceased_on IS NULL AND r.moved_out_on IS NULL) AS employee,
      count(*) FILTER (WHERE st.status = 'elsewhere' AND r.deceased_on IS NULL AND r.moved_out_on IS NULL) AS elsewhere
    FROM enrollment_resident r JOIN regions_division d ON d.id = r.hukou_division_id
    LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = %(last)s
    GROUP BY 1
    """
    with connection.cursor() as cur:
        cur.execute(sql, {"ref_end": ref_end, "ls": last_start, "le": last_end, "last": year - 1})
        found = {row[0]: row[1:] for row in cur.fetchall()}
    out = []
    for prefix, town in by_prefix.items():
        h, mi, mo, b, d, e, el = found.get(prefix, (0, 0, 0, 0, 0, 0, 0))
        out.append(allocation.TownshipFigures(town.code, town.name, h, mi, mo, b, d, e, el))
    return out


def guideline_tasks_compute(
    *, actor, year: int, total: int | None = None, base_ratio: Decimal | None = None, request=None
) -> list[GuidelineTask]:
    """(Re)compute the townships' guideline tasks; tasks already issued are not touched, edited ones keep their edit."""
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.select_for_update().get(year=year)
        if GuidelineTask.objects.filter(campaign=campaign, issued_at__isnull=False).exists():
            raise ServiceError(_("本年度指导性任务已下达，不能重新测算"), "year")
        if total is not None:
            campaign.township_total = total
        if base_ratio is not None:
            if not (Decimal(0) < base_ratio <= 1):
                raise ServiceError(_("基数比例应大于0且不超过1"), "base_ratio")
            campaign.base_ratio = base_ratio
        campaign.save(update_fields=["township_total", "base_ratio"])
        figures = township_figures(year=year)
        try:
            results = allocation.allocate(figures, total=campaign.township_total, base_ratio=campaign.base_ratio)
        except allocation.AllocationError as exc:
            raise ServiceError(_("无法分配任务数：%(error)s") % {"error": exc}, "total") from exc
        towns = {t.code: t for t in Division.objects.filter(level=Division.Level.TOWNSHIP)}
        existing = {
            g.township.code: g
            for g in GuidelineTask.objects.select_for_update().filter(campaign=campaign).select_related("township")
        }
        rows = []
        for f, r in zip(figures, results, strict=False):
            g = existing.get(f.township_code) or GuidelineTask(campaign=campaign, township=towns[f.township_code])
            for name in (
                "hukou_population",
                "moved_in",
                "moved_out",
                "births",
                "deaths",
                "employee_insured",
                "enrolled_elsewhere",
            ):
                setattr(g, name, getattr(f, name))
            g.raw = r.raw_2dp
            g.computed_task = r.task
            if not g.edit_reason:
                g.task = r.task
            rows.append(g)
        GuidelineTask.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["campaign", "township"],
            update_fields=[
                "hukou_population",
                "moved_in",
                "moved_out",
                "births",
                "deaths",
                "employee_insured",
                "enrolled_elsewhere",
                "raw",
                "computed_task",
                "task",
            ],
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.GuidelineTask",
            object_id=year,
            summary=f"compute total={campaign.township_total} base_ratio={campaign.base_ratio}",
            request=request,
        )
        queue_progress_refresh(year)
    return list(GuidelineTask.objects.filter(campaign__year=year).select_related("township"))


def guideline_task_edit(*, actor, task_id: int, task: int, reason: str, version: int, request=None) -> GuidelineTask:
    reason = (reason or "").strip()
    if task < 0:
        raise ServiceError(_("任务数不能为负数"), "task")
    with transaction.atomic(durable=True):
        g = GuidelineTask.objects.select_for_update().select_related("township").filter(pk=task_id).first()
        if g is None:
            raise ServiceError(_("该指导性任务不存在，请刷新后重试"), "task_id")
        if g.version != version:
            raise StaleVersion(_("该任务数已被他人修改，请刷新后重试"), "version")
        if g.issued_at:
            raise ServiceError(_("任务已下达，不能再修改"), "task")
        if task != g.computed_task and not reason:
            raise ServiceError(_("调整任务数必须填写理由"), "reason")
        GuidelineTaskChange.objects.create(
            task=g, before=g.task, after=task, reason=reason or _("恢复测算数"), actor=actor
        )
        g.task = task
        g.edit_reason = reason if task != g.computed_task else ""
        g.edited_by = actor
        g.edited_at = timezone.now()
        g.version += 1
        g.save()
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.GuidelineTask",
            object_id=g.pk,
            summary=f"{g.township.code} task {task}: {reason}",
            request=request,
        )
        queue_progress_refresh(g.campaign.year)
    return g


def guideline_tasks_issue(*, actor, year: int, request=None) -> int:
    with transaction.atomic(durable=True):
        n = (
            GuidelineTask.objects.select_for_update()
            .filter(campaign__year=year, issued_at__isnull=True)
            .update(issued_at=timezone.now())
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.GuidelineTask",
            object_id=year,
            summary=f"issue {n}",
            request=request,
        )
    return n


# --- mobilisation tasks ------------------------------------------------------------------------------


def tasks_sync(*, year: int) -> dict:
    """Nightly: add a task for everyone who should be insured this year and is not; close (outcome paid)
    the open ones whose person has paid. Two set-based statements; safe to run twice."""
    campaign = Campaign.objects.get(year=year)
    with transaction.atomic(durable=True):
        with connection.cursor() as cur, linear_plan(cur):
            cur.execute(
                """
                INSERT INTO enrollment_mobilisationtask (campaign_id, resident_id, division_id, gap, status, outcome,
                    refusal_reason, note, version, created_at)
                SELECT %(c)s, r.id, r.hukou_division_id,
                       CASE WHEN prev.status IN ('tier1', 'tier2') THEN 'lapsed' ELSE 'uninsured' END,
                       'open', '', '', '', 1, now()
                FROM enrollment_resident r
                LEFT JOIN enrollment_insurancestatus cur ON cur.resident_id = r.id AND cur.year = %(y)s
                LEFT JOIN enrollment_insurancestatus prev ON prev.resident_id = r.id AND prev.year = %(y)s - 1
                WHERE r.hukou_division_id IS NOT NULL AND r.deceased_on IS NULL AND r.moved_out_on IS NULL
                  AND (cur.status IS NULL OR cur.status = 'none')
                ON CONFLICT (campaign_id, resident_id) DO NOTHING
                """,
                {"c": campaign.pk, "y": year},
            )
            added = cur.rowcount
            cur.execute(
                """
                WITH closed AS (
                    UPDATE enrollment_mobilisationtask t SET status = 'closed',
                        outcome = CASE st.status WHEN 'employee' THEN 'employee_insured'
                                                 WHEN 'elsewhere' THEN 'insured_elsewhere' ELSE 'paid' END,
                        closed_at = now(), outcome_at = now(), version = t.version + 1
                    FROM enrollment_insurancestatus st
                    WHERE t.campaign_id = %(c)s AND t.status <> 'closed' AND st.resident_id = t.resident_id
                      AND st.year = %(y)s AND st.status IN ('tier1', 'tier2', 'employee', 'elsewhere')
                    RETURNING t.id, t.outcome
                )
                INSERT INTO enrollment_taskoutcomelog (task_id, outcome, refusal_reason, note, recorded_at)
                SELECT id, outcome, '', '', now() FROM closed
                """,
                {"c": campaign.pk, "y": year},
            )
            closed = cur.rowcount
            # the police file reported a death: the to-do closes with that outcome
            cur.execute(
                """
                WITH closed AS (
                    UPDATE enrollment_mobilisationtask t SET status = 'closed', outcome = 'deceased', closed_at = now(),
                        outcome_at = now(), version = t.version + 1
                    FROM enrollment_resident r
                    WHERE t.campaign_id = %(c)s AND t.status <> 'closed' AND r.id = t.resident_id AND r.deceased_on IS NOT NULL
                    RETURNING t.id
                )
                INSERT INTO enrollment_taskoutcomelog (task_id, outcome, refusal_reason, note, recorded_at)
                SELECT id, 'deceased', '', '', now() FROM closed
                """,
                {"c": campaign.pk},
            )
            closed += cur.rowcount
    return {"added": added, "closed": closed}


@dataclass(frozen=True)
class SplitPlan:
    """How a township splits its open tasks: to the villages' grids, or a count to a named worker."""

    mode: str  # by_village | by_grid | by_count
    village_code: str = ""
    assignee_id: int | None = None
    count: int = 0


def tasks_split(*, actor, year: int, plan: SplitPlan, request=None) -> int:
    """Bulk assignment inside the actor's own area. Returns how many tasks moved."""
    from medinsure.accounts import scoping
    from medinsure.accounts.models import User

    scope = scoping.division_q(actor, "division")
    base = MobilisationTask.objects.filter(scope, campaign__year=year).exclude(status=TaskStatus.CLOSED)
    with transaction.atomic(durable=True):
        if plan.mode == "by_village":
            # every village worker takes the open tasks of their own village
            workers = User.objects.filter(role="village", is_active=True, division__level="village").filter(
                scoping.division_q(actor, "division")
            )
            moved = 0
            for w in workers.select_related("division"):
                moved += base.filter(assignee__isnull=True, division__code__startswith=w.division.code).update(
                    assignee=w, status=TaskStatus.ASSIGNED, version=F("version") + 1
                )
        elif plan.mode == "by_grid":
            # tasks of residents living in a grid move to that grid, then to the grid's worker
            moved = 0
            with connection.cursor() as cur:
                ids = list(base.values_list("id", flat=True))
                if ids:
                    cur.execute(
                        """UPDATE enrollment_mobilisationtask t SET division_id = r.residence_division_id, version = t.version + 1
                        FROM enrollment_resident r JOIN regions_division g ON g.id = r.residence_division_id
                        WHERE t.id = ANY(%s) AND r.id = t.resident_id AND g.level = 'grid'
                          AND substr(g.code, 1, 12) = (SELECT code FROM regions_division WHERE id = t.division_id)""",
                        [ids],
                    )
                    moved = cur.rowcount
            workers = User.objects.filter(role="village", is_active=True, division__level="grid").filter(
                scoping.division_q(actor, "division")
            )
            for w in workers.select_related("division"):
                moved += base.filter(assignee__isnull=True, division=w.division).update(
                    assignee=w, status=TaskStatus.ASSIGNED, version=F("version") + 1
                )
        elif plan.mode == "by_count":
            if plan.count <= 0:
                raise ServiceError(_("请填写分派数量"), "count")
            worker = (
                User.objects.filter(pk=plan.assignee_id, is_active=True)
                .filter(scoping.division_q(actor, "division"))
                .first()
            )
            if worker is None or worker.role not in ("village", "township"):
                raise ServiceError(_("请选择本辖区的工作人员"), "assignee")
            qs = base.filter(assignee__isnull=True)
            if plan.village_code:
                qs = qs.filter(division__code__startswith=plan.village_code)
            ids = list(qs.order_by("division__code", "id").values_list("id", flat=True)[: plan.count])
            moved = MobilisationTask.objects.filter(id__in=ids).update(
                assignee=worker, status=TaskStatus.ASSIGNED, version=F("version") + 1
            )
        else:
            raise ServiceError(_("未知的分派方式"), "mode")
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.MobilisationTask",
            object_id=year,
            summary=f"split {plan.mode} {plan.village_code} {plan.assignee_id} {plan.count}: {moved}",
            request=request,
        )
    return moved


def task_record_outcome(
    *, actor, task_id: int, version: int, outcome: str, note: str = "", refusal_reason: str = "", request=None
) -> MobilisationTask:
    """Record what happened with a to-do. ``version`` is what the worker saw: if someone saved in between,
    the second save is refused (StaleVersion) and nothing is lost."""
    from enrollment.access import task_queryset_for

    with transaction.atomic(durable=True):
        task = (
            task_queryset_for(actor)
            .select_for_update(of=("self",))
            .select_related("resident", "campaign")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            from django.http import Http404

            raise Http404
        if task.version != version:
            raise StaleVersion(
                _("该任务已被%(who)s于%(when)s更新为“%(outcome)s”，请刷新后再处理")
                % {
                    "who": task.outcome_by.display_name if task.outcome_by else _("他人"),
                    "when": timezone.localtime(task.outcome_at).strftime("%H:%M") if task.outcome_at else "",
                    "outcome": task.get_outcome_display() or task.get_status_display(),
                },
                "version",
            )
        try:
            t = mobilisation.next_status(
                task.status, mobilisation.OutcomeInput(outcome, note or "", refusal_reason or "")
            )
        except mobilisation.TransitionError as exc:
            messages = {
                "closed": (_("任务已办结，不能再记录结果"), "outcome"),
                "unknown_outcome": (_("请选择有效的处理结果"), "outcome"),
                "reason_required": (_("拒绝参保须选择原因"), "refusal_reason"),
                "note_required": (_("请填写备注说明"), "note"),
                "system_only": (_("该结果只能由系统记录"), "outcome"),
            }
            msg, fld = messages.get(exc.code, (exc.code, "outcome"))
            raise ServiceError(msg, fld) from exc
        now = timezone.now()
        task.status = t.status
        task.outcome = t.outcome
        task.refusal_reason = refusal_reason if outcome == Outcome.REFUSED else ""
        task.note = (note or "")[:500]
        task.outcome_by = actor
        task.outcome_at = now
        task.closed_at = now if t.closed else None
        task.version += 1
        task.save()
        TaskOutcomeLog.objects.create(
            task=task, outcome=outcome, refusal_reason=task.refusal_reason, note=task.note, actor=actor
        )
        # facts learnt by the worker go to the registry, with their history
        year = task.campaign.year
        if outcome in (Outcome.INSURED_ELSEWHERE, Outcome.EMPLOYEE_INSURED):
            new_status = "elsewhere" if outcome == Outcome.INSURED_ELSEWHERE else "employee"
            st, created = InsuranceStatus.objects.select_for_update().get_or_create(
                resident=task.resident,
                year=year,
                defaults={"status": new_status, "source": Source.WORKER, "status_date": today()},
            )
            if not created and st.status not in InsuranceStatus.RESIDENT_INSURED and st.status != new_status:
                ResidentHistory.objects.create(
                    resident=task.resident,
                    source=Source.WORKER,
                    actor=actor,
                    field=f"status:{year}",
                    before={"status": st.status},
                    after={"status": new_status},
                )
                st.status, st.source, st.status_date = new_status, Source.WORKER, today()
                st.save()
            elif created:
                ResidentHistory.objects.create(
                    resident=task.resident,
                    source=Source.WORKER,
                    actor=actor,
                    field=f"status:{year}",
                    before=None,
                    after={"status": new_status},
                )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.MobilisationTask",
            object_id=task.pk,
            summary=f"outcome {outcome} for {task.resident.id_number[:6]}…",
            request=request,
        )
        queue_progress_refresh(year)
    return task


# --- progress ---------------------------------------------------------------------------------------


def progress_refresh(*, year: int, day: date | None = None) -> int:
    """Recompute the day's progress rows by township and village (insured counted by household
    registration). Replaces the day's rows in one transaction, one refresh of a year at a time
    (advisory lock taken before reading); safe to run any number of times."""
    day = day or today()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('enrollment.progress'), %s)", [year])
        return _progress_refresh_locked(year=year, day=day)


def _progress_refresh_locked(*, year: int, day: date) -> int:
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    villages = list(Division.objects.filter(level=Division.Level.VILLAGE).order_by("code"))
    tasks = dict(GuidelineTask.objects.filter(campaign__year=year).values_list("township__code", "task"))
    with connection.cursor() as cur, linear_plan(cur):
        cur.execute(
            """SELECT substr(d.code, 1, 12) AS village, count(*) FILTER (WHERE st.status IN ('tier1','tier2') AND st.status_date <= %s),
                      count(*) FILTER (WHERE r.deceased_on IS NULL AND r.moved_out_on IS NULL)
               FROM enrollment_resident r JOIN regions_division d ON d.id = r.hukou_division_id
               LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = %s
               GROUP BY 1""",
            [day, year],
        )
        per_village = {code: (ins, pop) for code, ins, pop in cur.fetchall()}
    prev_day = (
        ProgressDaily.objects.filter(year=year, day__lt=day).order_by("-day").values_list("day", flat=True).first()
    )
    prev = (
        dict(ProgressDaily.objects.filter(year=year, day=prev_day).values_list("division_code", "insured"))
        if prev_day
        else {}
    )
    out: list[ProgressDaily] = []
    town_rows = []
    for t in towns:
        vs = [v for v in villages if v.code.startswith(t.code[:9])]
        ins = sum(per_village.get(v.code, (0, 0))[0] for v in vs)
        town_rows.append((t.code, t.name, tasks.get(t.code, 0), ins, prev.get(t.code, ins)))
        # the township's task shared over its villages in proportion to their living registered population
        vfig = [allocation.TownshipFigures(v.code, v.name, per_village.get(v.code, (0, 0))[1]) for v in vs]
        vt = {}
        if vfig:
            try:
                vt = {
                    a.township_code: a.task
                    for a in allocation.allocate(vfig, total=tasks.get(t.code, 0), base_ratio=Decimal(1))
                }
            except allocation.AllocationError:
                vt = {}
        vrows = [
            (
                v.code,
                v.name,
                vt.get(v.code, 0),
                per_village.get(v.code, (0, 0))[0],
                prev.get(v.code, per_village.get(v.code, (0, 0))[0]),
            )
            for v in vs
        ]
        for r in rank_rows(vrows):
            out.append(
                ProgressDaily(
                    year=year,
                    day=day,
                    level="village",
                    division_code=r.division_code,
                    division_name=r.division_name,
                    parent_code=t.code,
                    task=r.task,
                    insured=r.insured,
                    rate=r.rate,
                    rank=r.rank,
                    change=r.change,
                )
            )
    district = Division.objects.filter(level=Division.Level.DISTRICT).first()
    for r in rank_rows(town_rows):
        out.append(
            ProgressDaily(
                year=year,
                day=day,
                level="township",
                division_code=r.division_code,
                division_name=r.division_name,
                parent_code=district.code if district else "",
                task=r.task,
                insured=r.insured,
                rate=r.rate,
                rank=r.rank,
                change=r.change,
            )
        )
    ProgressDaily.objects.filter(year=year, day=day).delete()
    ProgressDaily.objects.bulk_create(out, batch_size=2000)
    return len(out)


# --- reminders --------------------------------------------------------------------------------------


def reminders_enqueue(*, year: int, as_of: date | None = None) -> int:
    """Put this round's reminders in the outbox for the unpaid: one statement, never twice per person and round."""
    from enrollment.rules.reminders import current_round

    as_of = as_of or today()
    campaign = Campaign.objects.get(year=year)
    round_id = current_round(
        as_of,
        collection_start=campaign.collection_start,
        collection_end=campaign.collection_end,
        round_days=tuple(campaign.reminder_round_days or (0,)),
    )
    if round_id is None:
        return 0
    # the last round before the period closes is an automated voice call (人工智能语音电话), the others SMS
    rounds = tuple(campaign.reminder_round_days or (0,))
    kind = "voice" if len(rounds) > 1 and round_id.endswith(f"-R{len(rounds)}") else "sms"
    text = _(
        "【医保局】您%(year)s年度城乡居民医保尚未缴费，集中缴费期至%(end)s，逾期缴费需缴纳全额且有3个月待遇等待期。回复TD退订"
    ) % {
        "year": year,
        "end": campaign.collection_end.strftime("%m月%d日"),
    }
    # the same eligibility as rules.reminders.eligibility, as one set-based statement
    with transaction.atomic(durable=True), connection.cursor() as cur, linear_plan(cur):
        cur.execute(
            """INSERT INTO enrollment_remindermessage (campaign_id, resident_id, round_id, kind, phone, text, status, attempts,
                   last_error, provider_id, created_at)
               SELECT %(c)s, r.id, %(round)s, %(kind)s, r.phone, %(text)s, 'queued', 0, '', '', now()
               FROM enrollment_resident r
               LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = %(y)s
               WHERE r.phone <> '' AND NOT r.reminder_opt_out AND r.deceased_on IS NULL AND r.moved_out_on IS NULL
                 AND (st.status IS NULL OR st.status = 'none')
               ON CONFLICT (resident_id, campaign_id, round_id, kind) DO NOTHING""",
            {"c": campaign.pk, "round": round_id, "text": text, "y": year, "kind": kind},
        )
        return cur.rowcount


def reminders_send(*, limit: int | None = None) -> dict:
    """Send due messages through the configured channel, at most ``limit`` (the rate limit per run).
    Each message is locked (SKIP LOCKED) so two workers never send the same one."""
    from enrollment.channels import get_channel
    from enrollment.rules.reminders import retry_delay_seconds

    limit = limit or int(getattr(settings, "ENROLLMENT_REMINDER_RATE_PER_RUN", 200))
    max_attempts = int(getattr(settings, "ENROLLMENT_REMINDER_MAX_ATTEMPTS", 5))
    channel = get_channel()
    now = timezone.now()
    sent = failed = 0
    due = Q(status=ReminderMessage.Status.QUEUED) | Q(status=ReminderMessage.Status.RETRY, next_attempt_at__lte=now)
    for _i in range(limit):
        with transaction.atomic():
            msg = (
                ReminderMessage.objects.select_for_update(skip_locked=True)
                .filter(due)
                .select_related("resident")
                .order_by("id")
                .first()
            )
            if msg is None:
                break
            # re-check at send time: paid since queued or opted out → drop silently
            paid = (
                InsuranceStatus.objects.filter(resident_id=msg.resident_id, year=msg.campaign.year)
                .exclude(status="none")
                .exists()
            )
            if paid or msg.resident.reminder_opt_out:
                msg.status = ReminderMessage.Status.FAILED
                msg.last_error = "paid" if paid else "opted_out"
                msg.save(update_fields=["status", "last_error"])
                continue
            msg.attempts += 1
            try:
                provider_id = channel.send(kind=msg.kind, phone=msg.phone, text=msg.text, message_id=msg.pk)
            except Exception as exc:  # the channel's failure is recorded, the message retried later
                msg.last_error = str(exc)[:300]
                if msg.attempts >= max_attempts:
                    msg.status = ReminderMessage.Status.FAILED
                else:
                    msg.status = ReminderMessage.Status.RETRY
                    msg.next_attempt_at = now + timezone.timedelta(seconds=retry_delay_seconds(msg.attempts))
                failed += 1
            else:
                msg.status = ReminderMessage.Status.SENT
                msg.provider_id = str(provider_id or "")[:64]
                msg.sent_at = timezone.now()
                msg.last_error = ""
                sent += 1
            msg.save()
    return {"sent": sent, "failed": failed}


def reminders_record_receipts(*, actor, receipts: list[dict], request=None) -> int:
    """Delivery reports from the gateway: ``[{"provider_id", "status": delivered|failed, "error"}]``.
    Updates the outbox rows in one statement per status; an unknown id is ignored. Safe to repeat."""
    by_status: dict[str, list[str]] = {"delivered": [], "failed": []}
    errors: dict[str, str] = {}
    for r in receipts:
        status = r.get("status")
        if status not in by_status:
            raise ServiceError(_("回执状态应为 delivered 或 failed"), "status")
        by_status[status].append(str(r.get("provider_id", ""))[:64])
        if r.get("error"):
            errors[str(r["provider_id"])] = str(r["error"])[:300]
    with transaction.atomic(durable=True):
        n = (
            ReminderMessage.objects.filter(provider_id__in=by_status["delivered"], provider_id__gt="")
            .exclude(status=ReminderMessage.Status.DELIVERED)
            .update(status=ReminderMessage.Status.DELIVERED)
        )
        for m in ReminderMessage.objects.select_for_update().filter(
            provider_id__in=by_status["failed"], provider_id__gt=""
        ):
            m.status = ReminderMessage.Status.FAILED
            m.last_error = errors.get(m.provider_id, "gateway: failed")
            m.save(update_fields=["status", "last_error"])
            n += 1
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.ReminderMessage",
            summary=f"receipts {len(receipts)} → {n}",
            request=request,
        )
    return n


def resident_set_opt_out(*, actor, resident_id: int, opt_out: bool, request=None) -> Resident:
    from enrollment.access import access_resident_by_id

    with transaction.atomic(durable=True):
        r = access_resident_by_id(actor, resident_id, for_update=True)
        if r.reminder_opt_out != opt_out:
            ResidentHistory.objects.create(
                resident=r,
                source=Source.WORKER,
                actor=actor,
                field="reminder_opt_out",
                before={"reminder_opt_out": r.reminder_opt_out},
                after={"reminder_opt_out": opt_out},
            )
            r.reminder_opt_out = opt_out
            r.save(update_fields=["reminder_opt_out", "updated_at"])
            audit_log(
                actor=actor,
                action=AuditLog.Action.CHANGE,
                object_type="enrollment.Resident",
                object_id=r.pk,
                summary=f"reminder_opt_out={opt_out}",
                request=request,
            )
    return r


# --- campaigns (征缴年度与档次) ------------------------------------------------------------------------

TIER_LABELS = dict(CampaignTier._meta.get_field("code").choices)  # tier1 一档, tier2 二档 (translated)
CAMPAIGN_LOCK_KEY = 73010  # pg_advisory_xact_lock(key, year): one creation of a year at a time


@dataclass(frozen=True)
class TierInput:
    """One contribution tier of a campaign as entered: standard = subsidy + personal."""

    code: str
    standard: Decimal
    subsidy: Decimal
    personal: Decimal
    ltc_premium: Decimal = Decimal("0")


def _as_decimal(value, field: str, label: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    raise ServiceError(_("%(label)s应为金额（元）") % {"label": label}, field)


def _campaign_check(
    *,
    name: str,
    collection_start: date,
    collection_end: date,
    city_target: int,
    township_total: int | None,
    base_ratio: Decimal,
    reminder_round_days,
    tiers,
) -> tuple[str, list[int], list[TierInput]]:
    """Validate a campaign's settings; every refusal names the field at fault."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("名称不能为空"), "name")
    if not collection_start:
        raise ServiceError(_("集中缴费期开始不能为空"), "collection_start")
    if not collection_end:
        raise ServiceError(_("集中缴费期结束不能为空"), "collection_end")
    if collection_start >= collection_end:
        raise ServiceError(_("集中缴费期开始日期应早于结束日期"), "collection_start")
    if city_target is None or int(city_target) <= 0:
        raise ServiceError(_("市级下达基本医保参保任务数应为正整数"), "city_target")
    if township_total is not None and int(township_total) < 0:
        raise ServiceError(_("镇街居民医保指导性任务总数不能为负数"), "township_total")
    base_ratio = _as_decimal(base_ratio, "base_ratio", _("户籍人口基数比例"))
    if not (Decimal(0) < base_ratio <= 1):
        raise ServiceError(_("户籍人口基数比例应大于0且不超过1"), "base_ratio")
    rounds = []
    for d in reminder_round_days or []:
        try:
            n = int(d)
        except (TypeError, ValueError):
            n = -1
        if n < 0:
            raise ServiceError(_("提醒轮次应为不小于0的整数天数"), "reminder_round_days")
        rounds.append(n)
    tiers = list(tiers or [])
    if not tiers:
        raise ServiceError(_("至少设置一个缴费档次"), "tiers")
    seen, out = set(), []
    for t in tiers:
        if t.code not in TIER_LABELS:
            raise ServiceError(_("未知的缴费档次：%(code)s") % {"code": t.code}, "tiers")
        if t.code in seen:
            raise ServiceError(_("缴费档次%(tier)s重复") % {"tier": str(TIER_LABELS[t.code])}, f"{t.code}.code")
        seen.add(t.code)
        tier = str(TIER_LABELS[t.code])
        amounts = {}
        for key, label in (
            ("standard", _("筹资标准")),
            ("subsidy", _("财政补助")),
            ("personal", _("个人缴费")),
            ("ltc_premium", _("长期护理保险费")),
        ):
            value = _as_decimal(getattr(t, key), f"{t.code}.{key}", f"{tier}{label}")
            if value < 0:
                raise ServiceError(_("%(tier)s%(label)s不能为负数") % {"tier": tier, "label": label}, f"{t.code}.{key}")
            if value != value.quantize(Decimal("0.01")):
                raise ServiceError(
                    _("%(tier)s%(label)s最多保留两位小数") % {"tier": tier, "label": label}, f"{t.code}.{key}"
                )
            amounts[key] = value.quantize(Decimal("0.01"))
        if amounts["standard"] != amounts["subsidy"] + amounts["personal"]:
            raise ServiceError(
                _("%(tier)s筹资标准（%(standard)s元）应等于财政补助与个人缴费之和（%(sum)s元）")
                % {"tier": tier, "standard": amounts["standard"], "sum": amounts["subsidy"] + amounts["personal"]},
                f"{t.code}.standard",
            )
        out.append(TierInput(code=t.code, **amounts))
    return name, rounds, out


def _tiers_write(campaign: Campaign, tiers: list[TierInput]) -> None:
    existing = {t.code: t for t in CampaignTier.objects.select_for_update().filter(campaign=campaign)}
    for t in tiers:
        row = existing.pop(t.code, None) or CampaignTier(campaign=campaign, code=t.code)
        row.standard, row.subsidy, row.personal, row.ltc_premium = t.standard, t.subsidy, t.personal, t.ltc_premium
        row.save()
    for row in existing.values():  # tiers left out of the new settings
        row.delete()


def _tiers_summary(tiers: list[TierInput]) -> str:
    return "; ".join(f"{t.code} {t.standard}={t.subsidy}+{t.personal} ltc {t.ltc_premium}" for t in tiers)


def campaign_create(
    *,
    actor,
    year: int,
    name: str,
    collection_start: date,
    collection_end: date,
    city_target: int,
    tiers,
    township_total: int | None = None,
    base_ratio: Decimal = Decimal("0.96"),
    reminder_round_days=(),
    request=None,
) -> Campaign:
    """A new contribution-year campaign with its tiers (one campaign per year)."""
    if not isinstance(year, int) or not (2000 <= year <= 2100):
        raise ServiceError(_("参保年度应为2000至2100之间的年份"), "year")
    name, rounds, tiers = _campaign_check(
        name=name,
        collection_start=collection_start,
        collection_end=collection_end,
        city_target=city_target,
        township_total=township_total,
        base_ratio=base_ratio,
        reminder_round_days=reminder_round_days,
        tiers=tiers,
    )
    with transaction.atomic(durable=True):
        # the advisory lock serialises two creations of the same year; the unique index is the last guard
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CAMPAIGN_LOCK_KEY, year])
        if Campaign.objects.filter(year=year).exists():
            raise ServiceError(_("%(year)s年度的征缴年度已存在") % {"year": year}, "year")
        campaign = Campaign.objects.create(
            year=year,
            name=name,
            collection_start=collection_start,
            collection_end=collection_end,
            city_target=city_target,
            township_total=township_total,
            base_ratio=base_ratio,
            reminder_round_days=rounds,
        )
        _tiers_write(campaign, tiers)
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.Campaign",
            object_id=campaign.pk,
            summary=(
                f"create {year} {collection_start}..{collection_end} city_target={city_target} {_tiers_summary(tiers)}"
            ),
            request=request,
        )
    return campaign


def campaign_update(
    *,
    actor,
    campaign: Campaign,
    name: str,
    collection_start: date,
    collection_end: date,
    city_target: int,
    tiers,
    township_total: int | None = None,
    base_ratio: Decimal = Decimal("0.96"),
    reminder_round_days=(),
    request=None,
) -> Campaign:
    """Change a campaign's settings and tiers; its year stays (payments and tasks refer to it)."""
    name, rounds, tiers = _campaign_check(
        name=name,
        collection_start=collection_start,
        collection_end=collection_end,
        city_target=city_target,
        township_total=township_total,
        base_ratio=base_ratio,
        reminder_round_days=reminder_round_days,
        tiers=tiers,
    )
    with transaction.atomic(durable=True):
        row = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = (
            f"{row.collection_start}..{row.collection_end} city_target={row.city_target} "
            f"township_total={row.township_total} base_ratio={row.base_ratio}"
        )
        row.name = name
        row.collection_start = collection_start
        row.collection_end = collection_end
        row.city_target = city_target
        row.township_total = township_total
        row.base_ratio = base_ratio
        row.reminder_round_days = rounds
        row.save()
        _tiers_write(row, tiers)
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.Campaign",
            object_id=row.pk,
            summary=(
                f"update {row.year} was {before}; now {collection_start}..{collection_end} "
                f"city_target={city_target} township_total={township_total} base_ratio={base_ratio} "
                f"{_tiers_summary(tiers)}"
            )[:500],
            request=request,
        )
    return row
