"""Contribution amount and cover start for one resident payment (late payment 补缴, newborns).

- Paid within the collection period: the personal amount; cover from 1 January of the contribution year.
- Late payment (after the collection period): the full standard (personal part + government subsidy);
  cover starts 3 months after payment (待遇等待期).
- Newborns: with a parent insured locally, a newborn pays nothing in its birth year. Enrolled in the
  birth year or within 6 months of birth, cover starts from birth; otherwise 3 months after payment.
- Subsidised groups (资助参保): the government pays the personal part; the resident pays nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WAITING_MONTHS = 3
NEWBORN_GRACE_MONTHS = 6


def add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


@dataclass(frozen=True)
class Tier:
    code: str
    standard: Decimal  # 筹资标准 per person per year
    subsidy: Decimal  # fiscal subsidy per person
    personal: Decimal  # personal contribution
    ltc_premium: Decimal = Decimal("0")  # long-term care premium collected together, a separate line

    def __post_init__(self):
        if self.standard != self.subsidy + self.personal:
            raise ValueError(f"tier {self.code}: standard must equal subsidy + personal")


@dataclass(frozen=True)
class CampaignTerms:
    year: int
    collection_start: date
    collection_end: date

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.year, 12, 31)

    def in_collection_period(self, d: date) -> bool:
        return self.collection_start <= d <= self.collection_end


@dataclass(frozen=True)
class PaymentFacts:
    paid_on: date
    birth_date: date
    parent_insured_locally: bool = False
    subsidised: bool = False


@dataclass(frozen=True)
class CoverDecision:
    kind: str  # on_time | late | newborn | newborn_late | subsidised
    amount_due: Decimal  # what the resident must pay (contribution part)
    ltc_due: Decimal  # long-term-care line
    cover_start: date | None  # None: no cover in this contribution year
    cover_end: date


def decide_cover(terms: CampaignTerms, tier: Tier, facts: PaymentFacts) -> CoverDecision:
    year_start, year_end = terms.year_start, terms.year_end

    def clamp(start: date) -> date | None:
        start = max(start, year_start)
        return start if start <= year_end else None

    born = facts.birth_date
    if born > year_end:
        return CoverDecision("newborn", Decimal("0"), Decimal("0"), None, year_end)
    if born.year == terms.year or born > terms.collection_end:
        free = facts.parent_insured_locally and born.year == terms.year
        within = facts.paid_on.year == born.year or facts.paid_on <= add_months(born, NEWBORN_GRACE_MONTHS)
        if within:
            amount = Decimal("0") if (free or facts.subsidised) else tier.personal
            return CoverDecision("newborn", amount, tier.ltc_premium, clamp(born), year_end)
        late = facts.paid_on > terms.collection_end
        if free:
            amount = Decimal("0")
        elif late:
            amount = tier.subsidy if facts.subsidised else tier.standard
        else:
            amount = Decimal("0") if facts.subsidised else tier.personal
        start = add_months(facts.paid_on, WAITING_MONTHS)
        return CoverDecision("newborn_late", amount, tier.ltc_premium, clamp(start), year_end)
    if facts.paid_on <= terms.collection_end:
        # On time (an early payment before the period opens counts as on time).
        if facts.subsidised:
            return CoverDecision("subsidised", Decimal("0"), tier.ltc_premium, year_start, year_end)
        return CoverDecision("on_time", tier.personal, tier.ltc_premium, year_start, year_end)
    # Late: the full standard. For a subsidised person the government still pays the personal part,
    # so what is left to the resident is the fiscal-subsidy part.
    amount = tier.subsidy if facts.subsidised else tier.standard
    start = add_months(facts.paid_on, WAITING_MONTHS)
    return CoverDecision("late", amount, tier.ltc_premium, clamp(start), year_end)


def check_payment_amount(decision: CoverDecision, paid: Decimal) -> str | None:
    """None when the payment covers the amount due; otherwise a code: short | over."""
    due = decision.amount_due + decision.ltc_due
    if paid < due:
        return "short"
    if paid > due:
        return "over"
    return None
