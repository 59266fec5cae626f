"""Settlements and their line items written with COPY (the settlement import's bulk write)."""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from claims.services._common import copy_rows

SETTLEMENT_COPY_COLUMNS = (
    "id",
    "number",
    "institution_id",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "division_id",
    "scheme",
    "kind",
    "hospital_level",
    "admitted_on",
    "discharged_on",
    "settled_on",
    "essential_drug_cost",
    "disease",
    "third_party",
    "group",
    "employment",
    "continuous_years",
    "tier",
    "poor",
    "total_cost",
    "in_scope_cost",
    "deductible",
    "fund_paid",
    "critical_paid",
    "personal_paid",
    "relief_paid",
    "policy_version_id",
    "explanation",
    "import_batch_id",
    "created_at",
    "updated_at",
)
_LINE_COLUMNS = ("settlement_id", "item_code", "item_name", "category", "quantity", "price", "amount", "charged_on")


def copy_settlements(rows: list, parsed: list) -> list:
    """Write settlements and their line items with COPY (ids drawn from the table's sequence first)."""
    if not rows:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('claims_settlement', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [r[0] for r in cur.fetchall()]
    now = timezone.now().isoformat()
    settlement_rows, line_rows = [], []
    for pk, s, p in zip(ids, rows, parsed, strict=True):
        s.pk = s.id = pk
        settlement_rows.append(
            [
                pk,
                s.number,
                s.institution_id,
                s.id_number,
                s.name,
                s.sex,
                s.birth_date,
                s.division_id,
                s.scheme,
                s.kind,
                s.hospital_level,
                s.admitted_on,
                s.discharged_on,
                s.settled_on,
                s.essential_drug_cost,
                s.disease,
                s.third_party,
                s.group,
                s.employment,
                s.continuous_years,
                s.tier,
                s.poor,
                s.total_cost,
                s.in_scope_cost,
                s.deductible,
                s.fund_paid,
                s.critical_paid,
                s.personal_paid,
                s.relief_paid,
                s.policy_version_id,
                json.dumps(s.explanation, ensure_ascii=False),
                s.import_batch_id,
                now,
                now,
            ]
        )
        for item in p.lines:
            line_rows.append(
                [
                    pk,
                    item["item_code"],
                    item["item_name"],
                    item["category"],
                    item["quantity"],
                    item["price"],
                    item["amount"],
                    item["charged_on"],
                ]
            )
    copy_rows("claims_settlement", SETTLEMENT_COPY_COLUMNS, settlement_rows)
    copy_rows("claims_settlementline", _LINE_COLUMNS, line_rows)
    return rows
