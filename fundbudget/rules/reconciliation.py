"""Reconciliation: the statement's expenditure against what the portal's own settlements add up to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .numbers import ZERO, percent


@dataclass(frozen=True)
class Reconciliation:
    month: int
    statement_expenditure_ytd: Decimal
    portal_expenditure_ytd: Decimal
    difference: Decimal  # statement − portal
    difference_share: Decimal | None  # difference ÷ statement, percent


def reconcile(
    *, month: int, statement_expenditure_ytd: Decimal, portal_by_month: Mapping[int, Decimal]
) -> Reconciliation:
    portal = sum((Decimal(v) for m, v in portal_by_month.items() if 1 <= m <= month), ZERO)
    diff = Decimal(statement_expenditure_ytd) - portal
    return Reconciliation(
        month=month,
        statement_expenditure_ytd=Decimal(statement_expenditure_ytd),
        portal_expenditure_ytd=portal,
        difference=diff,
        difference_share=percent(diff, statement_expenditure_ytd),
    )
