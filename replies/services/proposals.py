"""Cases: registration (one by one or a list), assignment, return, contacts, co-handlers' opinions."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from replies import selectors
from replies.models import (
    CoHandlerOpinion,
    ContactLog,
    Proposal,
    Status,
)
from replies.rules import deadlines
from replies.rules.status import Action
from replies.services._common import (
    _apply_due,
    _audit,
    _check_handlers,
    _lock,
    _transition,
)


@transaction.atomic(durable=True)
def proposal_register(
    *,
    actor,
    kind: str,
    session: str,
    number: str,
    title: str,
    proposers: list[str],
    assigned_on: date,
    urgent: bool = False,
    hard: bool = False,
    handler_role: str = "lead",
    lead_unit: str = "",
    department: str = "",
    drafter=None,
    department_head=None,
) -> Proposal:
    _check_handlers(drafter, department_head)
    proposers = [p.strip() for p in proposers if p and p.strip()]
    if not proposers:
        raise ValidationError({"proposers": _("至少填写一名提出人")})
    if handler_role == "co" and not lead_unit.strip():
        raise ValidationError({"lead_unit": _("我局为协办单位时须填写主办单位")})
    if not 2000 <= assigned_on.year <= 2100:
        # A year like 0282 has no holiday calendar and no four-digit ISO date: refuse it here.
        raise ValidationError({"assigned_on": _("交办日期须在 2000 年至 2100 年之间")})
    if Proposal.objects.filter(kind=kind, session=session, number=number).exists():
        raise ValidationError({"number": _("该会议已登记此编号的建议提案")})
    proposal = Proposal(
        kind=kind,
        session=session.strip(),
        number=number.strip(),
        title=title.strip(),
        proposers=proposers,
        assigned_on=assigned_on,
        clock_start=assigned_on,
        urgent=urgent,
        hard=hard,
        handler_role=handler_role,
        lead_unit=lead_unit,
        department=department,
        drafter=drafter,
        department_head=department_head,
        created_by=actor,
    )
    _apply_due(proposal, selectors.compute_due(proposal, selectors.holiday_schedule()))
    if drafter is not None:
        _transition(proposal, Action.START)
    proposal.full_clean(validate_constraints=False)  # the database checks them; a clash is answered on "number"
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        if "replies_proposal_unique_number" not in str(exc):
            raise
        raise ValidationError({"number": _("该会议已登记此编号的建议提案")}) from None
    _audit(actor, proposal, f"登记 {proposal}")
    return proposal


@transaction.atomic(durable=True)
def proposals_import(*, actor, rows) -> dict:
    """Accept a validated list: one bulk write; numbers already registered are left as they are, so
    the same file accepted twice changes nothing the second time. (The page goes through
    ``services.proposals_import_accept``, which reads the rows its import kept in the database.)"""
    return _proposals_write(actor=actor, rows=rows)


def _proposals_write(*, actor, rows) -> dict:
    """The bulk write, inside the caller's transaction."""
    from replies.rules.intake import IntakeRow

    rows = [r for r in rows if isinstance(r, IntakeRow)]
    keys = {(r.kind, r.session, r.number) for r in rows}
    existing = set(Proposal.objects.filter(number__in={k[2] for k in keys}).values_list("kind", "session", "number"))
    schedule = selectors.holiday_schedule()
    new, seen = [], set(existing)
    for r in rows:
        if r.key in seen:  # registered already, or repeated in the file (the first row wins)
            continue
        seen.add(r.key)
        p = Proposal(
            kind=r.kind,
            session=r.session,
            number=r.number,
            title=r.title,
            proposers=list(r.proposers),
            assigned_on=r.assigned_on,
            clock_start=r.assigned_on,
            urgent=r.urgent,
            hard=r.hard,
            created_by=actor,
        )
        _apply_due(p, selectors.compute_due(p, schedule))
        new.append(p)
    Proposal.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    # count what was really written: a row another import registered meanwhile was skipped by the conflict
    numbers = {k[2] for k in keys}
    now_there = set(Proposal.objects.filter(number__in=numbers).values_list("kind", "session", "number")) & keys
    created = len(now_there) - len(existing & keys)
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=Proposal,
        summary=f"导入交办清单：新增 {created} 件，已存在 {len(rows) - created} 件",
    )
    return {"created": created, "existing": len(rows) - created}


@transaction.atomic(durable=True)
def proposal_assign(*, actor, proposal_id: int, department: str, drafter, department_head=None) -> Proposal:
    _check_handlers(drafter, department_head)
    proposal = _lock(proposal_id)
    if proposal.status == Status.REGISTERED:
        _transition(proposal, Action.START)
    elif not proposal.is_open:
        raise ValidationError({"status": _("已办结或已退回的件不能再交办")})
    proposal.department, proposal.drafter, proposal.department_head = department, drafter, department_head
    proposal.save()
    _audit(actor, proposal, f"交办 {proposal.get_department_display()} {drafter}")
    return proposal


@transaction.atomic(durable=True)
def proposal_return(*, actor, proposal_id: int, reason: str) -> Proposal:
    if not reason.strip():
        raise ValidationError({"reason": _("请说明退回理由")})
    proposal = _lock(proposal_id)
    _transition(proposal, Action.RETURN)
    proposal.closed_on = timezone.localdate()
    proposal.save()
    _audit(actor, proposal, f"退回：{reason[:200]}")
    return proposal


@transaction.atomic(durable=True)
def contact_add(
    *, actor, proposal_id: int, contacted_on: date, stage: str, method: str, person: str, summary: str
) -> ContactLog:
    proposal = _lock(proposal_id)
    contact = ContactLog(
        proposal=proposal,
        contacted_on=contacted_on,
        stage=stage,
        method=method,
        person=person,
        summary=summary,
        created_by=actor,
    )
    contact.full_clean()
    contact.save()
    _audit(actor, proposal, f"沟通记录 {contacted_on}")
    return contact


@transaction.atomic(durable=True)
def opinion_add(
    *, actor, proposal_id: int, direction: str, unit: str, opinion: str, given_on: date
) -> CoHandlerOpinion:
    proposal = _lock(proposal_id)
    due = deadlines.co_handler_opinion_due(proposal.assigned_on, schedule=selectors.holiday_schedule())
    row = CoHandlerOpinion(
        proposal=proposal,
        direction=direction,
        unit=unit,
        opinion=opinion,
        given_on=given_on,
        due_on=due.on,
        created_by=actor,
    )
    row.full_clean()
    row.save()
    _audit(actor, proposal, f"协办意见 {unit}")
    return row
