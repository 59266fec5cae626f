"""Institution agreements (医保服务协议): signing, changes outside a case, suspensions ending."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.figures_cache import bump_on_commit
from medinsure.institutions.models import Institution
from supervision.models import Agreement, AgreementAction, AgreementEvent, AgreementStatus
from supervision.rules import workflow
from supervision.selectors import FIGURES

from ._common import _durable, _user

AGREEMENT_MESSAGES = {
    workflow.AgreementError.TERMINATED: _("该机构协议已解除，不能再变更"),
    workflow.AgreementError.PERIOD_REQUIRED: _("请填写协议处理的起止日期"),
    workflow.AgreementError.PERIOD_INVALID: _("中止截止日不能早于生效日"),
    workflow.AgreementError.NOT_SUSPENDED: _("协议未处于中止状态，无需恢复"),
}


def agreement_sign(
    *, actor, institution_id: int, number: str, signed_on: date, valid_until: date | None = None
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
            verb=AuditLog.Action.CHANGE,
            obj=agreement,
            summary=f"sign {number}",
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
) -> AgreementEvent:
    """A change outside a case decision (e.g. restoring after a suspension, or the yearly review)."""
    with _durable():
        event = _apply_agreement_action(
            actor=actor, institution_id=institution_id, action=action, start=start, end=end, note=note
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=event.agreement if event else Agreement,
            summary=f"{action} {note}"[:500],
        )
    return event


def agreements_restore_expired(*, as_of: date) -> int:
    """A suspension (中止) ends by itself: agreements whose suspension ended before as_of become
    active again, with a history row. Safe to run every day."""
    restored = 0
    for agreement_id in Agreement.objects.filter(status=AgreementStatus.SUSPENDED, status_until__lt=as_of).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            bump_on_commit(FIGURES)
            agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
            if agreement.status != AgreementStatus.SUSPENDED or agreement.status_until >= as_of:
                continue
            _apply_agreement_action(
                actor=None,
                institution_id=agreement.institution_id,
                action=AgreementAction.RESTORE,
                start=agreement.status_until + timedelta(days=1),
                end=None,
                note=str(_("中止期满，自动恢复")),
            )
            audit_log(
                actor=None,
                verb=AuditLog.Action.CHANGE,
                obj=agreement,
                summary="suspension ended",
                username="system",
            )
            restored += 1
    return restored
