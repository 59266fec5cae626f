"""Applications at a window (收件, 一次性告知, 受理, 专家评审, 办结). Reads: selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.access import access_resident_by_id
from handling.access import access_application_by_id, access_point_by_id
from handling.models import Application, Channel, Disease, HandlingItem, Workflow
from handling.rules.workflow import (
    ACCEPT,
    FINISH,
    RETURN,
    Tracking,
    due_on,
    evidence_problem,
    missing_details,
    missing_papers,
    round_of,
    unknown_papers,
)
from handling.selectors import HANDLED_AT
from handling.services._common import moved, today, user_or_none
from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area, has_area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.crypto import encrypt_text
from medinsure.core.holidays import holiday_schedule


def _may_handle(actor) -> None:
    if not has_area(actor, Area.HANDLING):
        raise PermissionDenied


def _papers(item: HandlingItem, papers) -> list[str]:
    papers = [str(p) for p in (papers or [])]
    if unknown_papers(item.papers, papers):
        raise ValidationError({"papers_received": _("所勾选的材料不属于该事项")})
    return [p for p in item.papers if p in set(papers)]  # catalogue order, no repeats


def _tracking_number(point_id: int, day) -> str:
    prefix = str(Tracking(day, point_id, 0))[:-4]
    last = (
        Application.objects.filter(tracking_number__startswith=prefix)
        .order_by("-tracking_number")
        .values_list("tracking_number", flat=True)
        .first()
    )
    serial = int(last[-4:]) + 1 if last else 1
    return str(Tracking(day, point_id, serial))


def application_receive(
    *,
    actor,
    point_id: int,
    item_code: str,
    resident_id: int,
    applicant_name: str,
    applicant_relation: str = "本人",
    channel: str = Channel.WINDOW,
    papers_received=(),
    details: dict | None = None,
    disease_id: int | None = None,
    evidence_years: int | None = None,
) -> Application:
    """Receive an application at a point (or on a resident's behalf by a village worker): a tracking number
    the resident can quote, the papers ticked. What is missing is listed on the receipt (一次性告知)."""
    _may_handle(actor)
    applicant_name = (applicant_name or "").strip()
    if not applicant_name:
        raise ValidationError({"applicant_name": _("请填写申请人姓名")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("办理渠道不正确")})
    if channel == Channel.PHONE and actor.role != Role.VILLAGE:
        raise ValidationError({"channel": _("手机代办仅限村（社区）经办员")})
    item = HandlingItem.objects.filter(code=item_code, active=True).first()
    if item is None:
        raise ValidationError({"item": _("经办事项不存在")})
    details = {k: v for k, v in (details or {}).items() if v not in (None, "")}
    lacking = missing_details(item.kind, details)
    if lacking:
        raise ValidationError({k: _("请填写此项") for k in lacking})
    if details.get("account_number"):
        # a bank account is kept encrypted from the moment it is received; the application shows ****1234
        number = "".join(str(details["account_number"]).split())
        details["account_number"] = "****" + number[-4:]
        details["account_number_encrypted"] = encrypt_text(number)
    disease = None
    round_year = round_half = None
    if item.kind == Workflow.CHRONIC:
        disease = Disease.objects.filter(pk=disease_id, active=True).first() if disease_id else None
        if disease is None:
            raise ValidationError({"disease": _("请选择申报病种")})
        if evidence_problem(evidence_years) is not None:
            raise ValidationError({"evidence_years": _("须提供近三年以内（1至3年）的住院病历及检查单据")})
        round_year, round_half = round_of(today())
    with transaction.atomic(durable=True):
        point = access_point_by_id(actor, point_id, for_update=True)  # serialises the point's serial numbers
        if item.level not in HANDLED_AT[point.level]:
            raise ValidationError({"item": _("该事项不在本服务点办理范围内")})
        resident = access_resident_by_id(actor, resident_id)
        now = timezone.now()
        application = Application.objects.create(
            tracking_number=_tracking_number(point.pk, timezone.localdate(now)),
            item=item,
            point=point,
            division_id=point.division_id,
            resident=resident,
            applicant_name=applicant_name[:64],
            applicant_relation=(applicant_relation or "本人").strip()[:20],
            channel=channel,
            papers_received=_papers(item, papers_received),
            details=details,
            received_at=now,
            received_by=user_or_none(actor),
            round_year=round_year,
            round_half=round_half,
            disease=disease,
            evidence_years=evidence_years if disease else None,
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=application,
            summary=f"received {item.code} at point {point.pk}",
        )
    return application


def application_accept(*, actor, application_id: int, papers_received=None) -> Application:
    """Accept (受理): every paper the item asks for must be in, else refused on ``papers_received``
    naming all that is missing at once. The legal time limit starts: ``due_on`` in working days."""
    _may_handle(actor)
    with transaction.atomic(durable=True):
        a = access_application_by_id(actor, application_id, for_update=True)
        new = moved(a, ACCEPT)
        item = HandlingItem.objects.get(pk=a.item_id)
        if papers_received is not None:
            a.papers_received = _papers(item, papers_received)
        missing = missing_papers(item.papers, a.papers_received)
        if missing:
            raise ValidationError({"papers_received": _("材料不全，请一次性补齐：%(m)s") % {"m": "、".join(missing)}})
        a.status = new
        a.accepted_on = today()
        a.due_on = due_on(a.accepted_on, item.time_limit_workdays, holiday_schedule())
        a.save(update_fields=["status", "papers_received", "accepted_on", "due_on"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=a, summary=f"accepted, due {a.due_on}")
    return a


def application_return(*, actor, application_id: int, papers_received=None) -> Application:
    """Return an application whose papers are incomplete, with the list of what is missing (一次性告知)."""
    _may_handle(actor)
    with transaction.atomic(durable=True):
        a = access_application_by_id(actor, application_id, for_update=True)
        new = moved(a, RETURN)
        item = HandlingItem.objects.get(pk=a.item_id)
        if papers_received is not None:
            a.papers_received = _papers(item, papers_received)
        missing = missing_papers(item.papers, a.papers_received)
        if not missing:
            raise ValidationError({"papers_received": _("材料已齐全，请直接受理")})
        a.status = new
        a.details = {**a.details, "missing": list(missing)}
        a.save(update_fields=["status", "papers_received", "details"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=a, summary="returned for missing papers")
    return a


def application_review(*, actor, application_id: int, passed: bool, opinion: str) -> Application:
    """Record the expert review (专家评审) of an accepted chronic application."""
    _may_handle(actor)
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"expert_opinion": _("请填写专家评审意见")})
    with transaction.atomic(durable=True):
        a = access_application_by_id(actor, application_id, for_update=True)
        if a.disease_id is None:
            raise ValidationError({"expert_opinion": _("只有慢特病申报需要专家评审")})
        if a.status != "accepted":
            raise ValidationError({"status": _("只有已受理的申报可以录入专家评审")})
        a.expert_passed = bool(passed)
        a.expert_opinion = opinion[:300]
        a.reviewed_by = user_or_none(actor)
        a.save(update_fields=["expert_passed", "expert_opinion", "reviewed_by"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=a, summary=f"expert review passed={a.expert_passed}")
    return a


def application_finish(*, actor, application_id: int) -> Application:
    """Finish (办结): the result handed to the resident. On time or late is read from ``due_on``."""
    _may_handle(actor)
    with transaction.atomic(durable=True):
        a = access_application_by_id(actor, application_id, for_update=True)
        a.status = moved(a, FINISH)
        a.finished_at = timezone.now()
        a.save(update_fields=["status", "finished_at"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=a, summary="finished")
    return a
