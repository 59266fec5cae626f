"""The bridge between stored rows and the one engine (claims.rules): build its visits, render its
explanations. Nothing here computes an amount."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext

from claims.rules import Message, Visit, VisitResult


def settlement_visit(s) -> Visit:
    """A stored settlement as the engine's visit (its date is the settlement date)."""
    return Visit(
        visit_id=f"{s.settled_on:%Y%m%d}-{s.institution_id:08d}-{s.number}",
        person_id=s.id_number,
        date=s.settled_on,
        kind=s.kind,
        hospital_level=s.hospital_level,
        in_scope_cost=s.in_scope_cost,
        essential_drug_cost=s.essential_drug_cost,
        disease=s.disease,
        third_party=s.third_party,
        group=s.group,
        employment=s.employment,
        continuous_years=s.continuous_years,
        tier=s.tier,
        poor=s.poor,
    )


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
    """Run the engine for validated visit dicts (API, calculator page). Stores nothing."""
    from claims.policies import engine_policy
    from claims.rules import settle

    policy, version = engine_policy(code)
    engine_visits = [
        Visit(
            visit_id=str(v["visit_id"]),
            person_id=str(v["person_id"]),
            date=v["date"],
            kind=v["kind"],
            hospital_level=int(v["hospital_level"]),
            in_scope_cost=v["in_scope_cost"],
            essential_drug_cost=Decimal(v.get("essential_drug_cost") or 0),
            disease=v.get("disease") or "",
            third_party=bool(v.get("third_party")),
            group=v.get("group") or "resident",
            employment=v.get("employment") or "",
            continuous_years=int(v.get("continuous_years") or 0),
            tier=int(v.get("tier") or 1),
            poor=bool(v.get("poor")),
        )
        for v in visits
    ]
    results = settle(policy, engine_visits)
    return {
        "policy": policy.code,
        "version": version.number if version is not None else None,
        "results": [result_json(r) for r in results],
    }
