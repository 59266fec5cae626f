"""Properties of the audit rules over random settlements: hits are unique per (rule, settlement, key),
amounts are never negative nor above what was billed, and the result does not depend on the order
in which visits arrive."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.rules.audit import Line, ResultType, RuleKind, RuleSpec, Visit, run_rules

CODES = [
    "110200001",
    "311100001",
    "311503001",
    "250101001",
    "250101002",
    "250101003",
    "331301001",
    "120400001",
    "340200001",
    "210100001",
]
SPECS = [
    RuleSpec("D", RuleKind.DOUBLE_CHARGING, {"contains": [["331301001", "120400001"]], "once_per_day": ["110200001"]}),
    RuleSpec(
        "S",
        RuleKind.SPLIT_CHARGING,
        {"packages": [{"code": "P", "price": "30", "components": ["250101001", "250101002", "250101003"]}]},
    ),
    RuleSpec("X", RuleKind.SEX_RESTRICTED, {"items": {"3111*": "M"}}),
    RuleSpec("A", RuleKind.AGE_RESTRICTED, {"items": {"311503*": {"max": 17}}}),
    RuleSpec("Q", RuleKind.QUANTITY_LIMIT, {"items": {"340200*": {"per_day": "2", "per_stay": "5"}}}),
    RuleSpec("B", RuleKind.INPATIENT_DAYS, {"bed_items": ["1102*"]}),
    RuleSpec("T", RuleKind.TWO_INSTITUTIONS_SAME_DAY, {}),
    RuleSpec("F", RuleKind.SPLIT_ADMISSION, {"within_days": 15}),
    RuleSpec("O", RuleKind.SHORT_ADMISSION, {"max_days": 2, "routine_items": ["1102*", "2*"]}, ResultType.DEFINITE),
]
START = date(2024, 5, 1)


@st.composite
def visits(draw):
    out, lid = [], 0
    for vid in range(1, draw(st.integers(1, 12)) + 1):
        inpatient = draw(st.booleans())
        day = START + timedelta(days=draw(st.integers(0, 6)))
        admitted = day - timedelta(days=draw(st.integers(0, 5))) if inpatient else None
        lines = []
        for _ in range(draw(st.integers(0, 8))):
            lid += 1
            q = Decimal(draw(st.integers(1, 4)))
            p = Decimal(draw(st.integers(1, 500)))
            charged = START + timedelta(days=draw(st.integers(-2, 8)))
            lines.append(Line(lid, draw(st.sampled_from(CODES)), "x", "a", q, p, q * p, charged))
        out.append(
            Visit(
                vid,
                draw(st.sampled_from(["P1", "P2", "P3"])),
                draw(st.sampled_from(["M", "F", ""])),
                date(draw(st.integers(1950, 2020)), 6, 15),
                draw(st.integers(1, 3)),
                draw(st.sampled_from(["medical", "pharmacy"])),
                "inpatient" if inpatient else "outpatient_general",
                day,
                admitted,
                day if inpatient else None,
                tuple(lines),
            )
        )
    return out


@settings(max_examples=400, deadline=None)
@given(visits())
def test_hits_unique_bounded_and_order_free(vs):
    hits = run_rules(vs, SPECS)
    keys = [(h.rule_code, h.settlement_id, h.key) for h in hits]
    assert len(keys) == len(set(keys))
    billed = {v.id: sum((ln.amount for ln in v.lines), Decimal(0)) for v in vs}
    for h in hits:
        assert h.amount >= 0
        assert h.amount <= billed[h.settlement_id]
    again = run_rules(list(reversed(vs)), SPECS)
    assert sorted((h.rule_code, h.settlement_id, h.key, h.amount) for h in again) == sorted(
        (h.rule_code, h.settlement_id, h.key, h.amount) for h in hits
    )
