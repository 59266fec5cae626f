"""Policy versions: store a policy document as a new version, load the shipped files."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from claims.models import Policy, PolicyVersion
from claims.policies import digest, normalise, read_policy_file, shipped_codes
from claims.rules import PolicyError, parse_policy
from claims.services._common import user_or_none
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log


def _policy_version_write(*, actor, document: dict, note: str = "") -> tuple[PolicyVersion, bool]:
    parsed = parse_policy(document)  # raises PolicyError naming the keys
    doc = normalise(document)
    doc_digest = digest(doc)
    policy, created = Policy.objects.select_for_update().get_or_create(
        code=parsed.code,
        defaults={"name": parsed.name, "scheme": parsed.scheme, "year": parsed.year, "partial": parsed.partial},
    )
    if not created:
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
    current = policy.versions.order_by("-number").first()
    if current is not None and current.digest == doc_digest:
        return current, False
    Policy.objects.filter(pk=policy.pk).update(
        name=parsed.name, scheme=parsed.scheme, year=parsed.year, partial=parsed.partial
    )
    version = PolicyVersion.objects.create(
        policy=policy,
        number=(current.number + 1) if current else 1,
        document=doc,
        digest=doc_digest,
        note=note[:200],
        created_by=user_or_none(actor),
    )
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=version,
        summary=_("报销政策 %(code)s 新版本 v%(n)s：%(note)s")
        % {"code": policy.code, "n": version.number, "note": note},
    )
    return version, True


def policy_version_create(*, actor, document: dict, note: str = "") -> tuple[PolicyVersion, bool]:
    """Store a policy document as a new version (validated like the schema). The same document as
    the current version changes nothing and returns (current, False)."""
    with transaction.atomic(durable=True):
        return _policy_version_write(actor=actor, document=document, note=note)


def policies_load_files(*, actor=None, codes: list[str] | None = None) -> dict:
    """Load the shipped policy files (all, or ``codes``); unchanged files make no new version."""
    result = {"created": [], "unchanged": [], "errors": {}}
    for code in codes or shipped_codes():
        try:
            version, created = policy_version_create(
                actor=actor, document=read_policy_file(code), note=_("从政策文件 %(code)s.yaml 载入") % {"code": code}
            )
        except PolicyError as exc:
            result["errors"][code] = exc.render(_)
            continue
        (result["created"] if created else result["unchanged"]).append(f"{code} v{version.number}")
    return result
