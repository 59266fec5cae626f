"""Whistle-blower reports (举报): the public form, the reporter's identity (encrypted; the head of
supervision may reveal it), opening a case, closing, the reward."""

from __future__ import annotations

import json
import secrets
from datetime import date
from decimal import Decimal

from cryptography.fernet import MultiFernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.accounts.powers import Power, check_second_person
from medinsure.audit.models import AuditLog
from medinsure.audit.services import RequestContext, audit_log, current_request
from medinsure.core import crypto
from supervision import access
from supervision.models import Case, CaseSource, Report, ReportStatus, TargetKind
from supervision.selectors import report_identity

from ._common import _durable, _user
from .cases import _case_register

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _fernet() -> MultiFernet:
    return crypto.fernet()  # MultiFernet over settings.FIELD_ENCRYPTION_KEYS: new rows under the first key


def encrypt_identity(identity: dict) -> str:
    return _fernet().encrypt(json.dumps(identity, ensure_ascii=False).encode()).decode()


def report_submit(
    *,
    subject: str,
    content: str,
    institution_id: int | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_id_number: str = "",
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
        # A whistle-blower's channel keeps no address: the row says a report came in, not from where
        # (the request's IP would otherwise be copied from AuditContextMiddleware's context).
        ctx = current_request.get()
        token = current_request.set(RequestContext(ip=None, path=ctx.path if ctx else ""))
        try:
            audit_log(
                actor=None,
                verb=AuditLog.Action.CHANGE,
                obj=report,
                summary="public report received",
                username="public",
            )
        finally:
            current_request.reset(token)
    return report


REVEAL_REASON_MIN = 4


def report_reveal_identity(*, actor, report_id: int, reason: str) -> dict:
    """The reporter's identity of a named report, revealed on purpose: the head of supervision only
    (``Power.REPORTER_REVEAL``), with a reason that goes into the audit row. Nothing else decrypts it
    for a person to read; the caller shows the result to this actor once and keeps it nowhere. A role
    that may not reveal is refused, and the attempt is audited."""
    try:
        check_second_person(power=Power.REPORTER_REVEAL, actor=actor, starter_id=None)
    except PermissionDenied:
        with _durable():
            audit_log(
                actor=actor,
                verb=AuditLog.Action.VIEW,
                obj="supervision.report.identity",
                key=report_id,
                summary="reveal reporter identity refused (role)",
            )
        raise
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationError({"reason": _("请填写查看举报人身份的理由（至少4个字），理由记入审计日志")})
    with _durable():
        report = access.access_report_by_id(actor, report_id)
        if report.anonymous or not report.identity_encrypted:
            raise ValidationError({"reason": _("这是匿名举报，没有举报人身份")})
        audit_log(
            actor=actor,
            verb=AuditLog.Action.VIEW,
            obj="supervision.report.identity",
            key=report.pk,
            summary=f"reveal reporter identity, reason: {reason}",
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
            verb=AuditLog.Action.CHANGE,
            obj=report,
            summary=f"case {case.number}",
        )
    return case


def report_close(*, actor, report_id: int, reason: str) -> Report:
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
            verb=AuditLog.Action.CHANGE,
            obj=report,
            summary="closed",
        )
    return report


def report_reward(*, actor, report_id: int, amount: Decimal, paid_on: date | None) -> Report:
    access.require_staff(actor)
    if amount is None or amount < 0:
        raise ValidationError({"reward": _("金额不能为负数")})
    with _durable():
        report = Report.objects.select_for_update().get(pk=report_id)
        report.reward, report.reward_paid_on = amount, paid_on
        report.save(update_fields=["reward", "reward_paid_on"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=report,
            summary=f"reward {amount}",
        )
    return report
