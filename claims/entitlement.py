"""Asking entitlement (待遇资格查询): who may ask, what the answer shows, and its audit rows.

The page (``claims:eligibility``) and the API (``POST /api/v1/claims/eligibility/``) both call
:func:`ask`: numbers go in the request body, never in a URL; the answer shows the number masked for a
role that may not see numbers, no birth date and no name; every person found gets one audit row.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from claims import selectors
from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area, has_area
from medinsure.audit.models import AuditLog
from medinsure.masking import shown_id_number

MAX_PERSONS = 1000


def may_ask(user) -> bool:
    """Claims staff, and an institution's staff for the patients at their desk."""
    return has_area(user, Area.CLAIMS) or (
        user is not None and user.is_authenticated and user.is_active and user.role == Role.INSTITUTION
    )


def ask(*, viewer, id_numbers: list[str], on: date) -> list[dict]:
    answers = selectors.eligibility_many(id_numbers, on=on)
    rows, found = [], []
    for number in id_numbers:
        resident_id, e = answers[number]
        if resident_id is not None:
            found.append(resident_id)
        rows.append(
            {
                "id_number": shown_id_number(viewer, number),
                "on": e.on,
                "in_registry": resident_id is not None,
                "insured": e.insured,
                "scheme": e.scheme,
                "tier": e.tier,
                "cover_start": e.cover_start,
                "waiting_until": e.waiting_until,
                "stopped": e.stopped,
                "continuous_years": e.continuous_years,
                "categories": list(e.categories),
                "diseases": list(e.diseases),
                "remote_filings": list(e.filings),
                "reasons": [m.render(_) for m in e.reasons],
            }
        )
    _audit(viewer, sorted(set(found)), on)
    return rows


def _audit(viewer, resident_ids: list[int], on: date) -> None:
    """One row per person read (bulk: a desk may ask for a thousand at once)."""
    from medinsure.audit.services import current_request

    ctx = current_request.get()
    summary = _("查询待遇资格（%(on)s）") % {"on": on.isoformat()}
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=viewer,
                username=viewer.get_username()[:150],
                action=AuditLog.Action.VIEW,
                object_type="enrollment.resident",
                object_id=str(pk),
                summary=summary,
                ip=ctx.ip if ctx else None,
                path=ctx.path if ctx else "",
            )
            for pk in resident_ids
        ]
    )
