"""Mobilisation tasks (参保动员任务): the nightly sync, the split to workers and the outcomes they record."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.models import (
    Campaign,
    InsuranceStatus,
    MobilisationTask,
    Outcome,
    ResidentHistory,
    Source,
    TaskOutcomeLog,
    TaskStatus,
)
from enrollment.rules import mobilisation
from enrollment.services._common import queue_progress_refresh, stale_version, today
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.bulk import linear_plan


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


def tasks_split(*, actor, year: int, plan: SplitPlan) -> int:
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
                raise ValidationError({"count": _("请填写分派数量")})
            worker = (
                User.objects.filter(pk=plan.assignee_id, is_active=True)
                .filter(scoping.division_q(actor, "division"))
                .first()
            )
            if worker is None or worker.role not in ("village", "township"):
                raise ValidationError({"assignee": _("请选择本辖区的工作人员")})
            qs = base.filter(assignee__isnull=True)
            if plan.village_code:
                qs = qs.filter(division__code__startswith=plan.village_code)
            ids = list(qs.order_by("division__code", "id").values_list("id", flat=True)[: plan.count])
            moved = MobilisationTask.objects.filter(id__in=ids).update(
                assignee=worker, status=TaskStatus.ASSIGNED, version=F("version") + 1
            )
        else:
            raise ValidationError({"mode": _("未知的分派方式")})
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=MobilisationTask,
            key=year,
            summary=_("分派动员任务（%(m)s）%(v)s，经办人 %(a)s，计划 %(c)s 件，实际 %(n)s 件")
            % {"m": plan.mode, "v": plan.village_code, "a": plan.assignee_id, "c": plan.count, "n": moved},
        )
    return moved


OUTCOME_MESSAGES = {
    mobilisation.OutcomeError.CLOSED: gettext_lazy("任务已办结，不能再记录结果"),
    mobilisation.OutcomeError.UNKNOWN_OUTCOME: gettext_lazy("请选择有效的处理结果"),
    mobilisation.OutcomeError.REASON_REQUIRED: gettext_lazy("拒绝参保须选择原因"),
    mobilisation.OutcomeError.NOTE_REQUIRED: gettext_lazy("请填写备注说明"),
    mobilisation.OutcomeError.SYSTEM_ONLY: gettext_lazy("该结果只能由系统记录"),
}


def task_record_outcome(
    *, actor, task_id: int, version: int, outcome: str, note: str = "", refusal_reason: str = ""
) -> MobilisationTask:
    """Record what happened with a to-do. ``version`` is what the worker saw: if someone saved in between,
    the second save is refused (a ValidationError on ``version``, code ``stale``) and nothing is lost."""
    from enrollment.access import access_task_by_id

    with transaction.atomic(durable=True):
        # the one way to a single row: outside the actor's area it is the same 404 as a missing one
        task = access_task_by_id(actor, task_id, for_update=True)
        if task.version != version:
            raise stale_version(
                _("该任务已被%(who)s于%(when)s更新为“%(outcome)s”，请刷新后再处理")
                % {
                    "who": task.outcome_by.display_name if task.outcome_by else _("他人"),
                    "when": timezone.localtime(task.outcome_at).strftime("%H:%M") if task.outcome_at else "",
                    "outcome": task.get_outcome_display() or task.get_status_display(),
                }
            )
        check = mobilisation.check_transition(
            task.status, mobilisation.OutcomeInput(outcome, note or "", refusal_reason or "")
        )
        if not check.ok:
            raise ValidationError({check.field: OUTCOME_MESSAGES.get(check.error, str(check.error))})
        t = check.transition
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
            verb=AuditLog.Action.CHANGE,
            obj=task,
            summary=_("记录动员结果：%(o)s") % {"o": outcome},
        )
        queue_progress_refresh(year)
    return task
