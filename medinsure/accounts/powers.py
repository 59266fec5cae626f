"""Powers that take two people (four eyes): who may approve what another person started.

A money-moving or identity-revealing action is started by one user and approved by a *different* user
whose role is in the action's approver set. Services call :func:`check_second_person` inside their
transaction, before they change anything:

- a role that may never approve the action → ``PermissionDenied`` (the role may not do this at all);
- the starter approving their own work → ``ValidationError({"approved_by": …})`` (this person, not now).

The table is the one place that says who approves; ``docs/SECURITY.md`` lists it for a security officer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import Role


class Power:
    """Names of the four-eyes actions (``"<app>.<action>"``)."""

    RECALCULATION_APPROVE = "claims.recalculation_approve"
    SETTLEMENT_IMPORT_APPROVE = "claims.settlement_import_approve"
    REPORTER_REVEAL = "supervision.reporter_reveal"


APPROVERS: dict[str, frozenset[str]] = {
    # a year of payments rewritten under a new policy version: the bureau's leadership approves
    Power.RECALCULATION_APPROVE: frozenset({Role.DIRECTOR, Role.LEADER}),
    # a settlement file that changes amounts already paid
    Power.SETTLEMENT_IMPORT_APPROVE: frozenset({Role.DIRECTOR, Role.LEADER}),
    # a whistle-blower's identity: the head of fund supervision, with a recorded reason
    Power.REPORTER_REVEAL: frozenset({Role.SUPERVISION_HEAD}),
}


def may_approve(user, power: str) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role in APPROVERS.get(power, ())
    )


def check_second_person(*, power: str, actor, starter_id: int | None) -> None:
    """Refuse unless ``actor`` may approve ``power`` and is not the person who started it."""
    if not may_approve(actor, power):
        raise PermissionDenied(_("您的角色不能审批此操作"))
    if starter_id is not None and actor.pk == starter_id:
        raise ValidationError({"approved_by": _("发起人不能审批自己发起的操作，须由另一名有审批权限的人员审批")})
