"""The calculator's bridge to the one engine (claims.rules): its visits (built by
claims.visits.visit_from_settlement, like every other input of the engine), its explanations.
Nothing here computes an amount."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from claims.rules import Message, VisitResult
from claims.visits import visit_from_settlement


def render_steps(steps) -> list[str]:
    """Explanation steps (Message objects or their JSON) in the user's language."""
    out = []
    for step in steps:
        msg = step if isinstance(step, Message) else Message.from_json(step)
        out.append(msg.render(gettext))
    return out


def result_json(result: VisitResult) -> dict:
    return {
        "visit_id": result.visit_id,
        "covered": result.covered,
        "deductible": f"{result.deductible:.2f}",
        "fund_paid": f"{result.fund_paid:.2f}",
        "critical_paid": f"{result.critical_paid:.2f}",
        "personal_paid": f"{result.personal_paid:.2f}",
        "relief_paid": f"{result.relief_paid:.2f}",
        "admission_no": result.admission_no,
        "totals": dict(result.totals),
        "explanation": render_steps(result.steps),
    }


def calculate_visits(*, code: str, visits: list[dict]) -> dict:
    """Run the engine for validated visit dicts (API, calculator page). Stores nothing. An unknown
    policy code is a ValidationError on ``policy``."""
    from claims.policies import PolicyNotFound, engine_policy
    from claims.rules import settle

    try:
        policy, version = engine_policy(code)
    except PolicyNotFound as exc:
        raise ValidationError({"policy": str(exc)}) from exc
    engine_visits = [
        visit_from_settlement(
            {
                "id_number": str(v.get("id_number") or v["person_id"]),
                "settled_on": v["date"],
                "kind": v["kind"],
                "hospital_level": int(v["hospital_level"]),
                "in_scope_cost": v["in_scope_cost"],
                # the API and the calculator leave optional fields out, or empty
                "essential_drug_cost": Decimal(v.get("essential_drug_cost") or 0),
                "disease": v.get("disease") or "",
                "third_party": bool(v.get("third_party")),
                "group": v.get("group") or "resident",
                "employment": v.get("employment") or "",
                "continuous_years": int(v.get("continuous_years") or 0),
                "tier": int(v.get("tier") or 1),
                "poor": bool(v.get("poor")),
            },
            visit_id=str(v["visit_id"]),
        )
        for v in visits
    ]
    # visits that name an ID number take tier, years, scheme, 建档立卡 and the registered disease from the
    # registry (a visit outside cover or in the waiting period is not paid); the others are as given
    findings: dict[int, tuple] = {}
    asked = [i for i, v in enumerate(visits) if v.get("id_number")]
    if asked:
        from claims.selectors import entitled_visits

        for i, (visit, found) in zip(asked, entitled_visits([engine_visits[i] for i in asked]), strict=True):
            engine_visits[i] = visit
            findings[i] = found
    results = settle(policy, engine_visits)
    rows = []
    for i, r in enumerate(results):
        row = result_json(r)
        row["registry_findings"] = [f.message.render(gettext) for f in findings.get(i, ())]
        rows.append(row)
    return {
        "policy": policy.code,
        "version": version.number if version is not None else None,
        "results": rows,
    }
