"""The holiday schedule: a year entered by staff, and the open cases' due dates recomputed under it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from replies import selectors
from replies.models import (
    HolidayDay,
    HolidayYear,
    Proposal,
)
from replies.rules.status import OPEN_STATUSES
from replies.services._common import (
    _apply_due,
)


@transaction.atomic(durable=True)
def holiday_year_save(
    *, actor, year: int, holidays: list[tuple[date, str]], workdays: list[date], note: str = ""
) -> HolidayYear:
    """Enter (or replace) one year's schedule, then recompute the open cases' due dates."""
    errors = [d for d, _n in holidays if d.year != year] + [d for d in workdays if d.year != year]
    if errors:
        raise ValidationError(
            {"days": _("日期 %(day)s 不属于 %(year)s 年") % {"day": errors[0].isoformat(), "year": year}}
        )
    both = {d for d, _n in holidays} & set(workdays)
    if both:
        raise ValidationError({"days": _("日期 %(day)s 既是放假日又是调休上班日") % {"day": min(both).isoformat()}})
    hy, _created = HolidayYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": HolidayYear.Source.STAFF, "note": note, "entered_by": actor}
    )
    hy.note, hy.entered_by, hy.source = note, actor, HolidayYear.Source.STAFF
    hy.save()
    hy.days.all().delete()
    HolidayDay.objects.bulk_create(
        [HolidayDay(year=hy, day=d, kind=HolidayDay.Kind.HOLIDAY, name=n) for d, n in holidays]
        + [HolidayDay(year=hy, day=d, kind=HolidayDay.Kind.WORKDAY, name="") for d in workdays]
    )
    audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=hy, key=year, summary=f"录入{year}年放假安排")
    enqueue_on_commit("replies.due_dates_recompute")
    return hy


@transaction.atomic(durable=True)
def due_dates_recompute(*, actor=None) -> int:
    """Recompute the due dates of open cases under the current schedule. Safe to run twice."""
    schedule = selectors.holiday_schedule()
    changed = []
    for proposal in Proposal.objects.select_for_update().filter(status__in=OPEN_STATUSES):
        due = selectors.compute_due(proposal, schedule)
        if (proposal.due_on, proposal.due_provisional, list(proposal.provisional_years)) != (
            due.on,
            due.provisional,
            list(due.provisional_years),
        ):
            _apply_due(proposal, due)
            changed.append(proposal)
    Proposal.objects.bulk_update(changed, ["due_on", "due_provisional", "provisional_years"])
    if changed:
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=Proposal,
            summary=f"重算答复期限 {len(changed)} 件",
            username="system",
        )
    return len(changed)
