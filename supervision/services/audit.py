"""Intelligent audit (智能审核): runs of the rules over the settlements (by hand, daily, monthly), the
flags they raise (the institution's answer, the review, a case), the rules' settings."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from psycopg2.extras import Json, execute_values

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from medinsure.core.figures_cache import bump_on_commit
from medinsure.jobs import services as jobs
from supervision import access
from supervision.models import AuditRule, AuditRun, Case, CaseSource, Flag, FlagStatus, TargetKind
from supervision.rules.audit import ParamError, RuleKind, run_rules, validate_params
from supervision.selectors import FIGURES, settlement_visit_chunks

from ._common import _durable
from .cases import _case_register

LOOKBACK_DAYS = {"daily": 31, "monthly": 31}
# The tasks' names (supervision.tasks declares them): services queue work by name, never import tasks.
AUDIT_DAILY = "supervision.audit_daily"
AUDIT_MONTHLY = "supervision.audit_monthly"


def audit_run(
    *,
    kind: str,
    start: date,
    end: date,
    actor=None,
    job_id=None,
    chunk_settlements: int = 5000,
    lookback_days: int | None = None,
):
    """Run every enabled rule over the settlements settled from start to end (inclusive).

    Work goes in chunks of whole persons (a person's settlements are never split, so the
    cross-institution rules see them together); the same persons' settlements of the previous
    `lookback_days` come along as context, but only settlements of the period are flagged; each
    chunk's flags commit together or not at all; the unique (rule, settlement, key) constraint
    makes a second run add nothing."""
    rules = list(AuditRule.objects.filter(enabled=True).order_by("code"))
    specs = [r.spec() for r in rules]
    by_code = {r.code: r for r in rules}
    # A task delivered again (its worker died half-way) continues the run of its job instead of
    # leaving that one unfinished and counting only the flags it adds itself.
    run = AuditRun.objects.filter(job_id=job_id).order_by("pk").first() if job_id else None
    if run is not None and run.finished_at is not None:
        return run  # delivered twice: the run is complete
    if run is None:
        run = AuditRun.objects.create(kind=kind, period_start=start, period_end=end, job_id=job_id)
    settlements = lines = hit_count = 0
    lookback = LOOKBACK_DAYS.get(kind, 0) if lookback_days is None else lookback_days
    for visits, total in settlement_visit_chunks(
        start=start, end=end, chunk_settlements=chunk_settlements, lookback_days=lookback
    ):
        by_id = {v.id: v for v in visits}
        hits = [h for h in run_rules(visits, specs) if start <= by_id[h.settlement_id].settled_on <= end]
        with transaction.atomic():
            _flags_insert(run, hits, by_id, by_code)
            bump_on_commit(FIGURES)
        current = [v for v in visits if start <= v.settled_on <= end]
        settlements += len(current)
        lines += sum(len(v.lines) for v in current)
        hit_count += len(hits)
        if job_id:
            jobs.job_progress(job_id, done=settlements, total=total)
    run.settlements, run.lines, run.hits = settlements, lines, hit_count
    run.new_flags = Flag.objects.filter(run=run).count()
    run.finished_at = timezone.now()
    run.save(update_fields=["settlements", "lines", "hits", "new_flags", "finished_at"])
    if job_id:
        jobs.job_finish(
            job_id,
            result={
                "settlements": settlements,
                "lines": lines,
                "hits": hit_count,
                "new_flags": run.new_flags,
                "run": run.pk,
            },
        )
    return run


def _flags_insert(run, hits, visits_by_id, rules_by_code) -> None:
    """One INSERT … ON CONFLICT DO NOTHING for the chunk's hits: the unique (rule, settlement, key)
    keeps a re-run from adding anything."""
    if not hits:
        return
    today, now = timezone.localdate(), timezone.now()
    due = {code: today + timedelta(days=r.answer_days) for code, r in rules_by_code.items()}
    rows = []
    for h in hits:
        v = visits_by_id[h.settlement_id]
        rows.append(
            (
                rules_by_code[h.rule_code].pk,
                h.settlement_id,
                h.key[:80],
                v.institution_id,
                v.person[:18],
                v.settled_on,
                h.amount,
                h.result.value,
                Json(dict(h.detail)),
                list(h.line_ids),
                "pushed",
                due[h.rule_code],
                "",
                "",
                Decimal("0.00"),
                run.pk,
                now,
            )
        )
    sql = (
        f"INSERT INTO {Flag._meta.db_table} (rule_id, settlement_id, key, institution_id, person_id_number, "
        "settled_on, amount, result, detail, line_ids, status, answer_due, answer, review_note, deduction, "
        "run_id, created_at) VALUES %s ON CONFLICT (rule_id, settlement_id, key) DO NOTHING"
    )
    with connection.cursor() as cur:
        execute_values(
            cur.cursor,
            sql,
            rows,
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::bigint[], %s, %s, %s, %s, %s, %s, %s)",
            page_size=2000,
        )


def flag_answer(*, actor, flag_id: int, answer: str):
    """The institution's explanation (机构申诉/说明), before the reviewer decides."""
    if not access.is_institution_user(actor):
        raise ValidationError({"answer": _("只有被推送疑点的定点机构可以答复")})
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写答复说明")})
    with _durable():
        flag = Flag.objects.select_for_update().filter(access.institution_q(actor)).get(pk=flag_id)
        if flag.status not in (FlagStatus.PUSHED, FlagStatus.ANSWERED):
            raise ValidationError({"answer": _("疑点已审核，不能再答复")})
        if timezone.localdate() > flag.answer_due:
            raise ValidationError({"answer": _("答复期限（%(due)s）已过") % {"due": flag.answer_due}})
        flag.status, flag.answer = FlagStatus.ANSWERED, answer.strip()
        flag.answered_at, flag.answered_by = timezone.now(), actor
        flag.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=flag,
            summary="answered",
        )
    return flag


def flag_review(
    *,
    actor,
    flag_id: int,
    confirm: bool,
    deduction: Decimal | None = None,
    note: str = "",
    on: date | None = None,
):
    """Confirm (a deduction, 拒付/扣款) or clear a flag. Confirming before the institution answered
    is allowed only once its answer time has run out."""
    access.require_staff(actor)
    on = on or timezone.localdate()
    with _durable():
        flag = Flag.objects.select_for_update().get(pk=flag_id)
        if flag.status in (FlagStatus.CONFIRMED, FlagStatus.CLEARED):
            raise ValidationError({"status": _("疑点已审核")})
        if confirm:
            if flag.status == FlagStatus.PUSHED and on <= flag.answer_due:
                raise ValidationError({"status": _("机构答复期限未到，请待答复或期限届满后再确认")})
            amount = flag.amount if deduction is None else deduction
            if amount < 0 or (flag.amount > 0 and amount > flag.amount):
                raise ValidationError({"deduction": _("扣款金额应在 0 至疑点金额之间")})
            flag.status, flag.deduction = FlagStatus.CONFIRMED, amount
        else:
            if not (note or "").strip():
                raise ValidationError({"review_note": _("排除疑点请填写理由")})
            flag.status, flag.deduction = FlagStatus.CLEARED, Decimal("0.00")
        flag.reviewed_on, flag.reviewed_by, flag.review_note = on, actor, (note or "").strip()
        flag.save(update_fields=["status", "deduction", "reviewed_on", "reviewed_by", "review_note"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=flag,
            summary=f"{flag.status} {flag.deduction}",
        )
    return flag


def flag_open_case(*, actor, flag_id: int, violations, summary: str, registered_on: date | None = None) -> Case:
    access.require_staff(actor)
    with _durable():
        flag = Flag.objects.select_for_update(of=("self",)).select_related("run").get(pk=flag_id)
        if flag.status != FlagStatus.CONFIRMED:
            raise ValidationError({"status": _("只有确认违规的疑点才能立案")})
        if flag.case_id:
            raise ValidationError({"status": _("该疑点已立案")})
        source = CaseSource.BIG_DATA if flag.run and flag.run.kind == "monthly" else CaseSource.INTELLIGENT_AUDIT
        case = _case_register(
            actor=actor,
            source=source,
            target_kind=TargetKind.INSTITUTION,
            institution_id=flag.institution_id,
            violations=violations,
            summary=summary,
            registered_on=registered_on or timezone.localdate(),
        )
        flag.case = case
        flag.save(update_fields=["case"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=flag,
            summary=f"case {case.number}",
        )
    return case


def rule_update(*, actor, rule_id: int, name: str, enabled: bool, params: dict, answer_days: int):
    access.require_staff(actor)
    with _durable():
        rule = AuditRule.objects.select_for_update().get(pk=rule_id)
        try:
            validate_params(RuleKind(rule.kind), params)
        except ParamError as exc:
            raise ValidationError({"params": _("规则参数有误：%(error)s") % {"error": exc}}) from None
        rule.name, rule.enabled, rule.params, rule.answer_days = name, enabled, params, answer_days
        rule.save()
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=rule,
            summary=f"{rule.code} enabled={enabled}",
        )
    return rule


def audit_run_request(*, actor, kind: str, day: date | None = None, month: str = ""):
    """Queue a run of the rules by hand; the page follows its progress."""
    access.require_staff(actor)
    if kind == "daily" and not day:
        raise ValidationError({"day": _("请选择日期")})
    if kind == "monthly":
        try:
            y, m = (int(x) for x in month.split("-"))
            date(y, m, 1)
        except (ValueError, TypeError):
            raise ValidationError({"month": _("月份格式应为 YYYY-MM")}) from None
    with _durable():
        job = jobs.job_create(
            actor=actor, kind="supervision.audit_run", title=_("智能审核：%(what)s") % {"what": day or month}
        )
        if kind == "daily":
            enqueue_on_commit(AUDIT_DAILY, day.isoformat(), str(job.pk), job=job)
        else:
            enqueue_on_commit(AUDIT_MONTHLY, month, str(job.pk), job=job)
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=AuditRun,
            summary=f"{kind} {day or month}",
        )
    return job


def audit_rules_ensure_defaults() -> int:
    """Create the default rules that are missing (the same rows as migration 0002); returns how many."""
    rules = [
        *importlib.import_module("supervision.migrations.0002_default_audit_rules").RULES,
        *importlib.import_module("supervision.migrations.0003_split_admission_rule").RULES,
    ]
    created = 0
    for code, name, category, kind, result, basis, params in rules:
        _obj, new = AuditRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "kind": kind,
                "result": result,
                "basis": basis,
                "params": params,
            },
        )
        created += new
    return created


def _chunk_settlements() -> int:
    return int(getattr(settings, "SUPERVISION_AUDIT_CHUNK_SETTLEMENTS", 5000))


def audit_daily(*, day: date | None = None, job_id=None):
    """日任务: the given day's settlements (yesterday's when no day is given)."""
    d = day or timezone.localdate() - timedelta(days=1)
    return audit_run(kind="daily", start=d, end=d, job_id=job_id, chunk_settlements=_chunk_settlements())


def _month_bounds(month: str | None, *, today: date) -> tuple[date, date]:
    """The first and last day of the month "YYYY-MM" (of the month before today's when none is given)."""
    if month:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    else:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def audit_monthly(*, month: str | None = None, job_id=None):
    """月任务: the whole of the given month ("YYYY-MM"; last month when none is given)."""
    first, last = _month_bounds(month, today=timezone.localdate())
    return audit_run(kind="monthly", start=first, end=last, job_id=job_id, chunk_settlements=_chunk_settlements())
