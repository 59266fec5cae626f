"""Who may see which supervision rows, and the one way a page gets a single row.

- Supervision staff (and the bureau-wide roles that may use the supervision area: leaders,
  director, admin) see the whole district.
- Institution staff (Role.INSTITUTION) see only their own institution's flags, cases and
  self-inspections — the same 404 for another institution's row as for a missing one.
- The whistle-blower's identity: the head of supervision only.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from medinsure.accounts import scoping
from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area


def is_institution_user(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.INSTITUTION
        and user.institution_id
    )


def is_staff(user) -> bool:
    """Bureau-side supervision work: everything but institution staff."""
    return scoping.has_area(user, Area.SUPERVISION) and user.role != Role.INSTITUTION


def is_head(user) -> bool:
    return is_staff(user) and user.role == Role.SUPERVISION_HEAD


def may_read_stats(user) -> bool:
    return is_staff(user) or (getattr(user, "is_authenticated", False) and user.role in scoping.STATS_ROLES)


def institution_q(user, field: str = "institution") -> Q:
    """The filter for rows that belong to an institution."""
    if is_staff(user):
        return Q()
    if is_institution_user(user):
        return Q(**{f"{field}_id": user.institution_id})
    return Q(pk__in=[])


def require_staff(user) -> None:
    if not is_staff(user):
        raise PermissionDenied


def require_area(user) -> None:
    if not (is_staff(user) or is_institution_user(user)):
        raise PermissionDenied


def _one(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_case_by_id(user, case_id):
    from supervision.models import Case

    return _one(Case.objects.filter(institution_q(user)).select_related("institution"), case_id)


def access_flag_by_id(user, flag_id):
    from supervision.models import Flag

    return _one(
        Flag.objects.filter(institution_q(user)).select_related("rule", "institution", "case"),
        flag_id,
    )


def access_report_by_id(user, report_id):
    from supervision.models import Report

    if not is_staff(user):
        raise Http404
    return _one(Report.objects.select_related("institution"), report_id)


def access_institution_by_id(user, institution_id):
    from medinsure.institutions.models import Institution

    if is_staff(user):
        qs = Institution.objects.all()
    elif is_institution_user(user):
        qs = Institution.objects.filter(pk=user.institution_id)
    else:
        raise Http404
    return _one(qs.select_related("division"), institution_id)


def access_evidence_by_id(user, evidence_id):
    from supervision.models import Evidence

    if not is_staff(user):  # evidence is for supervision staff only, never institution staff
        raise Http404
    return _one(Evidence.objects.select_related("case"), evidence_id)


def access_rule_by_id(user, rule_id):
    from supervision.models import AuditRule

    if not is_staff(user):
        raise Http404
    return _one(AuditRule.objects.all(), rule_id)
