"""Cases (案件): registration, the status workflow, the decision (with its agreement action),
publication (曝光) and evidence."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core import uploads
from supervision import access
from supervision.models import (
    AgreementAction,
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

from ._common import ZERO, _durable, _user
from .agreements import _apply_agreement_action

TRANSITION_MESSAGES = {
    workflow.TransitionError.NOT_ALLOWED: _("不能从“%(current)s”直接变为“%(target)s”"),
    workflow.TransitionError.DECISION_REQUIRED: _("请先录入处理决定"),
    workflow.TransitionError.REASON_REQUIRED: _("请填写说明（结案理由或移交情况）"),
}


FINE_MESSAGES = {
    penalty_rules.FineError.BASIS_NOT_ALLOWED: _("该对象不适用此罚款依据"),
    penalty_rules.FineError.OBTAINED_REQUIRED: _("请填写造成损失或骗取的金额"),
    penalty_rules.FineError.MULTIPLE_REQUIRED: _("请填写罚款倍数"),
    penalty_rules.FineError.MULTIPLE_OUT_OF_RANGE: _("罚款倍数应在 %(low)s 至 %(high)s 倍之间"),
    penalty_rules.FineError.AMOUNT_REQUIRED: _("请填写违约金金额"),
    penalty_rules.FineError.NEGATIVE: _("金额不能为负数"),
}


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


def case_register(*, actor, **fields) -> Case:
    access.require_staff(actor)
    with _durable():
        case = _case_register(actor=actor, **fields)
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=case,
            summary=f"register {case.number}",
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


def case_transition(*, actor, case_id: int, target: str, on: date | None = None, note: str = "") -> CaseTransition:
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
            verb=AuditLog.Action.CHANGE,
            obj=case,
            summary=f"{row.from_status} -> {target}",
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
            verb=AuditLog.Action.CHANGE,
            obj=case,
            summary=f"decide {case.number} fine {fine.amount} {agreement_action}",
        )
    return decision


def case_publish(*, actor, case_id: int, published_on: date, public_summary: str) -> Case:
    """曝光: a public summary with personal data removed.

    A case opened from a named report (实名举报) is published by the head of supervision only, whose
    own eyes check that the summary says nothing of the reporter: the service never compares the
    summary with the reporter's identity, so no answer of it depends on who the reporter is. Every
    refusal is written to the audit log (in its own transaction, after the refused one rolled back)."""
    try:
        return _case_publish(actor=actor, case_id=case_id, published_on=published_on, public_summary=public_summary)
    except (ValidationError, PermissionDenied) as exc:
        fields = sorted(exc.message_dict) if getattr(exc, "error_dict", None) else ["permission"]
        case_publish_refused(actor=actor, case_id=case_id, fields=fields)
        raise


def case_publish_refused(*, actor, case_id: int, fields) -> None:
    """The audit row of a refused publication (the service's own refusals, and a page's form that
    never reached it): who tried, which case, on which fields — never the summary's text."""
    with _durable():
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=Case,
            key=case_id,
            summary=f"publish refused ({','.join(fields)})",
        )


def _case_publish(*, actor, case_id: int, published_on: date, public_summary: str) -> Case:
    access.require_staff(actor)
    with _durable():
        case = Case.objects.select_for_update().get(pk=case_id)
        named = case.report_id and Report.objects.filter(pk=case.report_id, anonymous=False).exists()
        if named and not access.is_head(actor):
            raise PermissionDenied(_("来源于实名举报的案件只能由基金监管科科长曝光"))
        text = (public_summary or "").strip()
        errors = {}
        if case.status not in (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED):
            errors["published_on"] = _("只有作出处理决定的案件才能曝光")
        if not text:
            errors["public_summary"] = _("请填写公开摘要")
        for secret in (case.person_name, case.person_id_number):
            if secret and secret in text:
                errors["public_summary"] = _("公开摘要不能包含参保人姓名或身份证号")
        if errors:
            raise ValidationError(errors)
        case.published_on, case.public_summary = published_on, text
        case.save(update_fields=["published_on", "public_summary", "updated_at"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=case,
            summary=f"publish {case.number}",
        )
    return case


EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def evidence_add(*, actor, case_id: int, upload, description: str = "") -> Evidence:
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
            verb=AuditLog.Action.CHANGE,
            obj=evidence,
            summary=f"{case.number} {name}"[:500],
        )
    return evidence
