"""Private helpers shared by the services modules: locks, the status step, the audit row, due dates."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from replies.documents import chinese
from replies.models import (
    LetterVersion,
    Proposal,
)
from replies.rules.calendar import ComputedDate
from replies.rules.status import TransitionError, next_status


@chinese
def _issuing_office() -> str:
    return getattr(settings, "REPLIES_ISSUING_OFFICE", "") or _("区医疗保障局")


def _audit(actor, obj, summary: str, verb=AuditLog.Action.CHANGE) -> None:
    audit_log(actor=actor, verb=verb, obj=obj, summary=summary)


def _lock(proposal_id: int) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal_id)


def _lock_version(version_id: int) -> LetterVersion:
    version = LetterVersion.objects.select_for_update().select_related("letter__proposal").get(pk=version_id)
    return version


def _check_draft(version: LetterVersion) -> None:
    if version.locked:
        raise ValidationError({"version": _("答复函已审签，不能修改；如需修改请生成新版本")})


def _transition(proposal: Proposal, action: str) -> None:
    try:
        proposal.status = next_status(proposal.status, action)
    except TransitionError:
        raise ValidationError(
            {"status": _("当前状态“%(status)s”不能进行此操作") % {"status": proposal.get_status_display()}}
        ) from None


def _apply_due(proposal: Proposal, due: ComputedDate) -> None:
    proposal.due_on = due.on
    proposal.due_provisional = due.provisional
    proposal.provisional_years = list(due.provisional_years)


def _check_handlers(drafter, department_head) -> None:
    """Reminders go to the drafter and the head: both must be able to open the case."""
    from medinsure.accounts.scoping import Area, has_area

    for name, person in (("drafter", drafter), ("department_head", department_head)):
        if person is not None and not has_area(person, Area.REPLIES):
            raise ValidationError({name: _("此人无权使用建议提案办理，收不到提醒")})
