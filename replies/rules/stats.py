"""Rates of the statistics page and API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rate(part: int, whole: int) -> Decimal | None:
    """Percentage with one decimal, None when there is nothing to rate."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
