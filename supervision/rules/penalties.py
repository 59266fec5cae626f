"""Fines (罚款) and liquidated damages (违约金): which multiple the law allows, and the amount.

医疗保障基金使用监督管理条例 (国务院令第735号):
- 第三十八条: providers' violations — a fine of 1 to 2 times the loss caused to the fund;
- 第四十条: fraud — 2 to 5 times the amount obtained;
- insured persons who cheat: 2 to 5 times the amount obtained (seed 003 篇4 四、法律责任).
A liquidated damage under the service agreement (违约金) is an amount, not a multiple.
The amount is always computed here, never taken from the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Target(StrEnum):
    INSTITUTION = "institution"
    PERSON = "person"


class FineBasis(StrEnum):
    NONE = "none"  # no fine
    ART38 = "art38"  # 1–2 × loss
    ART40 = "art40"  # 2–5 × obtained (fraud)
    PERSON_FRAUD = "person_fraud"  # insured person, 2–5 × obtained
    AGREEMENT = "agreement"  # 违约金 under the service agreement: a stated amount


MULTIPLE_RANGES: dict[FineBasis, tuple[Decimal, Decimal]] = {
    FineBasis.ART38: (Decimal(1), Decimal(2)),
    FineBasis.ART40: (Decimal(2), Decimal(5)),
    FineBasis.PERSON_FRAUD: (Decimal(2), Decimal(5)),
}

ALLOWED_BASES: dict[Target, frozenset[FineBasis]] = {
    Target.INSTITUTION: frozenset({FineBasis.NONE, FineBasis.ART38, FineBasis.ART40, FineBasis.AGREEMENT}),
    Target.PERSON: frozenset({FineBasis.NONE, FineBasis.PERSON_FRAUD}),
}


class FineError(StrEnum):
    BASIS_NOT_ALLOWED = "basis_not_allowed"
    OBTAINED_REQUIRED = "obtained_required"
    MULTIPLE_REQUIRED = "multiple_required"
    MULTIPLE_OUT_OF_RANGE = "multiple_out_of_range"
    AMOUNT_REQUIRED = "amount_required"
    NEGATIVE = "negative"


@dataclass(frozen=True, slots=True)
class FineInput:
    target: Target
    basis: FineBasis
    obtained: Decimal = Decimal(0)  # the loss / the amount obtained
    multiple: Decimal | None = None
    stated_amount: Decimal | None = None  # only for 违约金


@dataclass(frozen=True, slots=True)
class FineResult:
    amount: Decimal
    error: FineError | None = None
    field: str = ""
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def multiple_range(basis: FineBasis) -> tuple[Decimal, Decimal] | None:
    return MULTIPLE_RANGES.get(FineBasis(basis))


def compute_fine(inp: FineInput) -> FineResult:
    target, basis = Target(inp.target), FineBasis(inp.basis)
    zero = Decimal("0.00")
    if basis not in ALLOWED_BASES[target]:
        return FineResult(zero, FineError.BASIS_NOT_ALLOWED, "fine_basis")
    if basis == FineBasis.NONE:
        return FineResult(zero)
    if basis == FineBasis.AGREEMENT:
        if inp.stated_amount is None:
            return FineResult(zero, FineError.AMOUNT_REQUIRED, "fine_amount")
        if inp.stated_amount < 0:
            return FineResult(zero, FineError.NEGATIVE, "fine_amount")
        return FineResult(inp.stated_amount.quantize(CENT, ROUND_HALF_UP))
    low, high = MULTIPLE_RANGES[basis]
    if inp.obtained is None or inp.obtained <= 0:
        return FineResult(zero, FineError.OBTAINED_REQUIRED, "obtained", low, high)
    if inp.multiple is None:
        return FineResult(zero, FineError.MULTIPLE_REQUIRED, "fine_multiple", low, high)
    if not (low <= inp.multiple <= high):
        return FineResult(zero, FineError.MULTIPLE_OUT_OF_RANGE, "fine_multiple", low, high)
    amount = (inp.obtained * inp.multiple).quantize(CENT, ROUND_HALF_UP)
    return FineResult(amount, None, "", low, high)
