"""The townships' guideline tasks (指导性任务): compute, edit, issue."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import selectors
from enrollment.models import Campaign, GuidelineTask, GuidelineTaskChange
from enrollment.rules import allocation
from enrollment.services._common import queue_progress_refresh, stale_version
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.regions.models import Division


def guideline_tasks_compute(
    *, actor, year: int, total: int | None = None, base_ratio: Decimal | None = None
) -> list[GuidelineTask]:
    """(Re)compute the townships' guideline tasks; tasks already issued are not touched, edited ones keep their edit."""
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.select_for_update().get(year=year)
        if GuidelineTask.objects.filter(campaign=campaign, issued_at__isnull=False).exists():
            raise ValidationError({"year": _("本年度指导性任务已下达，不能重新测算")})
        if total is not None:
            campaign.township_total = total
        if base_ratio is not None:
            if not (Decimal(0) < base_ratio <= 1):
                raise ValidationError({"base_ratio": _("基数比例应大于0且不超过1")})
            campaign.base_ratio = base_ratio
        campaign.save(update_fields=["township_total", "base_ratio"])
        figures = selectors.township_figures(year=year)
        try:
            results = allocation.allocate(figures, total=campaign.township_total, base_ratio=campaign.base_ratio)
        except allocation.AllocationError as exc:
            raise ValidationError({"total": _("无法分配任务数：%(error)s") % {"error": exc}}) from exc
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
            verb=AuditLog.Action.CHANGE,
            obj=GuidelineTask,
            key=year,
            summary=_("测算指导性任务：镇街任务总数 %(t)s，户籍人口基数比例 %(r)s")
            % {"t": campaign.township_total, "r": campaign.base_ratio},
        )
        queue_progress_refresh(year)
    return list(GuidelineTask.objects.filter(campaign__year=year).select_related("township"))


def guideline_task_edit(*, actor, task_id: int, task: int, reason: str, version: int) -> GuidelineTask:
    reason = (reason or "").strip()
    if task < 0:
        raise ValidationError({"task": _("任务数不能为负数")})
    with transaction.atomic(durable=True):
        g = GuidelineTask.objects.select_for_update().select_related("township").filter(pk=task_id).first()
        if g is None:
            raise ValidationError({"task_id": _("该指导性任务不存在，请刷新后重试")})
        if g.version != version:
            raise stale_version(_("该任务数已被他人修改，请刷新后重试"))
        if g.issued_at:
            raise ValidationError({"task": _("任务已下达，不能再修改")})
        if task != g.computed_task and not reason:
            raise ValidationError({"reason": _("调整任务数必须填写理由")})
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
            verb=AuditLog.Action.CHANGE,
            obj=g,
            summary=_("调整 %(t)s 指导性任务为 %(n)s：%(r)s") % {"t": g.township.code, "n": task, "r": reason},
        )
        queue_progress_refresh(g.campaign.year)
    return g


def guideline_tasks_issue(*, actor, year: int) -> int:
    with transaction.atomic(durable=True):
        n = (
            GuidelineTask.objects.select_for_update()
            .filter(campaign__year=year, issued_at__isnull=True)
            .update(issued_at=timezone.now())
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=GuidelineTask,
            key=year,
            summary=_("下达指导性任务 %(n)s 个镇街") % {"n": n},
        )
    return n
