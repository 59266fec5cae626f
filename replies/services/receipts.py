"""The proposer's receipt: closing the case, or a second round of handling."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from replies import selectors
from replies.models import (
    Receipt,
    Status,
)
from replies.rules.status import receipt_outcome
from replies.services._common import (
    _apply_due,
    _audit,
    _lock,
)


@transaction.atomic(durable=True)
def receipt_record(*, actor, proposal_id: int, opinion: str, received_on: date, reasons: str = "") -> Receipt:
    proposal = _lock(proposal_id)
    if opinion not in Receipt.Opinion.values:
        raise ValidationError({"opinion": _("取值无效")})
    if opinion == Receipt.Opinion.UNSATISFIED and not reasons.strip():
        raise ValidationError({"reasons": _("不满意时须填写具体理由")})
    if proposal.status != Status.REPLIED:
        raise ValidationError({"status": _("答复送达后才能登记回执")})
    if received_on < proposal.replied_on:
        raise ValidationError(
            {"received_on": _("收到日期不能早于答复送达日期 %(day)s") % {"day": proposal.replied_on.isoformat()}}
        )
    receipt = Receipt.objects.create(
        proposal=proposal,
        round=proposal.round,
        opinion=opinion,
        reasons=reasons,
        received_on=received_on,
        recorded_by=actor,
    )
    outcome = receipt_outcome(opinion, round_=proposal.round)
    proposal.status = outcome.status
    if outcome.second_round:
        proposal.round = 2
        proposal.clock_start = received_on
        proposal.replied_on = None
        proposal.overdue = False
        _apply_due(proposal, selectors.compute_due(proposal, selectors.holiday_schedule()))
    else:
        proposal.closed_on = received_on
    proposal.save()
    _audit(actor, proposal, f"回执：{receipt.get_opinion_display()}")
    return receipt
