"""Writes to the shared institution table that the core needs (demo seeding, provisioning).
Maintenance by staff — import, edit, agreements — lives in supervision's services."""

from django.db import transaction

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.institutions.models import Institution


@transaction.atomic
def institution_ensure(
    *, actor, code: str, name: str, kind: str, type: str = "", level=None, division=None
) -> tuple[Institution, bool]:
    """Create the institution if its code is new; an existing one is left as it is."""
    institution = Institution.objects.filter(code=code).first()
    if institution is not None:
        return institution, False
    institution = Institution(code=code, name=name, kind=kind, type=type, level=level, division=division)
    institution.full_clean()
    institution.save()
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=institution,
        key=code,
        summary=f"登记定点机构 {name}",
    )
    return institution, True
