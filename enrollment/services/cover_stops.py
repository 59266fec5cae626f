"""Stopping and resuming cover (停保/续保) and the bank direct-debit agreements (医保费扣款协议) for the
next year's contribution. Entitlement reads the stops (no benefit inside a stop).

Called inside the decision of a handling application (one transaction for both), so each opens a plain
``atomic()`` rather than a durable one."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.access import access_resident_by_id
from enrollment.models import CoverStop, DirectDebitAgreement
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.crypto import encrypt_text


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def cover_stop(*, actor, resident_id: int, stopped_on: date, reason: str) -> CoverStop:
    """Stop cover from ``stopped_on``. A resident whose cover is already stopped is refused on ``stopped_on``."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写停保原因")})
    with transaction.atomic():
        resident = access_resident_by_id(actor, resident_id, for_update=True)
        if CoverStop.objects.filter(resident=resident, resumed_on__isnull=True).exists():
            raise ValidationError({"stopped_on": _("该参保人员已停保，尚未续保")})
        if CoverStop.objects.filter(resident=resident, resumed_on__gt=stopped_on).exists():
            raise ValidationError({"stopped_on": _("停保日期早于上次续保日期")})
        stop = CoverStop.objects.create(
            resident=resident, stopped_on=stopped_on, reason=reason, created_by=_user(actor)
        )
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=stop, summary=_("停保，自 %(d)s") % {"d": stopped_on})
    return stop


def cover_resume(*, actor, resident_id: int, resumed_on: date) -> CoverStop:
    """Resume the open stop from ``resumed_on`` (after the stop began); no open stop is refused on ``resumed_on``."""
    with transaction.atomic():
        resident = access_resident_by_id(actor, resident_id, for_update=True)
        stop = CoverStop.objects.select_for_update().filter(resident=resident, resumed_on__isnull=True).first()
        if stop is None:
            raise ValidationError({"resumed_on": _("该参保人员没有未续保的停保记录")})
        if resumed_on <= stop.stopped_on:
            raise ValidationError({"resumed_on": _("续保日期须晚于停保日期")})
        stop.resumed_on = resumed_on
        stop.save(update_fields=["resumed_on"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=stop, summary=_("续保，自 %(d)s") % {"d": resumed_on})
    return stop


def debit_agreement_sign(
    *, actor, resident_id: int, year: int, bank_name: str, account_holder: str, account_number: str, signed_on: date
) -> DirectDebitAgreement:
    """Sign a direct-debit agreement for ``year``'s contribution; an open one for that year is refused on ``year``."""
    account_number = "".join((account_number or "").split())
    if not account_number.isdigit() or not 12 <= len(account_number) <= 32:
        raise ValidationError({"account_number": _("银行账号应为12至32位数字")})
    if not (bank_name or "").strip():
        raise ValidationError({"bank_name": _("请填写开户银行")})
    if not (account_holder or "").strip():
        raise ValidationError({"account_holder": _("请填写账户名")})
    if year < signed_on.year:
        raise ValidationError({"year": _("只能签订本年度或以后年度的扣款协议")})
    with transaction.atomic():
        resident = access_resident_by_id(actor, resident_id, for_update=True)
        if DirectDebitAgreement.objects.filter(resident=resident, year=year, cancelled_on__isnull=True).exists():
            raise ValidationError({"year": _("该参保人员本年度已有有效的扣款协议")})
        agreement = DirectDebitAgreement.objects.create(
            resident=resident,
            year=year,
            bank_name=bank_name.strip(),
            account_holder=account_holder.strip(),
            account_number_encrypted=encrypt_text(account_number),
            account_last4=account_number[-4:],
            signed_on=signed_on,
            created_by=_user(actor),
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=agreement,
            summary=_("签订 %(y)s 年度银行代扣协议") % {"y": year},
        )
    return agreement


def debit_agreement_cancel(*, actor, agreement_id: int, cancelled_on: date) -> DirectDebitAgreement:
    with transaction.atomic():
        agreement = DirectDebitAgreement.objects.select_for_update().filter(pk=agreement_id).first()
        if agreement is None:
            raise ValidationError({"agreement": _("扣款协议不存在")})
        access_resident_by_id(actor, agreement.resident_id)
        if agreement.cancelled_on is not None:
            raise ValidationError({"agreement": _("该扣款协议已解约")})
        agreement.cancelled_on = cancelled_on
        agreement.save(update_fields=["cancelled_on"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=agreement,
            summary=_("解除银行代扣协议，自 %(d)s") % {"d": cancelled_on},
        )
    return agreement
