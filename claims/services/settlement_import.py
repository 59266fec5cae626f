"""Settlement import (结算单导入): a file is checked and previewed, staff accept it, a task writes it
in bulk (COPY) with the engine's figures."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import selectors
from claims.models import Policy, Settlement, SettlementImport
from claims.rules import settle
from claims.rules.status import RECALCULATION_OPEN
from claims.services._common import failure_recorded, user_or_none
from claims.services._settlement_copy import copy_settlements
from claims.services.stats import monthly_stats_refresh
from claims.visits import visit_from_settlement
from medinsure.accounts.powers import Power, check_second_person
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from medinsure.core import uploads
from medinsure.core.imports import RowError, Verdict, check_import_transition, transition


def _settlement_row(p) -> dict:
    """A checked file row as the fields of a settlement (what ``visit_from_settlement`` reads)."""
    f = p.fields
    return {
        **f,
        "number": p.number,
        "institution_id": f["institution"].pk,
        "in_scope_cost": sum((i["amount"] for i in p.lines if i["category"] != "self"), Decimal(0)),
    }


def _settle_new(policy: Policy, engine_policy, parsed: list) -> tuple[dict, list]:
    """Engine results for new settlements, settled together with the same persons' stored ones of
    the year (their running totals count)."""
    new_visits = [visit_from_settlement(_settlement_row(p)) for p in parsed]
    existing = selectors.person_year_settlements(
        id_numbers={v.person_id for v in new_visits}, year=policy.year, policy=policy
    )
    old_visits = [visit_from_settlement(s) for s in existing.select_related(None)]
    results = settle(engine_policy, old_visits + new_visits)
    return dict(zip([v.visit_id for v in new_visits], results[len(old_visits) :], strict=True)), new_visits


def _disagreeing(parsed_settlements: list) -> list[dict]:
    """The file's settlements already stored whose costs differ from the stored ones: the file says
    other amounts than those paid. The import never overwrites them (they are skipped), so such a file
    is a correction or an error, and a second person approves it (``settlement_import_approve``)."""
    stored = selectors.stored_settlement_amounts(numbers=[p.number for p in parsed_settlements])
    out = []
    for p in parsed_settlements:
        s = stored.get((p.fields["institution"].code, p.number))
        if s is None:
            continue
        total = sum((i["amount"] for i in p.lines), Decimal(0))
        in_scope = _settlement_row(p)["in_scope_cost"]
        if total != s["total_cost"] or in_scope != s["in_scope_cost"]:
            out.append(
                {
                    "number": p.number,
                    "institution": p.fields["institution"].code,
                    "stored_total_cost": str(s["total_cost"]),
                    "file_total_cost": str(total),
                    "stored_in_scope_cost": str(s["in_scope_cost"]),
                    "file_in_scope_cost": str(in_scope),
                    "fund_paid": str(s["fund_paid"]),
                    "critical_paid": str(s["critical_paid"]),
                }
            )
    return out


def _fresh(parsed_settlements: list) -> list:
    """The file's settlements not stored yet (same institution and number)."""
    existing = selectors.existing_settlement_keys(numbers=[p.number for p in parsed_settlements])
    return [p for p in parsed_settlements if (p.fields["institution"].code, p.number) not in existing]


def settlement_import_create(*, actor, policy: Policy, file_name: str, content: bytes) -> SettlementImport:
    """Validate an uploaded file as a whole and keep it for preview (nothing else is written)."""
    from claims.importers import parse_settlement_file
    from claims.policies import parsed_version

    file_name = uploads.display_name(file_name)
    parsed = parse_settlement_file(content, file_name, policy_scheme=policy.scheme, policy_year=policy.year)
    version = policy.versions.order_by("-number").first()
    summary: dict = {}
    status = SettlementImport.Status.INVALID if parsed.errors else SettlementImport.Status.PREVIEW
    if not parsed.errors and version is not None:
        fresh = _fresh(parsed.settlements)
        results, visits = _settle_new(policy, parsed_version(version), fresh)
        totals = {
            "in_scope_cost": Decimal(0),
            "fund_paid": Decimal(0),
            "critical_paid": Decimal(0),
            "personal_paid": Decimal(0),
        }
        sample = []
        for p, v in zip(fresh, visits, strict=True):
            r = results[v.visit_id]
            totals["in_scope_cost"] += v.in_scope_cost
            totals["fund_paid"] += r.fund_paid
            totals["critical_paid"] += r.critical_paid
            totals["personal_paid"] += r.personal_paid
            if len(sample) < 20:
                sample.append(
                    {
                        "number": p.number,
                        "name": p.fields["name"],
                        "kind": p.fields["kind"],
                        "in_scope_cost": str(v.in_scope_cost),
                        "deductible": str(r.deductible),
                        "fund_paid": str(r.fund_paid),
                        "critical_paid": str(r.critical_paid),
                        "personal_paid": str(r.personal_paid),
                    }
                )
        disagreeing = _disagreeing(parsed.settlements)
        summary = {
            "new": len(fresh),
            "existing": len(parsed.settlements) - len(fresh),
            "changed": len(disagreeing),
            "changed_sample": disagreeing[:50],
            "version": version.number,
            "totals": {k: str(v) for k, v in totals.items()},
            "sample": sample,
        }
    elif version is None:
        parsed.errors.append(RowError(0, "", "", _("所选政策尚未载入数据库")))
        status = SettlementImport.Status.INVALID
    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.create(
            file_name=file_name[:200],
            raw=content,
            policy=policy,
            status=status,
            rows=parsed.rows,
            settlement_count=len(parsed.settlements),
            errors=[e.as_dict() for e in parsed.errors[:5000]],
            error_count=len(parsed.errors),
            summary=summary,
            needs_approval=bool(summary.get("changed")),
            created_by=user_or_none(actor),
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=_("上传结算单文件 %(f)s：%(n)s 行，%(e)s 处错误")
            % {"f": file_name, "n": parsed.rows, "e": len(parsed.errors)},
        )
    return batch


def settlement_import_accept(*, actor, import_id) -> SettlementImport:
    """Staff accept a clean preview: the bulk write is queued (imports queue) with a progress job. A file
    that disagrees with amounts already paid (``needs_approval``) is accepted only by a second person's
    approval (``settlement_import_approve``)."""
    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.select_for_update().get(pk=import_id)
        _check_acceptable(batch)
        if batch.needs_approval:
            raise ValidationError(
                {
                    "approved_by": _(
                        "该文件中有结算单与已支付的金额不一致，须由另一名有审批权限的人员（局长、分管领导）审批后写入"
                    )
                }
            )
        _queue_write(batch, actor=actor, summary=_("确认写入结算单文件 %(f)s") % {"f": batch.file_name})
    return batch


def settlement_import_approve(*, actor, import_id) -> SettlementImport:
    """Four eyes: a second person with ``Power.SETTLEMENT_IMPORT_APPROVE`` (not the uploader) approves a
    file that disagrees with amounts already paid, which accepts it. The settlements already stored are
    still skipped: an import never rewrites a paid settlement (a batch recalculation does, with its own
    approval); what is approved is writing the file's new settlements although the file disagrees."""
    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.select_for_update().get(pk=import_id)
        check_second_person(power=Power.SETTLEMENT_IMPORT_APPROVE, actor=actor, starter_id=batch.created_by_id)
        if not batch.needs_approval:
            raise ValidationError({"approved_by": _("该文件只有新结算单，无需审批，由经办人员确认写入即可")})
        _check_acceptable(batch)
        batch.approved_by = actor
        batch.approved_at = timezone.now()
        _queue_write(
            batch,
            actor=actor,
            summary=_("审批并写入结算单文件 %(f)s（%(n)s 张与已支付金额不一致，已跳过）")
            % {"f": batch.file_name, "n": batch.summary.get("changed", 0)},
            also=["approved_by", "approved_at"],
        )
    return batch


def _check_acceptable(batch: SettlementImport) -> None:
    # the one table: only a preview is accepted (a second accept of an accepted batch is refused here too:
    # the page shows its status)
    if check_import_transition(batch.status, SettlementImport.Status.ACCEPTING) != Verdict.GO:
        raise ValidationError(
            {"status": _("该导入批次当前状态为“%(s)s”，不能确认写入") % {"s": batch.get_status_display()}}
        )
    if batch.purged_at or batch.raw is None:
        raise ValidationError({"status": _("该文件已超过保存期限被删除，请重新上传")})
    _refuse_during_recalculation(batch.policy_id)


def _queue_write(batch: SettlementImport, *, actor, summary: str, also: list | None = None) -> None:
    from medinsure.jobs.services import job_create

    job = job_create(
        actor=actor,
        kind="claims.import",
        title=_("写入结算单 %(f)s") % {"f": batch.file_name},
        total=batch.settlement_count,
    )
    batch.status = SettlementImport.Status.ACCEPTING
    batch.job = job
    batch.save(update_fields=["status", "job", *(also or [])])
    audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=batch, summary=summary)
    enqueue_on_commit("claims.settlement_import_apply", str(batch.pk), job=job)


def settlement_import_apply(*, import_id) -> dict:
    """Write an accepted import in one transaction (bulk). Safe to run twice: a finished batch is
    left alone and settlements already stored (same institution and number) are skipped. If the
    write fails, the batch and its job are marked failed (the error goes on to the caller)."""
    with failure_recorded(settlement_import_failed, import_id=import_id):
        return _settlement_import_write(import_id)


def _settlement_import_write(import_id) -> dict:
    from claims.importers import parse_settlement_file
    from claims.policies import parsed_version
    from medinsure.jobs.services import job_fail, job_finish, job_progress

    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.select_for_update().select_related("policy").get(pk=import_id)
        verdict = transition(batch.status, SettlementImport.Status.DONE, label=batch.get_status_display())
        if verdict == Verdict.SKIP:
            return {"created": batch.created, "skipped": batch.skipped}
        if batch.needs_approval and batch.approved_by_id is None:
            raise ValidationError({"approved_by": _("该文件须由另一名有审批权限的人员审批后写入")})
        policy = Policy.objects.select_for_update().get(pk=batch.policy_id)  # one import per policy at a time
        _refuse_during_recalculation(policy.pk)
        version = policy.versions.order_by("-number").first()
        parsed = parse_settlement_file(
            bytes(batch.raw), batch.file_name, policy_scheme=policy.scheme, policy_year=policy.year
        )
        if parsed.errors:
            batch.status = SettlementImport.Status.FAILED
            batch.errors = [e.as_dict() for e in parsed.errors[:5000]]
            batch.error_count = len(parsed.errors)
            batch.save(update_fields=["status", "errors", "error_count"])
            if batch.job_id:
                job_fail(batch.job_id, message=_("文件校验未通过"))
            return {"created": 0, "skipped": 0}
        fresh = _fresh(parsed.settlements)
        results, visits = _settle_new(policy, parsed_version(version), fresh)
        rows = []
        for p, v in zip(fresh, visits, strict=True):
            r = results[v.visit_id]
            f = p.fields
            rows.append(
                Settlement(
                    number=p.number,
                    institution=f["institution"],
                    id_number=f["id_number"],
                    name=f["name"],
                    sex=f["sex"],
                    birth_date=f["birth_date"],
                    division=f["division"],
                    scheme=f["scheme"],
                    kind=f["kind"],
                    hospital_level=f["hospital_level"],
                    admitted_on=f["admitted_on"],
                    discharged_on=f["discharged_on"],
                    settled_on=f["settled_on"],
                    essential_drug_cost=f["essential_drug_cost"],
                    disease=f["disease"],
                    third_party=f["third_party"],
                    group=f["group"],
                    employment=f["employment"],
                    continuous_years=f["continuous_years"],
                    tier=f["tier"],
                    poor=f["poor"],
                    total_cost=sum((i["amount"] for i in p.lines), Decimal(0)),
                    in_scope_cost=v.in_scope_cost,
                    deductible=r.deductible,
                    fund_paid=r.fund_paid,
                    critical_paid=r.critical_paid,
                    personal_paid=r.personal_paid,
                    relief_paid=r.relief_paid,
                    policy_version=version,
                    explanation=r.explanation_json(),
                    import_batch=batch,
                )
            )
        created = copy_settlements(rows, fresh)
        batch.status = SettlementImport.Status.DONE
        batch.created = len(created)
        batch.skipped = len(parsed.settlements) - len(created)
        batch.save(update_fields=["status", "created", "skipped"])
        monthly_stats_refresh(year=policy.year)
        audit_log(
            actor=batch.created_by,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=_("写入结算单 %(n)s 张，跳过已存在 %(s)s 张") % {"n": batch.created, "s": batch.skipped},
        )
        if batch.job_id:
            job_progress(batch.job_id, done=len(created), total=len(parsed.settlements))
    if batch.job_id:
        job_finish(
            batch.job_id,
            result={"created": batch.created, "skipped": batch.skipped},
            message=_("新增 %(n)s 张，跳过 %(s)s 张") % {"n": batch.created, "s": batch.skipped},
        )
    return {"created": batch.created, "skipped": batch.skipped}


def _refuse_during_recalculation(policy_id: int) -> None:
    """New settlements would not be in an open difference report: wait until it is applied."""
    if selectors.recalculation_exists(policy_id=policy_id, statuses=RECALCULATION_OPEN):
        raise ValidationError({"policy": _("该政策有尚未完成的批量重算，请在应用或放弃后再导入结算单")})


def settlement_import_failed(*, import_id, message: str) -> None:
    """Mark a batch whose write failed (and its job); a finished batch is left alone."""
    from medinsure.jobs.services import job_fail

    batch = SettlementImport.objects.filter(pk=import_id).first()
    if batch is None:
        return
    verdict = check_import_transition(batch.status, SettlementImport.Status.FAILED)
    if verdict == Verdict.SKIP:
        return
    if verdict == Verdict.GO:
        SettlementImport.objects.filter(pk=import_id).update(status=SettlementImport.Status.FAILED)
    if batch.job_id:
        job_fail(batch.job_id, message=message)
