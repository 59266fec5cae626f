"""Fund-risk warnings (the fund rules; defaults in migration 0002): thresholds are data, evaluation is pure.

Each rule says: indicator, comparison, threshold, level. An indicator raises at most one
warning: the gravest level among its rules that match. An indicator whose value is missing
(no budget, no last year, no expenditure) is not evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .execution import Execution

# Levels, mild to grave.
YELLOW = "yellow"  # 关注
ORANGE = "orange"  # 预警
RED = "red"  # 严重
LEVELS = (YELLOW, ORANGE, RED)
_GRAVITY = {level: i for i, level in enumerate(LEVELS)}

# Indicator codes.
CURRENT_DEFICIT = "current_deficit"
MONTHS_PAYABLE_LOW = "months_payable_low"
MONTHS_PAYABLE_HIGH = "months_payable_high"
EXPENDITURE_OUTPACING_INCOME = "expenditure_outpacing_income"
EXECUTION_AHEAD_OF_TIME = "execution_ahead_of_time"
INDICATORS = (
    CURRENT_DEFICIT,
    MONTHS_PAYABLE_LOW,
    MONTHS_PAYABLE_HIGH,
    EXPENDITURE_OUTPACING_INCOME,
    EXECUTION_AHEAD_OF_TIME,
)

# Comparisons.
LT, LE, GT, GE = "lt", "le", "gt", "ge"
COMPARISONS = (LT, LE, GT, GE)
_COMPARE = {
    LT: lambda v, t: v < t,
    LE: lambda v, t: v <= t,
    GT: lambda v, t: v > t,
    GE: lambda v, t: v >= t,
}


@dataclass(frozen=True)
class Rule:
    indicator: str
    comparison: str
    threshold: Decimal
    level: str

    def __post_init__(self) -> None:
        if self.indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {self.indicator!r}")
        if self.comparison not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.comparison!r}")
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}")

    def matches(self, value: Decimal) -> bool:
        return _COMPARE[self.comparison](value, self.threshold)


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(CURRENT_DEFICIT, LT, Decimal("0"), ORANGE),
    Rule(MONTHS_PAYABLE_LOW, LT, Decimal("3"), RED),
    Rule(MONTHS_PAYABLE_LOW, LT, Decimal("6"), ORANGE),
    Rule(MONTHS_PAYABLE_HIGH, GT, Decimal("15"), YELLOW),
    Rule(EXPENDITURE_OUTPACING_INCOME, GT, Decimal("5"), YELLOW),
    Rule(EXPENDITURE_OUTPACING_INCOME, GT, Decimal("15"), ORANGE),
    Rule(EXECUTION_AHEAD_OF_TIME, GT, Decimal("10"), YELLOW),
    Rule(EXECUTION_AHEAD_OF_TIME, GT, Decimal("20"), ORANGE),
)


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the domain's word
    indicator: str
    value: Decimal
    level: str
    comparison: str
    threshold: Decimal


def indicator_values(ex: Execution) -> dict[str, Decimal | None]:
    """The value of every indicator for one execution (None: not evaluated)."""
    return {
        CURRENT_DEFICIT: ex.current_balance,
        MONTHS_PAYABLE_LOW: ex.months_payable,
        MONTHS_PAYABLE_HIGH: ex.months_payable,
        EXPENDITURE_OUTPACING_INCOME: ex.growth_gap,
        EXECUTION_AHEAD_OF_TIME: ex.execution_gap,
    }


def evaluate(values: dict[str, Decimal | None], rules: Iterable[Rule] = DEFAULT_RULES) -> list[Warning]:
    """Warnings for indicator values under the given rules, in the order of INDICATORS."""
    by_indicator: dict[str, list[Rule]] = {}
    for rule in rules:
        by_indicator.setdefault(rule.indicator, []).append(rule)
    out = []
    for indicator in INDICATORS:
        value = values.get(indicator)
        if value is None:
            continue
        matched = [r for r in by_indicator.get(indicator, ()) if r.matches(value)]
        if not matched:
            continue
        worst = max(matched, key=lambda r: _GRAVITY[r.level])
        out.append(Warning(indicator, value, worst.level, worst.comparison, worst.threshold))
    return out


def warnings_for(ex: Execution, rules: Iterable[Rule] = DEFAULT_RULES) -> list[Warning]:
    return evaluate(indicator_values(ex), rules)
