"""Reminders before the due date, the overdue mark after it, and the commitments' reminders."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from replies import selectors
from replies.models import (
    Proposal,
    Reminder,
    Status,
)
from replies.rules import deadlines


@transaction.atomic(durable=True)
def reminders_run(*, as_of: date) -> dict:
    """Reminders to the drafter and the department head as the due date approaches, the overdue
    mark after it, and the commitments' reminders. Running it twice sends nothing twice."""
    cases = list(selectors.open_cases_for_reminders())
    commitments = list(selectors.open_commitments_for_reminders())
    sent = selectors.sent_levels([p.pk for p in cases] + [c.proposal_id for c in commitments])
    new: list[Reminder] = []
    overdue_ids = []
    for p in cases:
        if deadlines.is_overdue(p.due_on, as_of=as_of) and not p.overdue:
            overdue_ids.append(p.pk)
        if p.status == Status.SIGNED:
            continue  # signed and waiting to be sent: no reply reminder
        decision = deadlines.reminder_decision(
            p.due_on, as_of=as_of, sent=frozenset(sent.get((p.pk, None, p.round), ()))
        )
        if decision is None:
            continue
        message = (
            _("“%(title)s”已超过答复期限（%(due)s）")
            if decision.level == deadlines.OVERDUE
            else _("“%(title)s”距答复期限（%(due)s）还有%(days)s天")
        ) % {"title": p.title[:80], "due": p.due_on.isoformat(), "days": decision.days_left}
        for user in {u for u in (p.drafter, p.department_head) if u is not None}:
            new.append(
                Reminder(
                    proposal=p, round=p.round, level=decision.level, recipient=user, due_on=p.due_on, message=message
                )
            )
    for c in commitments:
        decision = deadlines.reminder_decision(
            c.due_on, as_of=as_of, sent=frozenset(sent.get((c.proposal_id, c.pk, 0), ()))
        )
        if decision is None:
            continue
        message = _("承诺事项“%(content)s”落实期限%(due)s") % {"content": c.content[:60], "due": c.due_on.isoformat()}
        for user in {u for u in (c.proposal.drafter, c.proposal.department_head) if u is not None}:
            new.append(
                Reminder(
                    proposal_id=c.proposal_id,
                    commitment=c,
                    round=0,
                    level=decision.level,
                    recipient=user,
                    due_on=c.due_on,
                    message=message,
                )
            )
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    if overdue_ids:
        Proposal.objects.filter(pk__in=overdue_ids).update(overdue=True)
    return {"reminders": len(new), "overdue": len(overdue_ids)}
