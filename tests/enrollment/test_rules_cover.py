from datetime import date
from decimal import Decimal

import pytest

from enrollment.rules.cover import CampaignTerms, PaymentFacts, Tier, add_months, check_payment_amount, decide_cover

TERMS = CampaignTerms(2025, date(2024, 9, 1), date(2024, 12, 31))
TIER1 = Tier("tier1", Decimal("1070"), Decimal("670"), Decimal("400"))
TIER1_LTC = Tier("tier1", Decimal("1070"), Decimal("670"), Decimal("400"), ltc_premium=Decimal("30"))
ADULT = date(1980, 5, 5)


@pytest.mark.parametrize(
    "paid_on, born, parent_local, subsidised, kind, amount, start",
    [
        # on time: personal part, cover from 1 January
        (date(2024, 10, 8), ADULT, False, False, "on_time", "400", date(2025, 1, 1)),
        (date(2024, 12, 31), ADULT, False, False, "on_time", "400", date(2025, 1, 1)),
        (date(2024, 8, 20), ADULT, False, False, "on_time", "400", date(2025, 1, 1)),
        (date(2024, 10, 8), ADULT, False, True, "subsidised", "0", date(2025, 1, 1)),
        # late: full standard, 3-month waiting period
        (date(2025, 1, 1), ADULT, False, False, "late", "1070", date(2025, 4, 1)),
        (date(2025, 3, 15), ADULT, False, False, "late", "1070", date(2025, 6, 15)),
        (date(2025, 8, 31), ADULT, False, False, "late", "1070", date(2025, 11, 30)),  # clamps end-of-month
        (date(2025, 3, 15), ADULT, False, True, "late", "670", date(2025, 6, 15)),
        # newborns
        (date(2025, 4, 10), date(2025, 3, 1), True, False, "newborn", "0", date(2025, 3, 1)),
        (date(2025, 12, 30), date(2025, 3, 1), True, False, "newborn", "0", date(2025, 3, 1)),
        (date(2025, 4, 10), date(2025, 3, 1), False, False, "newborn", "400", date(2025, 3, 1)),
        # born after the collection period closed, enrolled within 6 months: cover from 1 January
        (date(2025, 6, 30), date(2025, 1, 1), False, False, "newborn", "400", date(2025, 1, 1)),
        # birth year 2025, enrolled in 2026 within 6 months (for the 2025 year): from birth
        (date(2026, 1, 20), date(2025, 9, 1), True, False, "newborn", "0", date(2025, 9, 1)),
    ],
)
def test_cover_table(paid_on, born, parent_local, subsidised, kind, amount, start):
    d = decide_cover(TERMS, TIER1, PaymentFacts(paid_on, born, parent_local, subsidised))
    assert (d.kind, d.amount_due, d.cover_start) == (kind, Decimal(amount), start)
    assert d.cover_end == date(2025, 12, 31)


def test_late_payment_after_year_gives_no_cover():
    d = decide_cover(TERMS, TIER1, PaymentFacts(date(2025, 10, 15), ADULT))
    assert d.kind == "late" and d.cover_start is None


def test_newborn_outside_grace_waits_three_months():
    # born 2024-12-31 after... collection ends 2024-12-31, so born on the last day is not after it;
    # use a campaign whose collection closed earlier
    terms = CampaignTerms(2025, date(2024, 9, 1), date(2024, 11, 30))
    d = decide_cover(terms, TIER1, PaymentFacts(date(2025, 7, 10), date(2024, 12, 5), True))
    assert d.kind == "newborn_late"
    assert d.cover_start == date(2025, 10, 10)
    assert d.amount_due == Decimal("1070")  # born 2024: no free birth year in 2025, paid late


def test_born_after_year_has_no_cover():
    d = decide_cover(TERMS, TIER1, PaymentFacts(date(2026, 1, 3), date(2026, 1, 2), True))
    assert d.cover_start is None


def test_ltc_is_separate_line_and_amount_check():
    d = decide_cover(TERMS, TIER1_LTC, PaymentFacts(date(2024, 10, 1), ADULT))
    assert (d.amount_due, d.ltc_due) == (Decimal("400"), Decimal("30"))
    assert check_payment_amount(d, Decimal("430")) is None
    assert check_payment_amount(d, Decimal("400")) == "short"
    assert check_payment_amount(d, Decimal("431")) == "over"


def test_tier_must_add_up():
    with pytest.raises(ValueError):
        Tier("bad", Decimal("1070"), Decimal("670"), Decimal("380"))


@pytest.mark.parametrize(
    "d, n, expected",
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 10, 1), 3, date(2026, 1, 1)),
    ],
)
def test_add_months(d, n, expected):
    assert add_months(d, n) == expected
