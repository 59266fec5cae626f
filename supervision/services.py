"""Every supervision write: one transaction, row locks for read-check-write, an audit row,
Celery work queued on commit. Errors are ValidationError naming the field."""

from __future__ import annotations

import hashlib
import json
import secrets
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core import uploads
from medinsure.core.figures_cache import bump_on_commit
from medinsure.institutions.models import Institution
from supervision import access
from supervision.models import (
    Agreement,
    AgreementAction,
    AgreementEvent,
    AgreementStatus,
    Case,
    CaseSource,
    CaseStatus,
    CaseTransition,
    Decision,
    Evidence,
    Flag,
    Report,
    ReportStatus,
    TargetKind,
    Violation,
)
from supervision.rules import penalties as penalty_rules
from supervision.rules import workflow
from supervision.selectors import FIGURES

ZERO = Decimal("0.00")

TRANSITION_MESSAGES = {
    workflow.TransitionError.NOT_ALLOWED: _("不能从“%(current)s”直接变为“%(target)s”"),
    workflow.TransitionError.DECISION_REQUIRED: _("请先录入处理决定"),
    workflow.TransitionError.REASON_REQUIRED: _("请填写说明（结案理由或移交情况）"),
}
AGREEMENT_MESSAGES = {
    workflow.AgreementError.TERMINATED: _("该机构协议已解除，不能再变更"),
    workflow.AgreementError.PERIOD_REQUIRED: _("请填写协议处理的起止日期"),
    workflow.AgreementError.PERIOD_INVALID: _("中止截止日不能早于生效日"),
    workflow.AgreementError.NOT_SUSPENDED: _("协议未处于中止状态，无需恢复"),
}
FINE_MESSAGES = {
    penalty_rules.FineError.BASIS_NOT_ALLOWED: _("该对象不适用此罚款依据"),
    penalty_rules.FineError.OBTAINED_REQUIRED: _("请填写造成损失或骗取的金额"),
    penalty_rules.FineError.MULTIPLE_REQUIRED: _("请填写罚款倍数"),
    penalty_rules.FineError.MULTIPLE_OUT_OF_RANGE: _("罚款倍数应在 %(low)s 至 %(high)s 倍之间"),
    penalty_rules.FineError.AMOUNT_REQUIRED: _("请填写违约金金额"),
    penalty_rules.FineError.NEGATIVE: _("金额不能为负数"),
}


@contextmanager
def _durable():
    """Every write of the app: one durable transaction; once it commits, the cached statistics
    of the year (selectors.supervision_figures) are stale and the version moves on."""
    with transaction.atomic(durable=True):
        yield
        bump_on_commit(FIGURES)


# --- agreements ---------------------------------------------------------------------------


def agreement_sign(
    *, actor, institution_id: int, number: str, signed_on: date, valid_until: date | None = None, request=None
) -> Agreement:
    with _durable():
        institution = Institution.objects.select_for_update().get(pk=institution_id)
        if Agreement.objects.filter(institution=institution).exists():
            raise ValidationError({"number": _("该机构已有医保服务协议")})
        if Agreement.objects.filter(number=number).exists():
            raise ValidationError({"number": _("协议编号已存在")})
        agreement = Agreement.objects.create(
            institution=institution,
            number=number,
            signed_on=signed_on,
            valid_until=valid_until,
            status=AgreementStatus.ACTIVE,
            status_from=signed_on,
        )
        AgreementEvent.objects.create(
            agreement=agreement,
            action="sign",
            status=AgreementStatus.ACTIVE,
            effective_from=signed_on,
            actor=_user(actor),
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.agreement",
            object_id=agreement.pk,
            summary=f"sign {number}",
            request=request,
        )
    return agreement


def _apply_agreement_action(
    *, actor, institution_id: int, action: str, start, end, case=None, note: str = ""
) -> AgreementEvent | None:
    """Inside the caller's transaction: lock the agreement, check, change, record."""
    if action == AgreementAction.NONE:
        return None
    try:
        agreement = Agreement.objects.select_for_update().get(institution_id=institution_id)
    except Agreement.DoesNotExist:
        raise ValidationError({"agreement_action": _("该机构没有医保服务协议")}) from None
    change = workflow.apply_agreement_action(
        workflow.AgreementStatus(agreement.status), workflow.AgreementAction(action), start=start, end=end
    )
    if change.error:
        raise ValidationError({change.field: AGREEMENT_MESSAGES[change.error]})
    agreement.status = change.status.value
    if action == AgreementAction.RESTORE:
        agreement.status_from, agreement.status_until = start or timezone.localdate(), None
    else:
        agreement.status_from, agreement.status_until = start, end
    agreement.save(update_fields=["status", "status_from", "status_until", "updated_at"])
    return AgreementEvent.objects.create(
        agreement=agreement,
        action=action,
        status=agreement.status,
        effective_from=agreement.status_from,
        effective_until=agreement.status_until,
        case=case,
        actor=_user(actor),
        note=note[:300],
    )


def agreement_change(
    *,
    actor,
    institution_id: int,
    action: str,
    start: date | None = None,
    end: date | None = None,
    note: str = "",
    request=None,
) -> AgreementEvent:
    """A change outside a case decision (e.g. restoring after a suspension, or the yearly review)."""
    with _durable():
        event = _apply_agreement_action(
            actor=actor, institution_id=institution_id, action=action, start=start, end=end, note=note
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.agreement",
            object_id=event.agreement_id if event else "",
            summary=f"{action} {note}"[:500],
            request=request,
        )
    return event


# --- cases ------------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _next_case_number(year: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('supervision.case_number'), %s)", [year])
    prefix = f"JG{year}-"
    last = Case.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _case_register(
    *,
    actor,
    source,
    target_kind,
    institution_id=None,
    person_name="",
    person_id_number="",
    violations,
    summary,
    registered_on,
    inspected_on=None,
    report=None,
) -> Case:
    errors = {}
    if source not in CaseSource.values:
        errors["source"] = _("请选择案件来源")
    if target_kind not in TargetKind.values:
        errors["target_kind"] = _("请选择对象类型")
    if target_kind == TargetKind.INSTITUTION and not institution_id:
        errors["institution"] = _("请选择定点医药机构")
    if target_kind == TargetKind.PERSON and not person_id_number:
        errors["person_id_number"] = _("请填写参保人身份证号")
    if not violations or any(v not in Violation.values for v in violations):
        errors["violations"] = _("请至少选择一种违规类型")
    if not (summary or "").strip():
        errors["summary"] = _("请填写案情摘要")
    if inspected_on and target_kind != TargetKind.INSTITUTION:
        errors["inspected_on"] = _("现场检查只针对定点医药机构")
    if errors:
        raise ValidationError(errors)
    case = Case.objects.create(
        number=_next_case_number(registered_on.year),
        source=source,
        target_kind=target_kind,
        institution_id=institution_id if target_kind == TargetKind.INSTITUTION else None,
        person_name=person_name if target_kind == TargetKind.PERSON else "",
        person_id_number=person_id_number if target_kind == TargetKind.PERSON else "",
        violations=list(dict.fromkeys(violations)),
        summary=summary.strip(),
        registered_on=registered_on,
        inspected_on=inspected_on,
        report=report,
        created_by=_user(actor),
    )
    CaseTransition.objects.create(
        case=case, from_status="", to_status=CaseStatus.REGISTERED, on=registered_on, actor=_user(actor)
    )
    return case


def case_register(*, actor, request=None, **fields) -> Case:
    access.require_staff(actor)
    with _durable():
        case = _case_register(actor=actor, **fields)
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.case",
            object_id=case.pk,
            summary=f"register {case.number}",
            request=request,
        )
    return case


def _transition(*, actor, case: Case, target: str, on: date, note: str = "") -> CaseTransition:
    check = workflow.check_transition(
        workflow.TransitionRequest(
            workflow.CaseStatus(case.status),
            workflow.CaseStatus(target),
            has_decision=Decision.objects.filter(case=case).exists(),
            note=note,
        )
    )
    if not check.allowed:
        raise ValidationError(
            {
                check.field: TRANSITION_MESSAGES[check.error]
                % {"current": CaseStatus(case.status).label, "target": CaseStatus(target).label}
            }
        )
    previous = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at"])
    return CaseTransition.objects.create(
        case=case, from_status=previous, to_status=target, on=on, actor=_user(actor), note=note[:500]
    )


def case_transition(
    *, actor, case_id: int, target: str, on: date | None = None, note: str = "", request=None
) -> CaseTransition:
    access.require_staff(actor)
    if target not in CaseStatus.values:
        raise ValidationError({"target": _("未知的案件状态")})
    if target == CaseStatus.DECIDED:
        raise ValidationError({"target": _("请通过录入处理决定进入“已作出处理决定”")})
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        row = _transition(actor=actor, case=case, target=target, on=on or timezone.localdate(), note=note)
        if target == CaseStatus.CLOSED and case.report_id:
            report = Report.objects.select_for_update().get(pk=case.report_id)
            if report.status != ReportStatus.CLOSED:
                report.status = ReportStatus.CLOSED
                report.close_reason = note or _("案件 %(number)s 已结案") % {"number": case.number}
                report.handled_at = timezone.now()
                report.save(update_fields=["status", "close_reason", "handled_at"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.case",
            object_id=case.pk,
            summary=f"{row.from_status} -> {target}",
            request=request,
        )
    return row


def case_decide(
    *,
    actor,
    case_id: int,
    decided_on: date,
    penalty: bool = False,
    agreement_handling: bool = False,
    recovered: Decimal = ZERO,
    rejected: Decimal = ZERO,
    obtained: Decimal = ZERO,
    fine_basis: str = "none",
    fine_multiple: Decimal | None = None,
    fine_amount: Decimal | None = None,
    agreement_action: str = AgreementAction.NONE,
    action_from: date | None = None,
    action_until: date | None = None,
    document_number: str = "",
    note: str = "",
    request=None,
) -> Decision:
    """Record the decision; the agreement action changes the institution's agreement in the same
    transaction — both commit or neither does. The fine is computed here, never taken as given
    (except a stated 违约金)."""
    access.require_staff(actor)
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.status != CaseStatus.INVESTIGATING:
            raise ValidationError({"decided_on": _("只有调查中的案件才能录入处理决定")})
        errors = {}
        for name, value in (("recovered", recovered), ("rejected", rejected), ("obtained", obtained)):
            if value is None or value < 0:
                errors[name] = _("金额不能为负数")
        if not (penalty or agreement_handling):
            errors["penalty"] = _("请选择行政处罚或协议处理（可同时选择）")
        if agreement_action != AgreementAction.NONE and case.target_kind != TargetKind.INSTITUTION:
            errors["agreement_action"] = _("只有定点医药机构有医保服务协议")
        fine = penalty_rules.compute_fine(
            penalty_rules.FineInput(
                penalty_rules.Target(case.target_kind),
                penalty_rules.FineBasis(fine_basis),
                obtained or ZERO,
                fine_multiple,
                fine_amount,
            )
        )
        if fine.error:
            errors[fine.field] = FINE_MESSAGES[fine.error] % {"low": fine.low, "high": fine.high}
        if errors:
            raise ValidationError(errors)
        decision = Decision.objects.create(
            case=case,
            decided_on=decided_on,
            document_number=document_number,
            penalty=penalty,
            agreement_handling=agreement_handling,
            recovered=recovered,
            rejected=rejected,
            obtained=obtained,
            fine_basis=fine_basis,
            fine_multiple=fine_multiple if fine_basis not in ("none", "agreement") else None,
            fine=fine.amount,
            agreement_action=agreement_action,
            action_from=action_from,
            action_until=action_until,
            note=note,
            decided_by=_user(actor),
        )
        _transition(actor=actor, case=case, target=CaseStatus.DECIDED, on=decided_on, note=document_number)
        if agreement_action != AgreementAction.NONE:
            _apply_agreement_action(
                actor=actor,
                institution_id=case.institution_id,
                action=agreement_action,
                start=action_from,
                end=action_until,
                case=case,
                note=case.number,
            )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.case",
            object_id=case.pk,
            summary=f"decide {case.number} fine {fine.amount} {agreement_action}",
            request=request,
        )
    return decision


def case_publish(*, actor, case_id: int, published_on: date, public_summary: str, request=None) -> Case:
    """曝光: a public summary with personal data removed."""
    access.require_staff(actor)
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        text = (public_summary or "").strip()
        errors = {}
        if case.status not in (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED):
            errors["published_on"] = _("只有作出处理决定的案件才能曝光")
        if not text:
            errors["public_summary"] = _("请填写公开摘要")
        for secret in (case.person_name, case.person_id_number):
            if secret and secret in text:
                errors["public_summary"] = _("公开摘要不能包含参保人姓名或身份证号")
        if case.report_id and case.report.identity_encrypted:
            identity = report_identity(case.report)
            for value in identity.values():
                if value and value in text:
                    errors["public_summary"] = _("公开摘要不能包含举报人信息")
        if errors:
            raise ValidationError(errors)
        case.published_on, case.public_summary = published_on, text
        case.save(update_fields=["published_on", "public_summary", "updated_at"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.case",
            object_id=case.pk,
            summary=f"publish {case.number}",
            request=request,
        )
    return case


# --- evidence ---------------------------------------------------------------------------------

# extension → content type; size, extension, magic bytes and zip checks are the upload guard's
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def evidence_add(*, actor, case_id: int, upload, description: str = "", request=None) -> Evidence:
    access.require_staff(actor)
    try:
        checked = uploads.check_upload(upload, kind="supervision_evidence", allowed=tuple(EVIDENCE_TYPES))
    except uploads.UploadRejected as exc:
        raise ValidationError({"file": exc.message}) from exc
    name, ext = checked.display_name, checked.extension
    content_type = EVIDENCE_TYPES[ext]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        upload.name = f"{secrets.token_hex(16)}.{ext}"  # never the user's file name on disk
        evidence = Evidence.objects.create(
            case=case,
            file=upload,
            original_name=name[:200],
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            description=description[:200],
            uploaded_by=_user(actor),
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.evidence",
            object_id=evidence.pk,
            summary=f"{case.number} {name}"[:500],
            request=request,
        )
    return evidence


# --- whistle-blower reports -------------------------------------------------------------------

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def encrypt_identity(identity: dict) -> str:
    return _fernet().encrypt(json.dumps(identity, ensure_ascii=False).encode()).decode()


def report_identity(report: Report) -> dict:
    if not report.identity_encrypted:
        return {}
    return json.loads(_fernet().decrypt(report.identity_encrypted.encode()).decode())


def report_submit(
    *,
    subject: str,
    content: str,
    institution_id: int | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_id_number: str = "",
    request=None,
) -> Report:
    """A public report (no login). Returns the report with its tracking code."""
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = _("请填写被举报对象")
    if len((content or "").strip()) < 10:
        errors["content"] = _("请具体描述举报内容（至少10个字）")
    if errors:
        raise ValidationError(errors)
    identity = {
        k: v.strip()
        for k, v in (("name", reporter_name), ("phone", reporter_phone), ("id_number", reporter_id_number))
        if v and v.strip()
    }
    with _durable():
        for _attempt in range(5):
            code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))
            if not Report.objects.filter(tracking_code=code).exists():
                break
        report = Report.objects.create(
            tracking_code=code,
            received_at=timezone.now(),
            subject=subject.strip()[:200],
            institution_id=institution_id,
            content=content.strip(),
            identity_encrypted=encrypt_identity(identity) if identity else "",
            anonymous=not identity,
        )
        audit_log(
            actor=None,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.report",
            object_id=report.pk,
            summary="public report received",
            request=request,
            username="public",
        )
    return report


def report_reveal_identity(*, actor, report_id: int, request=None) -> dict:
    """The reporter's identity: the head of supervision only, every look in the audit log."""
    if not access.is_head(actor):
        raise ValidationError({"identity": _("只有基金监管科科长可以查看举报人身份")})
    report = Report.objects.get(pk=report_id)
    with _durable():
        audit_log(
            actor=actor,
            action=AuditLog.Action.VIEW,
            object_type="supervision.report.identity",
            object_id=report.pk,
            summary=f"reporter identity of {report.tracking_code}",
            request=request,
        )
    return report_identity(report)


def report_open_case(
    *,
    actor,
    report_id: int,
    registered_on: date,
    violations,
    summary: str,
    institution_id: int | None = None,
    person_name: str = "",
    person_id_number: str = "",
    inspected_on: date | None = None,
    request=None,
) -> Case:
    access.require_staff(actor)
    with _durable():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == ReportStatus.CLOSED:
            raise ValidationError({"status": _("该举报已办结")})
        target = TargetKind.INSTITUTION if institution_id else TargetKind.PERSON
        case = _case_register(
            actor=actor,
            source=CaseSource.REPORT,
            target_kind=target,
            institution_id=institution_id,
            person_name=person_name,
            person_id_number=person_id_number,
            violations=violations,
            summary=summary,
            registered_on=registered_on,
            inspected_on=inspected_on,
            report=report,
        )
        report.status = ReportStatus.CASE_OPENED
        report.handled_by = _user(actor)
        report.save(update_fields=["status", "handled_by"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.report",
            object_id=report.pk,
            summary=f"case {case.number}",
            request=request,
        )
    return case


def report_close(*, actor, report_id: int, reason: str, request=None) -> Report:
    access.require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError({"close_reason": _("请填写办结说明")})
    with _durable():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == ReportStatus.CLOSED:
            raise ValidationError({"status": _("该举报已办结")})
        report.status, report.close_reason = ReportStatus.CLOSED, reason.strip()
        report.handled_at, report.handled_by = timezone.now(), _user(actor)
        report.save(update_fields=["status", "close_reason", "handled_at", "handled_by"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.report",
            object_id=report.pk,
            summary="closed",
            request=request,
        )
    return report


def report_reward(*, actor, report_id: int, amount: Decimal, paid_on: date | None, request=None) -> Report:
    access.require_staff(actor)
    if amount is None or amount < 0:
        raise ValidationError({"reward": _("金额不能为负数")})
    with _durable():
        report = Report.objects.select_for_update().get(pk=report_id)
        report.reward, report.reward_paid_on = amount, paid_on
        report.save(update_fields=["reward", "reward_paid_on"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.report",
            object_id=report.pk,
            summary=f"reward {amount}",
            request=request,
        )
    return report


# --- intelligent audit -----------------------------------------------------------------------


LOOKBACK_DAYS = {"daily": 31, "monthly": 31}


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
    from medinsure.jobs import services as jobs
    from supervision.models import AuditRule, AuditRun
    from supervision.rules.audit import run_rules
    from supervision.selectors import settlement_visit_chunks

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
    from datetime import timedelta

    from psycopg2.extras import Json, execute_values

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


def flag_answer(*, actor, flag_id: int, answer: str, request=None):
    """The institution's explanation (机构申诉/说明), before the reviewer decides."""
    from supervision.models import FlagStatus

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
            action=AuditLog.Action.CHANGE,
            object_type="supervision.flag",
            object_id=flag.pk,
            summary="answered",
            request=request,
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
    request=None,
):
    """Confirm (a deduction, 拒付/扣款) or clear a flag. Confirming before the institution answered
    is allowed only once its answer time has run out."""
    from supervision.models import FlagStatus

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
            action=AuditLog.Action.CHANGE,
            object_type="supervision.flag",
            object_id=flag.pk,
            summary=f"{flag.status} {flag.deduction}",
            request=request,
        )
    return flag


def flag_open_case(
    *, actor, flag_id: int, violations, summary: str, registered_on: date | None = None, request=None
) -> Case:
    from supervision.models import FlagStatus

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
            action=AuditLog.Action.CHANGE,
            object_type="supervision.flag",
            object_id=flag.pk,
            summary=f"case {case.number}",
            request=request,
        )
    return case


# --- self-inspection -------------------------------------------------------------------------


def self_inspection_round_create(*, actor, year: int, deadline: date, title: str = "", request=None):
    from supervision.models import SelfInspectionRound

    access.require_staff(actor)
    if deadline.year != year:
        raise ValidationError({"deadline": _("截止日应在该年度内")})
    with _durable():
        if SelfInspectionRound.objects.filter(year=year).exists():
            raise ValidationError({"year": _("该年度已发起自查自纠")})
        r = SelfInspectionRound.objects.create(
            year=year, deadline=deadline, title=title or _("%(year)s年度定点医药机构自查自纠") % {"year": year}
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.selfinspectionround",
            object_id=r.pk,
            summary=f"{year} deadline {deadline}",
            request=request,
        )
    return r


def self_inspection_file(
    *, actor, round_id: int, summary: str, institution_id: int | None = None, filed_on: date | None = None, request=None
):
    """An institution files its written self-inspection report (staff may record a paper one)."""
    from supervision.models import SelfInspection, SelfInspectionRound

    if access.is_institution_user(actor):
        institution_id = actor.institution_id
    else:
        access.require_staff(actor)
    if not institution_id:
        raise ValidationError({"institution": _("请选择定点医药机构")})
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写自查自纠情况")})
    filed_on = filed_on or timezone.localdate()
    with _durable():
        rnd = SelfInspectionRound.objects.get(pk=round_id)
        si, _created = SelfInspection.objects.select_for_update().get_or_create(
            round=rnd, institution_id=institution_id
        )
        if si.filed_on:
            raise ValidationError({"summary": _("本年度已报送")})
        si.filed_on, si.summary = filed_on, summary.strip()
        if filed_on <= rnd.deadline:
            si.outcome = SelfInspection.Outcome.FILED
        si.save()
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.selfinspection",
            object_id=si.pk,
            summary=f"filed {filed_on}",
            request=request,
        )
    return si


def self_inspection_check_deadlines(*, as_of: date) -> dict:
    """After each round's deadline: every institution with an agreement that filed nothing (or filed
    late) is marked failing, with the follow-up the rules give (warning, suspension, cancellation).
    Safe to run every day: a decided row is not decided again."""
    from supervision.models import Agreement, SelfInspection, SelfInspectionRound
    from supervision.rules import inspection as rules

    marked = 0
    for rnd in SelfInspectionRound.objects.filter(deadline__lt=as_of).order_by("year"):
        with transaction.atomic():
            bump_on_commit(FIGURES)
            rnd = SelfInspectionRound.objects.select_for_update().get(pk=rnd.pk)
            institution_ids = list(
                Agreement.objects.filter(signed_on__lte=rnd.deadline)
                .exclude(status=AgreementStatus.TERMINATED, status_from__lte=rnd.deadline)
                .values_list("institution_id", flat=True)
            )
            existing = {si.institution_id: si for si in SelfInspection.objects.select_for_update().filter(round=rnd)}
            failing_before = {}
            for inst_id, year, outcome in SelfInspection.objects.filter(
                institution_id__in=institution_ids, round__year__lt=rnd.year
            ).values_list("institution_id", "round__year", "outcome"):
                failing_before.setdefault(inst_id, {})[year] = outcome == "failing"
            for inst_id in institution_ids:
                si = existing.get(inst_id)
                if si is not None and si.decided_at is not None:
                    continue
                history = failing_before.get(inst_id, {})
                previous = 0
                y = rnd.year - 1
                while history.get(y):
                    previous += 1
                    y -= 1
                decision = rules.self_inspection_decision(
                    rules.SelfInspectionFacts(
                        deadline=rnd.deadline,
                        as_of=as_of,
                        filed_on=si.filed_on if si else None,
                        findings=rules.Findings(si.findings) if si else rules.Findings.NONE,
                        previous_failures=previous,
                    )
                )
                if si is None:
                    si = SelfInspection(round=rnd, institution_id=inst_id)
                si.outcome, si.follow_up = decision.outcome.value, decision.follow_up.value
                si.decided_at = timezone.now()
                si.save()
                marked += decision.outcome == rules.Outcome.FAILING
            rnd.checked_at = timezone.now()
            rnd.save(update_fields=["checked_at"])
    return {"failing": marked}


def rule_update(*, actor, rule_id: int, name: str, enabled: bool, params: dict, answer_days: int, request=None):
    from supervision.models import AuditRule
    from supervision.rules.audit import ParamError, RuleKind, validate_params

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
            action=AuditLog.Action.CHANGE,
            object_type="supervision.auditrule",
            object_id=rule.pk,
            summary=f"{rule.code} enabled={enabled}",
            request=request,
        )
    return rule


def audit_run_request(*, actor, kind: str, day: date | None = None, month: str = "", request=None):
    """Queue a run of the rules by hand; the page follows its progress."""
    from medinsure.celery import enqueue_on_commit
    from medinsure.jobs.services import job_create
    from supervision import tasks

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
        job = job_create(
            actor=actor, kind="supervision.audit_run", title=_("智能审核：%(what)s") % {"what": day or month}
        )
        if kind == "daily":
            enqueue_on_commit(tasks.audit_daily_task, day.isoformat(), str(job.pk), job=job)
        else:
            enqueue_on_commit(tasks.audit_monthly_task, month, str(job.pk), job=job)
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.auditrun",
            summary=f"{kind} {day or month}",
            request=request,
        )
    return job


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
    request=None,
):
    """Create or edit a designated institution (the core table; supervision maintains it)."""
    import re

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
            action=AuditLog.Action.CHANGE,
            object_type="institutions.institution",
            object_id=inst.pk,
            summary=f"{'edit' if institution_id else 'create'} {code}",
            request=request,
        )
    return inst


def agreements_restore_expired(*, as_of: date) -> int:
    """A suspension (中止) ends by itself: agreements whose suspension ended before as_of become
    active again, with a history row. Safe to run every day."""
    from datetime import timedelta

    restored = 0
    for agreement_id in Agreement.objects.filter(status=AgreementStatus.SUSPENDED, status_until__lt=as_of).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            bump_on_commit(FIGURES)
            agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
            if agreement.status != AgreementStatus.SUSPENDED or agreement.status_until >= as_of:
                continue
            event = _apply_agreement_action(
                actor=None,
                institution_id=agreement.institution_id,
                action=AgreementAction.RESTORE,
                start=agreement.status_until + timedelta(days=1),
                end=None,
                note=str(_("中止期满，自动恢复")),
            )
            audit_log(
                actor=None,
                action=AuditLog.Action.CHANGE,
                object_type="supervision.agreement",
                object_id=event.agreement_id,
                summary="suspension ended",
                username="system",
            )
            restored += 1
    return restored


def _previous_failures(institution_id: int, year: int) -> int:
    from supervision.models import SelfInspection

    failing = dict(
        SelfInspection.objects.filter(institution_id=institution_id, round__year__lt=year).values_list(
            "round__year", "outcome"
        )
    )
    n, y = 0, year - 1
    while failing.get(y) == "failing":
        n += 1
        y -= 1
    return n


def self_inspection_record_findings(
    *, actor, self_inspection_id: int, findings: str, as_of: date | None = None, request=None
):
    """What the bureau's check found in a filed report; the follow-up is decided again by the rules."""
    from datetime import timedelta

    from supervision.models import SelfInspection
    from supervision.rules import inspection as rules

    access.require_staff(actor)
    if findings not in SelfInspection.Findings.values:
        raise ValidationError({"findings": _("请选择检查发现")})
    with _durable():
        si = SelfInspection.objects.select_for_update().select_related("round").filter(pk=self_inspection_id).first()
        if si is None:
            raise ValidationError({"self_inspection": _("没有这份自查自纠报告")})
        as_of = as_of or timezone.localdate()
        decision = rules.self_inspection_decision(
            rules.SelfInspectionFacts(
                deadline=si.round.deadline,
                as_of=max(as_of, si.round.deadline + timedelta(days=1)),
                filed_on=si.filed_on,
                findings=rules.Findings(findings),
                previous_failures=_previous_failures(si.institution_id, si.round.year),
            )
        )
        si.findings, si.outcome, si.follow_up = findings, decision.outcome.value, decision.follow_up.value
        si.decided_at = timezone.now()
        si.save(update_fields=["findings", "outcome", "follow_up", "decided_at"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="supervision.selfinspection",
            object_id=si.pk,
            summary=f"findings {findings} -> {si.follow_up}",
            request=request,
        )
    return si


def audit_rules_ensure_defaults() -> int:
    """Create the default rules that are missing (the same rows as migration 0002); returns how many."""
    import importlib

    from supervision.models import AuditRule

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
