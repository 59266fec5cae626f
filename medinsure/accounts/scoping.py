"""Who may see what: the one place that turns a user into an area filter.

Every selector applies :func:`division_q` (or :func:`division_code_q`); nothing else decides scope
and no request parameter turns it off. A row with no division is visible to bureau-wide roles only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import Role


class Area(models.TextChoices):
    ENROLLMENT = "enrollment", _("全民参保")
    CLAIMS = "claims", _("待遇保障")
    SUPERVISION = "supervision", _("基金监管")
    FUNDBUDGET = "fundbudget", _("基金预算")
    REPLIES = "replies", _("建议提案办理")
    HANDLING = "handling", _("经办服务")
    AUDIT = "audit", _("审计日志")
    ADMIN = "admin", _("系统管理")


BUSINESS_AREAS = frozenset(
    {Area.ENROLLMENT, Area.CLAIMS, Area.SUPERVISION, Area.FUNDBUDGET, Area.REPLIES, Area.HANDLING}
)

AREAS_BY_ROLE: dict[str, frozenset] = {
    Role.ADMIN: BUSINESS_AREAS | {Area.AUDIT, Area.ADMIN},
    Role.LEADER: BUSINESS_AREAS,
    Role.DIRECTOR: BUSINESS_AREAS,
    Role.ENROLLMENT: frozenset({Area.ENROLLMENT, Area.HANDLING}),
    Role.CLAIMS: frozenset({Area.CLAIMS, Area.HANDLING}),
    Role.SUPERVISION: frozenset({Area.SUPERVISION}),
    Role.SUPERVISION_HEAD: frozenset({Area.SUPERVISION}),
    Role.FUND: frozenset({Area.FUNDBUDGET}),
    Role.OFFICE: frozenset({Area.REPLIES}),
    Role.TOWNSHIP: frozenset({Area.ENROLLMENT, Area.HANDLING}),
    Role.VILLAGE: frozenset({Area.ENROLLMENT, Area.HANDLING}),
    Role.INSTITUTION: frozenset({Area.SUPERVISION}),
    Role.API_CLIENT: frozenset(),
}

# Roles whose area is the whole district (their division, if any, is ignored).
BUREAU_WIDE_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.LEADER,
        Role.DIRECTOR,
        Role.ENROLLMENT,
        Role.CLAIMS,
        Role.SUPERVISION,
        Role.SUPERVISION_HEAD,
        Role.FUND,
        Role.OFFICE,
        Role.API_CLIENT,
    }
)
# Roles that read every statistic of the district (pages and REST).
STATS_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.DIRECTOR, Role.API_CLIENT})
# Roles that see ID and phone numbers unmasked.
PERSONAL_NUMBER_ROLES = frozenset({Role.ENROLLMENT, Role.CLAIMS, Role.SUPERVISION, Role.SUPERVISION_HEAD})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_area(user, area: str) -> bool:
    return _active(user) and area in AREAS_BY_ROLE.get(user.role, frozenset())


def can_read_stats(user, area: str) -> bool:
    return has_area(user, area) or (_active(user) and user.role in STATS_ROLES)


def can_quote_figures(user, area: str) -> bool:
    """District aggregate figures (no personal data) for reply letters: readers of the area's
    statistics, and the bureau's reply drafters (the replies area, bureau-wide)."""
    return can_read_stats(user, area) or (has_area(user, Area.REPLIES) and is_bureau_wide(user))


def is_bureau_wide(user) -> bool:
    return _active(user) and user.role in BUREAU_WIDE_ROLES


def scope_prefix(user) -> str | None:
    """The division-code prefix a user is limited to; None for bureau-wide roles."""
    if is_bureau_wide(user):
        return None
    if _active(user) and user.role in (Role.TOWNSHIP, Role.VILLAGE) and user.division_id:
        return user.division.scope_prefix
    return ""  # sees nothing by area


def division_code_q(user, field: str) -> models.Q:
    """Filter on a column that holds a division code."""
    prefix = scope_prefix(user)
    if prefix is None:
        return models.Q()
    if not prefix:
        return models.Q(pk__in=[])
    return models.Q(**{f"{field}__startswith": prefix})


def division_q(user, field: str = "division") -> models.Q:
    """Filter on a foreign key to regions.Division."""
    return division_code_q(user, f"{field}__code")


def may_see_personal_numbers(user) -> bool:
    return _active(user) and user.role in PERSONAL_NUMBER_ROLES
