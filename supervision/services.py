"""Every supervision write: one transaction, row locks for read-check-write, an audit row,
Celery work queued on commit. Errors are ValidationError naming the field."""

from __future__ import annotations

import hashlib
import json
import secrets
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
    Report,
    ReportStatus,
    TargetKind,
    Violation,
)
from supervision.rules import penalties as penalty_rules
from supervision.rules import workflow

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


def _durable():
    return transaction.atomic(durable=True)


# --- agreements ---------------------------------------------------------------------------


def agreement_sign(*, actor, institution_id: int, number: str, signed_on: date,
                   valid_until: date | None = None, request=None) -> Agreement:
    with _durable():
        institution = Institution.objects.select_for_update().get(pk=institution_id)
        if Agreement.objects.filter(institution=institution).exists():
            raise ValidationError({"number": _("该机构已有医保服务协议")})
        if Agreement.objects.filter(number=number).exists():
            raise ValidationError({"number": _("协议编号已存在")})
        agreement = Agreement.objects.create(
            institution=institution, number=number, signed_on=signed_on, valid_until=valid_until,
            status=AgreementStatus.ACTIVE, status_from=signed_on,
        )
        AgreementEvent.objects.create(agreement=agreement, action="sign", status=AgreementStatus.ACTIVE,
                                      effective_from=signed_on, actor=_user(actor))
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.agreement",
                  object_id=agreement.pk, summary=f"sign {number}", request=request)
    return agreement


def _apply_agreement_action(*, actor, institution_id: int, action: str, start, end, case=None,
                            note: str = "") -> AgreementEvent | None:
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
        agreement=agreement, action=action, status=agreement.status,
        effective_from=agreement.status_from, effective_until=agreement.status_until,
        case=case, actor=_user(actor), note=note[:300],
    )


def agreement_change(*, actor, institution_id: int, action: str, start: date | None = None,
                     end: date | None = None, note: str = "", request=None) -> AgreementEvent:
    """A change outside a case decision (e.g. restoring after a suspension, or the yearly review)."""
    with _durable():
        event = _apply_agreement_action(actor=actor, institution_id=institution_id, action=action,
                                        start=start, end=end, note=note)
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.agreement",
                  object_id=event.agreement_id if event else "", summary=f"{action} {note}"[:500],
                  request=request)
    return event


# --- cases ------------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _next_case_number(year: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('supervision.case_number'), %s)", [year])
    prefix = f"JG{year}-"
    last = (Case.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _case_register(*, actor, source, target_kind, institution_id=None, person_name="",
                   person_id_number="", violations, summary, registered_on, inspected_on=None,
                   report=None) -> Case:
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
        number=_next_case_number(registered_on.year), source=source, target_kind=target_kind,
        institution_id=institution_id if target_kind == TargetKind.INSTITUTION else None,
        person_name=person_name if target_kind == TargetKind.PERSON else "",
        person_id_number=person_id_number if target_kind == TargetKind.PERSON else "",
        violations=list(dict.fromkeys(violations)), summary=summary.strip(),
        registered_on=registered_on, inspected_on=inspected_on, report=report, created_by=_user(actor),
    )
    CaseTransition.objects.create(case=case, from_status="", to_status=CaseStatus.REGISTERED,
                                  on=registered_on, actor=_user(actor))
    return case


def case_register(*, actor, request=None, **fields) -> Case:
    access.require_staff(actor)
    with _durable():
        case = _case_register(actor=actor, **fields)
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.case",
                  object_id=case.pk, summary=f"register {case.number}", request=request)
    return case


def _transition(*, actor, case: Case, target: str, on: date, note: str = "") -> CaseTransition:
    check = workflow.check_transition(workflow.TransitionRequest(
        workflow.CaseStatus(case.status), workflow.CaseStatus(target),
        has_decision=Decision.objects.filter(case=case).exists(), note=note,
    ))
    if not check.allowed:
        raise ValidationError({check.field: TRANSITION_MESSAGES[check.error] % {
            "current": CaseStatus(case.status).label, "target": CaseStatus(target).label}})
    previous = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at"])
    return CaseTransition.objects.create(case=case, from_status=previous, to_status=target, on=on,
                                         actor=_user(actor), note=note[:500])


def case_transition(*, actor, case_id: int, target: str, on: date | None = None, note: str = "",
                    request=None) -> CaseTransition:
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
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.case",
                  object_id=case.pk, summary=f"{row.from_status} -> {target}", request=request)
    return row


def case_decide(*, actor, case_id: int, decided_on: date, penalty: bool = False,
                agreement_handling: bool = False, recovered: Decimal = ZERO, rejected: Decimal = ZERO,
                obtained: Decimal = ZERO, fine_basis: str = "none", fine_multiple: Decimal | None = None,
                fine_amount: Decimal | None = None, agreement_action: str = AgreementAction.NONE,
                action_from: date | None = None, action_until: date | None = None,
                document_number: str = "", note: str = "", request=None) -> Decision:
    """Record the decision; the agreement action changes the institution's agreement in the same
    transaction — both commit or neither does. The fine is computed here, never taken as given
    (except a stated 违约金)."""
    access.require_staff(actor)
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        errors = {}
        for name, value in (("recovered", recovered), ("rejected", rejected), ("obtained", obtained)):
            if value is None or value < 0:
                errors[name] = _("金额不能为负数")
        if not (penalty or agreement_handling):
            errors["penalty"] = _("请选择行政处罚或协议处理（可同时选择）")
        if agreement_action != AgreementAction.NONE and case.target_kind != TargetKind.INSTITUTION:
            errors["agreement_action"] = _("只有定点医药机构有医保服务协议")
        fine = penalty_rules.compute_fine(penalty_rules.FineInput(
            penalty_rules.Target(case.target_kind), penalty_rules.FineBasis(fine_basis),
            obtained or ZERO, fine_multiple, fine_amount,
        ))
        if fine.error:
            errors[fine.field] = FINE_MESSAGES[fine.error] % {"low": fine.low, "high": fine.high}
        if errors:
            raise ValidationError(errors)
        decision = Decision.objects.create(
            case=case, decided_on=decided_on, document_number=document_number, penalty=penalty,
            agreement_handling=agreement_handling, recovered=recovered, rejected=rejected,
            obtained=obtained, fine_basis=fine_basis,
            fine_multiple=fine_multiple if fine_basis not in ("none", "agreement") else None,
            fine=fine.amount, agreement_action=agreement_action, action_from=action_from,
            action_until=action_until, note=note, decided_by=_user(actor),
        )
        _transition(actor=actor, case=case, target=CaseStatus.DECIDED, on=decided_on,
                    note=document_number)
        if agreement_action != AgreementAction.NONE:
            _apply_agreement_action(actor=actor, institution_id=case.institution_id,
                                    action=agreement_action, start=action_from, end=action_until,
                                    case=case, note=case.number)
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.case",
                  object_id=case.pk, summary=f"decide {case.number} fine {fine.amount} {agreement_action}",
                  request=request)
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
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.case",
                  object_id=case.pk, summary=f"publish {case.number}", request=request)
    return case


# --- evidence ---------------------------------------------------------------------------------

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
# extension → (content type, leading bytes)
EVIDENCE_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def evidence_add(*, actor, case_id: int, upload, description: str = "", request=None) -> Evidence:
    access.require_staff(actor)
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError({"file": _("只接受 PDF、JPG、PNG、DOCX、XLSX 文件")})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": _("文件不能超过 20 MB")})
    if upload.size == 0:
        raise ValidationError({"file": _("文件为空")})
    content_type, magics = EVIDENCE_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError({"file": _("文件内容与扩展名不符")})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        upload.name = f"{secrets.token_hex(16)}.{ext}"  # never the user's file name on disk
        evidence = Evidence.objects.create(
            case=case, file=upload, original_name=name[-200:], content_type=content_type,
            size=upload.size, sha256=digest.hexdigest(), description=description[:200],
            uploaded_by=_user(actor),
        )
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.evidence",
                  object_id=evidence.pk, summary=f"{case.number} {name}"[:500], request=request)
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


def report_submit(*, subject: str, content: str, institution_id: int | None = None,
                  reporter_name: str = "", reporter_phone: str = "", reporter_id_number: str = "",
                  request=None) -> Report:
    """A public report (no login). Returns the report with its tracking code."""
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = _("请填写被举报对象")
    if len((content or "").strip()) < 10:
        errors["content"] = _("请具体描述举报内容（至少10个字）")
    if errors:
        raise ValidationError(errors)
    identity = {k: v.strip() for k, v in (("name", reporter_name), ("phone", reporter_phone),
                                            ("id_number", reporter_id_number)) if v and v.strip()}
    with _durable():
        for _attempt in range(5):
            code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))
            if not Report.objects.filter(tracking_code=code).exists():
                break
        report = Report.objects.create(
            tracking_code=code, received_at=timezone.now(), subject=subject.strip()[:200],
            institution_id=institution_id, content=content.strip(),
            identity_encrypted=encrypt_identity(identity) if identity else "", anonymous=not identity,
        )
        audit_log(actor=None, action=AuditLog.Action.CHANGE, object_type="supervision.report",
                  object_id=report.pk, summary="public report received", request=request,
                  username="public")
    return report


def report_reveal_identity(*, actor, report_id: int, request=None) -> dict:
    """The reporter's identity: the head of supervision only, every look in the audit log."""
    if not access.is_head(actor):
        raise ValidationError({"identity": _("只有基金监管科科长可以查看举报人身份")})
    report = Report.objects.get(pk=report_id)
    with _durable():
        audit_log(actor=actor, action=AuditLog.Action.VIEW, object_type="supervision.report.identity",
                  object_id=report.pk, summary=f"reporter identity of {report.tracking_code}", request=request)
    return report_identity(report)


def report_open_case(*, actor, report_id: int, registered_on: date, violations, summary: str,
                     institution_id: int | None = None, person_name: str = "", person_id_number: str = "",
                     inspected_on: date | None = None, request=None) -> Case:
    access.require_staff(actor)
    with _durable():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == ReportStatus.CLOSED:
            raise ValidationError({"status": _("该举报已办结")})
        target = TargetKind.INSTITUTION if institution_id else TargetKind.PERSON
        case = _case_register(
            actor=actor, source=CaseSource.REPORT, target_kind=target, institution_id=institution_id,
            person_name=person_name, person_id_number=person_id_number, violations=violations,
            summary=summary, registered_on=registered_on, inspected_on=inspected_on, report=report,
        )
        report.status = ReportStatus.CASE_OPENED
        report.handled_by = _user(actor)
        report.save(update_fields=["status", "handled_by"])
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.report",
                  object_id=report.pk, summary=f"case {case.number}", request=request)
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
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.report",
                  object_id=report.pk, summary="closed", request=request)
    return report


def report_reward(*, actor, report_id: int, amount: Decimal, paid_on: date | None, request=None) -> Report:
    access.require_staff(actor)
    if amount is None or amount < 0:
        raise ValidationError({"reward": _("金额不能为负数")})
    with _durable():
        report = Report.objects.select_for_update().get(pk=report_id)
        report.reward, report.reward_paid_on = amount, paid_on
        report.save(update_fields=["reward", "reward_paid_on"])
        audit_log(actor=actor, action=AuditLog.Action.CHANGE, object_type="supervision.report",
                  object_id=report.pk, summary=f"reward {amount}", request=request)
    return report
