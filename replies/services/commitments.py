"""Commitments of a B-class reply and their progress."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from replies.models import (
    Commitment,
    CommitmentProgress,
)
from replies.services._common import (
    _audit,
    _lock,
)


@transaction.atomic(durable=True)
def commitment_add(
    *, actor, proposal_id: int, content: str, due_text: str, unit: str, due_on: date | None = None
) -> Commitment:
    proposal = _lock(proposal_id)
    number = (proposal.commitments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    c = Commitment(proposal=proposal, number=number, content=content, due_text=due_text, unit=unit, due_on=due_on)
    c.full_clean()
    c.save()
    _audit(actor, proposal, f"新增承诺事项 {number}")
    return c


@transaction.atomic(durable=True)
def commitment_progress(*, actor, commitment_id: int, on: date, note: str, done: bool = False) -> Commitment:
    c = Commitment.objects.select_for_update().get(pk=commitment_id)
    if not note.strip():
        raise ValidationError({"note": _("请填写落实进展")})
    CommitmentProgress.objects.create(commitment=c, on=on, note=note, by=actor)
    if done and c.state == Commitment.State.OPEN:
        c.state, c.done_on = Commitment.State.DONE, on
        c.save(update_fields=["state", "done_on"])
    _audit(actor, c, f"承诺事项{c.number}进展" + ("（已落实）" if done else ""))
    return c
