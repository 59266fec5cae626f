"""Small Decimal helpers shared by the rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Round half-up to two decimals (the precision every figure is shown and compared at)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """`part / whole` as a percentage, two decimals; None when the whole is missing or zero."""
    if whole is None or whole == 0:
        return None
    return q2(Decimal(part) * HUNDRED / Decimal(whole))


def growth(current: Decimal, previous: Decimal | None) -> Decimal | None:
    """Growth of `current` over `previous` in percent; None without a (non-zero) previous figure."""
    if previous is None or previous == 0:
        return None
    return q2((Decimal(current) - Decimal(previous)) * HUNDRED / Decimal(previous))
