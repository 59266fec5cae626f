"""Helpers for the pure engine tests: load a shipped policy file and build visits tersely."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from claims.rules import Visit, parse_policy, settle

POLICY_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "policies"


def policy_doc(code: str) -> dict:
    with open(POLICY_DIR / f"{code}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_policy(code: str, **changes):
    doc = copy.deepcopy(policy_doc(code))
    doc.update(changes)
    return parse_policy(doc)


def v(visit_id, kind, level, cost, *, on="2018-03-01", person="P1", **kw) -> Visit:
    return Visit(
        visit_id=str(visit_id),
        person_id=person,
        date=date.fromisoformat(on),
        kind=kind,
        hospital_level=level,
        in_scope_cost=Decimal(str(cost)),
        essential_drug_cost=Decimal(str(kw.pop("essential", 0))),
        **kw,
    )


def figures(policy, visits):
    """(deductible, fund, critical, personal) per visit as strings, in input order."""
    return [
        (str(r.deductible), str(r.fund_paid), str(r.critical_paid), str(r.personal_paid))
        for r in settle(policy, visits)
    ]
