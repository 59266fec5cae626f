"""The yearly self-inspection (自查自纠): rounds, institutions filing, the deadline check, the bureau's
findings."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.figures_cache import bump_on_commit
from supervision import access
from supervision.models import Agreement, AgreementStatus, SelfInspection, SelfInspectionRound
from supervision.rules import inspection as rules
from supervision.selectors import FIGURES, self_inspection_previous_failures

from ._common import _durable


def self_inspection_round_create(*, actor, year: int, deadline: date, title: str = ""):
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
            verb=AuditLog.Action.CHANGE,
            obj=r,
            summary=f"{year} deadline {deadline}",
        )
    return r


def self_inspection_file(
    *, actor, round_id: int, summary: str, institution_id: int | None = None, filed_on: date | None = None
):
    """An institution files its written self-inspection report (staff may record a paper one)."""
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
            verb=AuditLog.Action.CHANGE,
            obj=si,
            summary=f"filed {filed_on}",
        )
    return si


def self_inspection_check_deadlines(*, as_of: date) -> dict:
    """After each round's deadline: every institution with an agreement that filed nothing (or filed
    late) is marked failing, with the follow-up the rules give (warning, suspension, cancellation).
    Safe to run every day: a decided row is not decided again."""
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


def self_inspection_record_findings(*, actor, self_inspection_id: int, findings: str, as_of: date | None = None):
    """What the bureau's check found in a filed report; the follow-up is decided again by the rules."""
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
                previous_failures=self_inspection_previous_failures(si.institution_id, si.round.year),
            )
        )
        si.findings, si.outcome, si.follow_up = findings, decision.outcome.value, decision.follow_up.value
        si.decided_at = timezone.now()
        si.save(update_fields=["findings", "outcome", "follow_up", "decided_at"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=si,
            summary=f"findings {findings} -> {si.follow_up}",
        )
    return si
