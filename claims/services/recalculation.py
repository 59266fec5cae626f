"""Batch recalculation (批量重算): a year's settlements under a new policy version, first as a
difference report computed chunk by chunk, then (after staff approve it) applied chunk by chunk."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import selectors
from claims.models import Policy, PolicyVersion, Recalculation, RecalculationChunk, RecalculationDiff
from claims.policies import parsed_version
from claims.rules import settle
from claims.rules.status import RECALCULATION_RUNNING, Verdict, check_recalculation_transition
from claims.services._common import copy_rows, failure_recorded, user_or_none
from claims.services.stats import monthly_stats_refresh
from claims.visits import visit_from_settlement
from medinsure.accounts.powers import Power, check_second_person
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit

CHUNK_PERSONS = int(getattr(settings, "CLAIMS_RECALC_CHUNK_PERSONS", 5000))


def _refused(rc: Recalculation, message: str) -> ValidationError:
    return ValidationError({"status": message % {"s": rc.get_status_display()}})


def recalculation_start(*, actor, version: PolicyVersion, year: int) -> Recalculation:
    """Start a recalculation of ``year``'s settlements of the version's policy: first a difference
    report (Celery, engine queue, progress job), which staff approve before it is applied."""
    from medinsure.jobs.services import job_create

    with transaction.atomic(durable=True):
        Policy.objects.select_for_update().get(pk=version.policy_id)
        if selectors.recalculation_exists(policy_id=version.policy_id, year=year, statuses=RECALCULATION_RUNNING):
            raise ValidationError({"year": _("该政策 %(y)s 年度已有进行中的批量重算") % {"y": year}})
        job = job_create(
            actor=actor,
            kind="claims.recalculation",
            title=_("重算 %(y)s 年度结算单（%(v)s）") % {"y": year, "v": version},
        )
        rc = Recalculation.objects.create(policy_version=version, year=year, job=job, created_by=user_or_none(actor))
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=rc,
            summary=_("发起批量重算：%(v)s，%(y)s 年度") % {"v": version, "y": year},
        )
        enqueue_on_commit("claims.recalculation_compute", str(rc.pk), job=job)
    return rc


def _chunk_rows(rc: Recalculation, index: int, *, lock: bool = False) -> list:
    """The settlements of one chunk (named rows: the settlement's fields the engine reads and its
    stored figures), locked for the update when applying."""
    b = rc.boundaries
    rows = selectors.year_settlements(policy_id=rc.policy_version.policy_id, year=rc.year).filter(
        id_number__gte=b[index]
    )
    if index + 1 < len(b):
        rows = rows.filter(id_number__lt=b[index + 1])
    if lock:
        rows = rows.select_for_update(of=("self",))
    return list(rows.order_by("id").values_list(*selectors.ENGINE_FIELDS, named=True))


def _recompute(rc: Recalculation, rows, *, explain: bool = True):
    return settle(parsed_version(rc.policy_version), [visit_from_settlement(r) for r in rows], explain=explain)


def _level_totals() -> dict:
    return {
        "count": 0,
        "old_fund": "0",
        "new_fund": "0",
        "old_critical": "0",
        "new_critical": "0",
        "more": 0,
        "less": 0,
    }


def _compute_chunk(rc: Recalculation, index: int) -> int:
    """Compute one chunk's differences in one transaction (replacing any earlier attempt)."""
    with transaction.atomic():
        chunk = RecalculationChunk.objects.select_for_update().get(recalculation=rc, index=index)
        if chunk.computed:
            return 0
        rows = _chunk_rows(rc, index)
        results = _recompute(rc, rows, explain=False)  # the report needs the figures only
        RecalculationDiff.objects.filter(recalculation=rc, chunk=index).delete()
        diffs, totals = [], {}
        for row, r in zip(rows, results, strict=True):
            level = row.hospital_level
            old_ded, old_fund, old_crit = row.deductible, row.fund_paid, row.critical_paid
            t = totals.setdefault(str(level), _level_totals())
            t["count"] += 1
            t["old_fund"] = str(Decimal(t["old_fund"]) + old_fund)
            t["new_fund"] = str(Decimal(t["new_fund"]) + r.fund_paid)
            t["old_critical"] = str(Decimal(t["old_critical"]) + old_crit)
            t["new_critical"] = str(Decimal(t["new_critical"]) + r.critical_paid)
            if (old_ded, old_fund, old_crit) != (r.deductible, r.fund_paid, r.critical_paid):
                delta = (r.fund_paid + r.critical_paid) - (old_fund + old_crit)
                t["more" if delta > 0 else "less"] += 1 if delta else 0
                diffs.append(
                    RecalculationDiff(
                        recalculation=rc,
                        chunk=index,
                        settlement_id=row.id,
                        hospital_level=level,
                        old_deductible=old_ded,
                        old_fund_paid=old_fund,
                        old_critical_paid=old_crit,
                        new_deductible=r.deductible,
                        new_fund_paid=r.fund_paid,
                        new_critical_paid=r.critical_paid,
                        delta=delta,
                    )
                )
        RecalculationDiff.objects.bulk_create(diffs, batch_size=5000)
        chunk.computed = True
        chunk.totals = totals
        chunk.save(update_fields=["computed", "totals"])
        return len(rows)


_MONEY_KEYS = ("old_fund", "new_fund", "old_critical", "new_critical")


def _sum_totals(chunks) -> dict:
    levels: dict = {}
    for c in chunks:
        for level, t in c.totals.items():
            cur = levels.setdefault(level, {"count": 0, "more": 0, "less": 0, **dict.fromkeys(_MONEY_KEYS, Decimal(0))})
            for k in ("count", "more", "less"):
                cur[k] += t[k]
            for k in _MONEY_KEYS:
                cur[k] += Decimal(t[k])
    out = {}
    for level in sorted(levels):
        t = levels[level]
        out[level] = {
            **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in t.items()},
            "delta": str(t["new_fund"] + t["new_critical"] - t["old_fund"] - t["old_critical"]),
        }
    total = {"count": 0, "more": 0, "less": 0, **dict.fromkeys(_MONEY_KEYS, Decimal(0))}
    for t in levels.values():
        for k in total:
            total[k] += t[k]
    total["delta"] = total["new_fund"] + total["new_critical"] - total["old_fund"] - total["old_critical"]
    return {"levels": out, "total": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in total.items()}}


def recalculation_compute(*, recalculation_id) -> dict:
    """Compute the difference report chunk by chunk. Each chunk commits on its own; a re-run (or a
    re-delivery after a worker died) skips computed chunks and redoes the rest, so the report is the
    same whatever happened. If it fails, the run and its jobs are marked failed."""
    with failure_recorded(recalculation_failed, recalculation_id=recalculation_id):
        return _compute(recalculation_id)


def _compute(recalculation_id) -> dict:
    from medinsure.jobs.services import job_finish, job_progress

    rc = Recalculation.objects.select_related("policy_version").get(pk=recalculation_id)
    if check_recalculation_transition(rc.status, Recalculation.Status.READY) != Verdict.GO:
        return rc.totals
    if not rc.boundaries:
        with transaction.atomic():
            rc = Recalculation.objects.select_for_update().select_related("policy_version").get(pk=rc.pk)
            if not rc.boundaries:
                rc.boundaries = selectors.recalculation_boundaries(
                    policy_id=rc.policy_version.policy_id, year=rc.year, chunk_persons=CHUNK_PERSONS
                )
                rc.save(update_fields=["boundaries"])
                RecalculationChunk.objects.bulk_create(
                    [RecalculationChunk(recalculation=rc, index=i) for i in range(len(rc.boundaries))],
                    ignore_conflicts=True,
                )
    total = selectors.year_settlements(policy_id=rc.policy_version.policy_id, year=rc.year).count()
    done_chunks = set(rc.chunks.filter(computed=True).values_list("index", flat=True))
    done = 0
    for chunk in rc.chunks.filter(computed=True):
        done += sum(t["count"] for t in chunk.totals.values())
    if rc.job_id:
        job_progress(rc.job_id, done=done, total=total)
    for index in range(len(rc.boundaries)):
        if index in done_chunks:
            continue
        done += _compute_chunk(rc, index)
        if rc.job_id:
            job_progress(rc.job_id, done=done, total=total)
    with transaction.atomic():
        rc = Recalculation.objects.select_for_update().get(pk=rc.pk)
        if check_recalculation_transition(rc.status, Recalculation.Status.READY) != Verdict.GO:
            return rc.totals
        rc.totals = _sum_totals(rc.chunks.all())
        rc.status = Recalculation.Status.READY
        rc.save(update_fields=["totals", "status"])
    if rc.job_id:
        job_finish(rc.job_id, result=rc.totals["total"], message=_("差异报告已生成，待审批"))
    return rc.totals


def recalculation_approve(*, actor, recalculation_id) -> Recalculation:
    """A second person approves a ready difference report (four eyes, ``Power.RECALCULATION_APPROVE``):
    a director or leader, who neither started the recalculation nor wrote the policy version it applies.
    Applying it is queued with its own progress job."""
    from medinsure.jobs.services import job_create

    check_second_person(power=Power.RECALCULATION_APPROVE, actor=actor, starter_id=None)  # the role, first
    with transaction.atomic(durable=True):
        rc = Recalculation.objects.select_for_update().select_related("policy_version").get(pk=recalculation_id)
        if check_recalculation_transition(rc.status, Recalculation.Status.APPROVED) != Verdict.GO:
            raise _refused(rc, _("只有“待审批”的批量重算可以批准（当前：%(s)s）"))
        for starter_id in (rc.created_by_id, rc.policy_version.created_by_id):
            check_second_person(power=Power.RECALCULATION_APPROVE, actor=actor, starter_id=starter_id)
        rc.status = Recalculation.Status.APPROVED
        rc.approved_by = actor
        rc.approved_at = timezone.now()
        rc.apply_job = job_create(
            actor=actor,
            kind="claims.recalculation_apply",
            title=_("应用批量重算 %(y)s 年度（%(v)s）") % {"y": rc.year, "v": rc.policy_version},
            total=int(rc.totals.get("total", {}).get("count", 0)),
        )
        rc.save(update_fields=["status", "approved_by", "approved_at", "apply_job"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=rc,
            summary=_("批准批量重算：%(v)s，%(y)s 年度，待遇变化 %(d)s 元")
            % {"v": rc.policy_version, "y": rc.year, "d": rc.totals.get("total", {}).get("delta", "0")},
        )
        enqueue_on_commit("claims.recalculation_apply", str(rc.pk), job=rc.apply_job)
    return rc


def _apply_chunk(rc: Recalculation, index: int) -> int:
    """Write one chunk's new figures, checking them against the approved report first."""
    with transaction.atomic():
        chunk = RecalculationChunk.objects.select_for_update().get(recalculation=rc, index=index)
        if chunk.applied:
            return 0
        rows = _chunk_rows(rc, index, lock=True)
        results = _recompute(rc, rows)
        approved = {
            d[0]: d[1:]
            for d in RecalculationDiff.objects.filter(recalculation=rc, chunk=index).values_list(
                "settlement_id", "new_deductible", "new_fund_paid", "new_critical_paid"
            )
        }
        values = []
        for row, r in zip(rows, results, strict=True):
            expected = approved.get(row.id, (row.deductible, row.fund_paid, row.critical_paid))
            if (r.deductible, r.fund_paid, r.critical_paid) != tuple(expected):
                raise ValidationError(
                    {
                        "recalculation": _("结算单 %(n)s 在生成差异报告后发生了变化，请重新发起批量重算")
                        % {"n": row.number}
                    }
                )
            values.append(
                (
                    row.id,
                    r.deductible,
                    r.fund_paid,
                    r.critical_paid,
                    r.personal_paid,
                    r.relief_paid,
                    json.dumps(r.explanation_json(), ensure_ascii=False),
                    rc.policy_version_id,
                )
            )
        if values:
            # COPY the new figures into a session-private table, then one UPDATE joins them in
            with connection.cursor() as cur:
                cur.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS claims_apply_tmp (id bigint PRIMARY KEY, d numeric, "
                    "f numeric, c numeric, p numeric, r numeric, e jsonb, pv bigint)"
                )
                cur.execute("DELETE FROM claims_apply_tmp")
            copy_rows("claims_apply_tmp", ("id", "d", "f", "c", "p", "r", "e", "pv"), values)
            with connection.cursor() as cur:
                cur.execute(
                    """UPDATE claims_settlement s SET deductible = v.d, fund_paid = v.f, critical_paid = v.c,
                           personal_paid = v.p, relief_paid = v.r, explanation = v.e, policy_version_id = v.pv,
                           updated_at = now()
                       FROM claims_apply_tmp v WHERE s.id = v.id"""
                )
                cur.execute("DELETE FROM claims_apply_tmp")
        chunk.applied = True
        chunk.save(update_fields=["applied"])
        return len(rows)


def recalculation_apply(*, recalculation_id) -> dict:
    """Apply an approved recalculation chunk by chunk (each chunk in one transaction); a re-run skips
    applied chunks, so running it twice or after a worker died gives the same rows. If it fails, the
    run and its jobs are marked failed."""
    with failure_recorded(recalculation_failed, recalculation_id=recalculation_id):
        return _apply(recalculation_id)


def _apply(recalculation_id) -> dict:
    from medinsure.jobs.services import job_finish, job_progress

    rc = Recalculation.objects.select_related("policy_version").get(pk=recalculation_id)
    verdict = check_recalculation_transition(rc.status, Recalculation.Status.APPLIED)
    if verdict == Verdict.SKIP:
        return rc.totals
    if verdict == Verdict.REFUSE:
        raise ValidationError({"status": _("批量重算尚未批准")})
    done = 0
    for chunk in rc.chunks.order_by("index"):
        if chunk.applied:
            done += sum(t["count"] for t in chunk.totals.values())
            continue
        done += _apply_chunk(rc, chunk.index)
        if rc.apply_job_id:
            job_progress(rc.apply_job_id, done=done)
    with transaction.atomic():
        rc = Recalculation.objects.select_for_update().get(pk=rc.pk)
        if check_recalculation_transition(rc.status, Recalculation.Status.APPLIED) == Verdict.GO:
            rc.status = Recalculation.Status.APPLIED
            rc.applied_at = timezone.now()
            rc.save(update_fields=["status", "applied_at"])
            monthly_stats_refresh(year=rc.year)
            audit_log(
                actor=rc.approved_by,
                verb=AuditLog.Action.CHANGE,
                obj=rc,
                summary=_("批量重算已应用：%(y)s 年度") % {"y": rc.year},
            )
    if rc.apply_job_id:
        job_finish(rc.apply_job_id, result=rc.totals.get("total", {}), message=_("已应用"))
    return rc.totals


def recalculation_discard(*, actor, recalculation_id) -> Recalculation:
    """Staff reject a difference report (or give up a failed run); nothing is applied."""
    with transaction.atomic(durable=True):
        rc = Recalculation.objects.select_for_update().get(pk=recalculation_id)
        if check_recalculation_transition(rc.status, Recalculation.Status.DISCARDED) != Verdict.GO:
            raise _refused(rc, _("只有“待审批”或“失败”的批量重算可以放弃（当前：%(s)s）"))
        rc.status = Recalculation.Status.DISCARDED
        rc.save(update_fields=["status"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=rc,
            summary=_("放弃批量重算：%(y)s 年度") % {"y": rc.year},
        )
    return rc


def recalculation_failed(*, recalculation_id, message: str) -> None:
    """Mark a run whose background work failed (and its jobs); an applied or discarded run keeps its status."""
    from medinsure.jobs.services import job_fail

    rc = Recalculation.objects.filter(pk=recalculation_id).first()
    if rc is None:
        return
    if check_recalculation_transition(rc.status, Recalculation.Status.FAILED) == Verdict.GO:
        Recalculation.objects.filter(pk=rc.pk).update(status=Recalculation.Status.FAILED, message=message[:500])
    for job_id in (rc.job_id, rc.apply_job_id):
        if job_id:
            job_fail(job_id, message=message)
