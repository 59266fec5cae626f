"""The registers entitlement reads (慢特病备案, 异地就医备案) and manual reimbursement (零星报销).

Handling (the front office) calls these when an application is approved; entitlement
(``claims.selectors.eligibility_records``) reads the rows. A manual claim is settled by the one engine
(visits from ``claims.visits``, entitlement from the registry) into a ``Settlement``, so it is in the
fund's spending like any other; an invoice is paid once (a unique constraint, and the person's row lock).

These services are called inside the decision of a handling application (its one transaction: the
application decided and the register written together, or neither), so they open a plain ``atomic()``
(a savepoint there) rather than a durable one, like ``monthly_stats_refresh``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import selectors
from claims.models import (
    DiseaseRegistration,
    Kind,
    ManualClaim,
    ManualClaimReason,
    Policy,
    RegisterKind,
    RemoteCareFiling,
    RemoteFilingKind,
    Settlement,
    SettlementLine,
)
from claims.rules import settle
from claims.rules.registers import emergency_filing_deadline, periods_overlap
from claims.rules.status import RECALCULATION_OPEN
from claims.services._common import user_or_none
from claims.visits import visit_from_settlement
from enrollment.access import access_resident_by_id
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from medinsure.core.holidays import holiday_schedule
from medinsure.institutions.models import Institution

STATS_TASK = "claims.monthly_stats_refresh"


def disease_register(
    *, actor, resident_id: int, disease: str, kind: str, valid_from: date, valid_to: date | None = None
) -> DiseaseRegistration:
    """Register an approved chronic or special disease for a period. A registration of the same disease
    whose period overlaps is refused on ``disease``."""
    disease = (disease or "").strip()
    if not disease:
        raise ValidationError({"disease": _("请填写病种")})
    if kind not in RegisterKind.values:
        raise ValidationError({"kind": _("病种类别不正确")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("有效期止不能早于有效期起")})
    with transaction.atomic():
        resident = access_resident_by_id(actor, resident_id, for_update=True)
        for other in DiseaseRegistration.objects.filter(resident=resident, disease=disease, revoked_on__isnull=True):
            if periods_overlap(other.valid_from, other.valid_to, valid_from, valid_to):
                raise ValidationError({"disease": _("该参保人员已备案此病种，有效期重叠")})
        reg = DiseaseRegistration.objects.create(
            resident=resident,
            disease=disease,
            kind=kind,
            valid_from=valid_from,
            valid_to=valid_to,
            approved_by=user_or_none(actor),
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=reg,
            summary=_("慢特病备案：%(k)s，有效期自 %(d)s") % {"k": RegisterKind(kind).label, "d": valid_from},
        )
    return reg


def disease_revoke(*, actor, registration_id: int, on: date) -> DiseaseRegistration:
    """Revoke a registration from ``on`` (no chronic ratio for care on or after that day)."""
    return _revoke(
        DiseaseRegistration,
        registration_id,
        field="registration",
        actor=actor,
        on=on,
        summary=_("撤销慢特病备案，自 %(d)s"),
    )


def remote_filing_create(
    *,
    actor,
    resident_id: int,
    kind: str,
    destination: str,
    valid_from: date,
    valid_to: date | None = None,
    filed_on: date | None = None,
) -> RemoteCareFiling:
    """File care away from home. An emergency at a non-designated hospital (``valid_from`` = the day of
    admission) must be filed within 5 working days of it; later is refused on ``valid_from``."""
    if kind not in RemoteFilingKind.values:
        raise ValidationError({"kind": _("备案类型不正确")})
    destination = (destination or "").strip()
    if not destination:
        raise ValidationError({"destination": _("请填写就医地或就医医院")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("有效期止不能早于有效期起")})
    filed_on = filed_on or timezone.localdate()
    if kind == RemoteFilingKind.EMERGENCY:
        last = emergency_filing_deadline(valid_from, holiday_schedule())
        if filed_on > last:
            raise ValidationError(
                {"valid_from": _("急诊抢救应在入院后5个工作日内备案（最迟 %(d)s）") % {"d": f"{last:%Y-%m-%d}"}}
            )
    with transaction.atomic():
        resident = access_resident_by_id(actor, resident_id, for_update=True)
        for other in RemoteCareFiling.objects.filter(resident=resident, kind=kind, revoked_on__isnull=True):
            if periods_overlap(other.valid_from, other.valid_to, valid_from, valid_to):
                raise ValidationError({"valid_from": _("该参保人员已有同类备案，有效期重叠")})
        filing = RemoteCareFiling.objects.create(
            resident=resident,
            kind=kind,
            destination=destination,
            valid_from=valid_from,
            valid_to=valid_to,
            created_by=user_or_none(actor),
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=filing,
            summary=_("异地就医备案：%(k)s，有效期自 %(d)s") % {"k": RemoteFilingKind(kind).label, "d": valid_from},
        )
    return filing


def remote_filing_revoke(*, actor, filing_id: int, on: date) -> RemoteCareFiling:
    """Revoke a remote-care filing from ``on`` (the unfiled ratio for care on or after that day)."""
    return _revoke(
        RemoteCareFiling, filing_id, field="filing", actor=actor, on=on, summary=_("撤销异地就医备案，自 %(d)s")
    )


def _revoke(model, pk: int, *, field: str, actor, on: date, summary: str):
    """The one revocation of a register row (a registration, a filing): locked, in the actor's area
    (404 outside it), refused on ``field`` if missing or already revoked, on ``on`` before its start."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise ValidationError({field: _("备案记录不存在")})
        access_resident_by_id(actor, row.resident_id)  # 404 outside the actor's area
        if row.revoked_on is not None:
            raise ValidationError({field: _("该备案已撤销")})
        if on < row.valid_from:
            raise ValidationError({"on": _("撤销日期不能早于有效期起")})
        row.revoked_on = on
        row.save(update_fields=["revoked_on"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=row, summary=summary % {"d": on})
    return row


def _lines(lines) -> list[dict]:
    out = []
    for i, ln in enumerate(lines or [], start=1):
        try:
            qty, price = Decimal(str(ln["quantity"])), Decimal(str(ln["price"]))
        except Exception as exc:  # noqa: BLE001 - any bad number is the same refusal
            raise ValidationError({"lines": _("第 %(n)s 行费用明细的数量或单价不正确") % {"n": i}}) from exc
        if qty <= 0 or price < 0 or ln.get("category") not in SettlementLine.Category.values:
            raise ValidationError({"lines": _("第 %(n)s 行费用明细不正确") % {"n": i}})
        out.append(
            {
                "item_code": str(ln.get("item_code") or f"M{i:03d}")[:40],
                "item_name": str(ln.get("item_name") or "")[:100] or _("费用"),
                "category": ln["category"],
                "quantity": qty,
                "price": price,
                "amount": (qty * price).quantize(Decimal("0.01")),
            }
        )
    if not out:
        raise ValidationError({"lines": _("请填写发票的费用明细")})
    return out


def manual_claim_settle(
    *,
    actor,
    resident_id: int,
    institution_id: int,
    invoice_number: str,
    reason: str,
    policy_code: str,
    kind: str,
    hospital_level: int,
    admitted_on: date,
    discharged_on: date | None,
    lines: list[dict],
    disease: str = "",
) -> ManualClaim:
    """Settle an invoice by the one engine and record it as a settlement of the invoicing institution.
    Amounts come from the engine (visit from ``claims.visits``, entitlement from the registry), never from
    the caller. An invoice already paid is refused on ``invoice_number`` — also when two clerks submit it
    at the same moment (the person's row lock orders them; the unique constraint is the last word)."""
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise ValidationError({"invoice_number": _("请填写发票号码")})
    if reason not in ManualClaimReason.values:
        raise ValidationError({"reason": _("零星报销原因不正确")})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("就诊类别不正确")})
    inpatient = kind in (Kind.INPATIENT, Kind.INPATIENT_ACCIDENT)
    if inpatient and discharged_on is None:
        raise ValidationError({"discharged_on": _("住院须填写出院日期")})
    if not inpatient:
        discharged_on = None
    if discharged_on is not None and discharged_on < admitted_on:
        raise ValidationError({"discharged_on": _("出院日期不能早于入院日期")})
    care_on = discharged_on or admitted_on
    items = _lines(lines)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise ValidationError({"institution": _("开票医疗机构不存在")})
    try:
        with transaction.atomic():
            resident = access_resident_by_id(actor, resident_id, for_update=True)
            policy = Policy.objects.select_for_update().filter(code=policy_code).first()
            if policy is None:
                raise ValidationError({"policy": _("报销政策不存在")})
            if policy.year != care_on.year:
                raise ValidationError({"policy": _("该政策年度与就诊年度不符")})
            if selectors.recalculation_exists(policy_id=policy.pk, statuses=RECALCULATION_OPEN):
                raise ValidationError({"policy": _("该政策有尚未完成的批量重算，请在应用或放弃后再报销")})
            version = policy.versions.order_by("-number").first()
            if version is None:
                raise ValidationError({"policy": _("该政策尚未载入，不能结算")})
            if ManualClaim.objects.filter(institution=institution, invoice_number=invoice_number).exists():
                raise ValidationError({"invoice_number": _("该发票已报销，不能重复报销")})
            claim = _settle_and_record(
                actor,
                resident,
                institution,
                invoice_number,
                reason,
                policy,
                version,
                kind,
                hospital_level,
                admitted_on,
                discharged_on,
                care_on,
                items,
                disease,
            )
    except IntegrityError as exc:  # the constraint, should anything pass the check above
        raise ValidationError({"invoice_number": _("该发票已报销，不能重复报销")}) from exc
    return claim


def _settle_and_record(
    actor,
    resident,
    institution,
    invoice_number,
    reason,
    policy,
    version,
    kind,
    hospital_level,
    admitted_on,
    discharged_on,
    care_on,
    items,
    disease,
) -> ManualClaim:
    from claims.policies import parsed_version

    in_scope = sum((i["amount"] for i in items if i["category"] != SettlementLine.Category.SELF), Decimal(0))
    row = {
        "id_number": resident.id_number,
        "settled_on": care_on,
        "institution_id": institution.pk,
        "number": f"LX-{invoice_number}"[:40],
        "kind": kind,
        "hospital_level": int(hospital_level),
        "in_scope_cost": in_scope,
        "disease": disease,
    }
    ((visit, findings),) = selectors.entitled_visits([visit_from_settlement(row)])
    stored = selectors.person_year_settlements(id_numbers={resident.id_number}, year=policy.year, policy=policy)
    old = [visit_from_settlement(s) for s in stored.select_related(None)]
    result = settle(parsed_version(version), old + [visit])[-1]
    settlement = Settlement.objects.create(
        number=row["number"],
        institution=institution,
        id_number=resident.id_number,
        name=resident.name,
        sex=resident.sex,
        birth_date=resident.birth_date,
        division_id=resident.hukou_division_id,
        scheme=policy.scheme,
        kind=kind,
        hospital_level=int(hospital_level),
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        settled_on=care_on,
        disease=visit.disease,
        group=visit.group,
        employment=visit.employment,
        continuous_years=visit.continuous_years,
        tier=visit.tier,
        poor=visit.poor,
        total_cost=sum((i["amount"] for i in items), Decimal(0)),
        in_scope_cost=in_scope,
        deductible=result.deductible,
        fund_paid=result.fund_paid,
        critical_paid=result.critical_paid,
        personal_paid=result.personal_paid,
        relief_paid=result.relief_paid,
        policy_version=version,
        explanation=result.explanation_json(),
    )
    SettlementLine.objects.bulk_create([SettlementLine(settlement=settlement, charged_on=care_on, **i) for i in items])
    claim = ManualClaim.objects.create(
        resident=resident,
        institution=institution,
        invoice_number=invoice_number,
        reason=reason,
        settlement=settlement,
        created_by=user_or_none(actor),
    )
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=claim,
        summary=_("零星报销结算：统筹支付 %(f)s 元，大病保险 %(c)s 元")
        % {"f": result.fund_paid, "c": result.critical_paid},
    )
    # the fund's spending (MonthlyStat) is rebuilt for the year of care once this commits
    enqueue_on_commit(STATS_TASK, year=care_on.year)
    return claim
