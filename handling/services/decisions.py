"""The decision on an accepted application (批准/不予批准) and what an approval writes, through the owning
app's services in the same transaction: a disease registration or a remote-care filing (claims), a
manual claim settled by the one engine (claims), a stop, a resumption or a direct-debit agreement
(enrollment). A refusal of theirs (the field named) refuses the decision: nothing is written."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import services as claims_services
from enrollment import services as enrollment_services
from handling.access import access_application_by_id
from handling.models import HandlingItem, Level, Workflow
from handling.rules.workflow import APPROVE, REFUSE, evidence_problem, registration_period
from handling.services._common import moved, today, user_or_none
from medinsure.accounts.scoping import Area, has_area, is_bureau_wide
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.crypto import decrypt_text
from medinsure.institutions.models import Institution

# decided by the bureau only (the service centre): expert-reviewed diseases and money paid out
BUREAU_DECIDES = frozenset({Workflow.CHRONIC, Workflow.MANUAL_CLAIM})


def may_decide(user, item: HandlingItem) -> bool:
    if not has_area(user, Area.HANDLING):
        return False
    if is_bureau_wide(user):
        return True
    return item.kind not in BUREAU_DECIDES and item.level != Level.DISTRICT


def _date(details: dict, key: str, *, required: bool = True) -> date | None:
    value = details.get(key)
    if not value:
        if required:
            raise ValidationError({key: _("请填写日期")})
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({key: _("日期格式不正确")}) from exc


def _apply(actor, a, item: HandlingItem) -> str:
    """Write what the approval means; returns the reference shown as the result."""
    d = a.details or {}
    if item.kind == Workflow.CHRONIC:
        if evidence_problem(a.evidence_years) is not None:
            raise ValidationError({"evidence_years": _("须提供近三年以内的住院病历")})
        if a.expert_passed is not True:
            raise ValidationError({"expert_opinion": _("专家评审通过后方可批准")})
        start, end = registration_period(today())
        reg = claims_services.disease_register(
            actor=actor,
            resident_id=a.resident_id,
            disease=a.disease.name,
            kind=a.disease.kind,
            valid_from=start,
            valid_to=end,
        )
        return _("慢特病备案 %(d)s，有效期至 %(e)s") % {"d": reg.disease, "e": f"{end:%Y-%m-%d}"}
    if item.kind == Workflow.REMOTE:
        filing = claims_services.remote_filing_create(
            actor=actor,
            resident_id=a.resident_id,
            kind=d.get("filing_kind", ""),
            destination=d.get("destination", ""),
            valid_from=_date(d, "valid_from"),
            valid_to=_date(d, "valid_to", required=False),
            filed_on=timezone.localdate(a.received_at),
        )
        return _("异地就医备案 %(k)s") % {"k": filing.get_kind_display()}
    if item.kind == Workflow.MANUAL_CLAIM:
        institution = Institution.objects.filter(code=d.get("institution_code", "")).first()
        if institution is None:
            raise ValidationError({"institution_code": _("开票医疗机构编码不存在")})
        claim = claims_services.manual_claim_settle(
            actor=actor,
            resident_id=a.resident_id,
            institution_id=institution.pk,
            invoice_number=d.get("invoice_number", ""),
            reason=d.get("reason", ""),
            policy_code=d.get("policy_code", ""),
            kind=d.get("kind", ""),
            hospital_level=int(d.get("hospital_level") or 0),
            admitted_on=_date(d, "admitted_on"),
            discharged_on=_date(d, "discharged_on", required=False),
            lines=d.get("lines") or [],
            disease=d.get("disease", ""),
        )
        s = claim.settlement
        return _("零星报销：统筹支付 %(f)s 元，大病保险 %(c)s 元") % {"f": s.fund_paid, "c": s.critical_paid}
    if item.kind == Workflow.COVER_STOP:
        stop = enrollment_services.cover_stop(
            actor=actor, resident_id=a.resident_id, stopped_on=_date(d, "stopped_on"), reason=d.get("reason", "")
        )
        return _("自 %(d)s 停保") % {"d": f"{stop.stopped_on:%Y-%m-%d}"}
    if item.kind == Workflow.COVER_RESUME:
        stop = enrollment_services.cover_resume(
            actor=actor, resident_id=a.resident_id, resumed_on=_date(d, "resumed_on")
        )
        return _("自 %(d)s 续保") % {"d": f"{stop.resumed_on:%Y-%m-%d}"}
    if item.kind == Workflow.DIRECT_DEBIT:
        try:
            year = int(d.get("year") or 0)
        except (TypeError, ValueError):
            year = 0
        agreement = enrollment_services.debit_agreement_sign(
            actor=actor,
            resident_id=a.resident_id,
            year=year,
            bank_name=d.get("bank_name", ""),
            account_holder=d.get("account_holder", ""),
            account_number=decrypt_text(d["account_number_encrypted"]) if d.get("account_number_encrypted") else "",
            signed_on=today(),
        )
        # the number lives encrypted in the agreement only; the application keeps its last four digits
        a.details = {k: v for k, v in d.items() if k != "account_number_encrypted"} | {
            "account_number": agreement.account_shown
        }
        return _("%(y)s 年度银行代扣协议") % {"y": agreement.year}
    return ""


def application_decide(*, actor, application_id: int, approve: bool, reason: str = ""):
    """Approve (and write what it means) or refuse with a reason, in one transaction."""
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        a = access_application_by_id(actor, application_id, for_update=True)
        item = HandlingItem.objects.get(pk=a.item_id)
        if not may_decide(actor, item):
            raise PermissionDenied
        new = moved(a, APPROVE if approve else REFUSE)
        if not approve and not reason:
            raise ValidationError({"decision_reason": _("不予批准须说明理由")})
        a.result_ref = _apply(actor, a, item)[:100] if approve else ""
        a.status = new
        a.decision_reason = reason[:300]
        a.decided_at = timezone.now()
        a.decided_by = user_or_none(actor)
        a.save(update_fields=["status", "decision_reason", "decided_at", "decided_by", "result_ref", "details"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=a, summary=f"decided {new}")
    return a
