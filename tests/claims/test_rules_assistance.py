"""Medical assistance, the third layer of the one bill (pure, no database): each category, caps reached
across visits, the floor, a person who changes category mid-year, and the invariants of the bill."""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.rules import PolicyError, Visit, parse_policy, settle
from tests.claims.claims_rules_helpers import load_policy

BASE = load_policy("guanxian-2018")  # inpatient level 2: deductible 500, 70% → 8,000 gives fund 5,250


def _doc(**assistance):
    from pathlib import Path

    import yaml

    doc = yaml.safe_load(Path("fixtures/policies/guanxian-2018.yaml").read_text(encoding="utf-8"))
    doc["medical_assistance"] = assistance
    return doc


ASSISTANCE = {
    "name": "医疗救助",
    "lines": [
        {
            "code": "tekun",
            "name": "特困人员",
            "categories": ["tekun"],
            "deductible": 0,
            "ratio": {"inpatient": 0.8, "outpatient_chronic": 0.7},
            "cap": 3000,
            "cap_kinds": ["inpatient"],
        },
        {
            "code": "dibao",
            "name": "低保对象",
            "categories": ["dibao", "relapse_risk"],
            "deductible": 1000,
            "ratio": {"inpatient": 0.7},
            "cap": 5000,
        },
    ],
    "floor": {"categories": ["jiandang"], "floor_ratio": 0.9},
}
POLICY = parse_policy(_doc(**ASSISTANCE))


def v(n, *, cats=(), kind="inpatient", cost="8000", on=None, level=2, person="P", disease=""):
    return Visit(
        f"v{n}",
        person,
        on or date(2018, 3, n),
        kind,
        level,
        Decimal(cost),
        disease=disease,
        categories=tuple(cats),
    )


def figures(r):
    return (str(r.fund_paid), str(r.critical_paid), str(r.assistance_paid), str(r.relief_paid), str(r.left_to_pay))


@pytest.mark.parametrize(
    ("visits", "expected"),
    [
        # no category: basic cover only
        ([v(1)], [("5250.00", "0.00", "0.00", "0.00", "2750.00")]),
        # 特困: (2,750 − 0) × 80% = 2,200
        ([v(1, cats=["tekun"])], [("5250.00", "0.00", "2200.00", "0.00", "550.00")]),
        # 低保: (2,750 − 1,000) × 70% = 1,225
        ([v(1, cats=["dibao"])], [("5250.00", "0.00", "1225.00", "0.00", "1525.00")]),
        # the yearly deductible is taken once: 710 of it on the first visit, 290 on the second
        # (whose basic deductible halves: fund (8,000 − 250) × 70% = 5,425; (2,575 − 290) × 70% = 1,599.50)
        (
            [v(1, cats=["dibao"], cost="1200"), v(2, cats=["dibao"])],
            [("490.00", "0.00", "0.00", "0.00", "710.00"), ("5425.00", "0.00", "1599.50", "0.00", "975.50")],
        ),
        # the 特困 cap (3,000) is reached on the second admission
        (
            [v(1, cats=["tekun"]), v(2, cats=["tekun"])],
            [("5250.00", "0.00", "2200.00", "0.00", "550.00"), ("5425.00", "0.00", "800.00", "0.00", "1775.00")],
        ),
        # a kind that does not count toward the cap is not limited by it
        (
            [
                v(1, cats=["tekun"]),
                v(2, cats=["tekun"]),
                v(3, cats=["tekun"], kind="outpatient_chronic", cost="1000", level=1, disease="肝硬化"),
            ],
            [
                ("5250.00", "0.00", "2200.00", "0.00", "550.00"),
                ("5425.00", "0.00", "800.00", "0.00", "1775.00"),
                ("650.00", "0.00", "245.00", "0.00", "105.00"),
            ],
        ),
        # the floor: every layer together pays 90% of the in-scope cost
        ([v(1, cats=["jiandang"])], [("5250.00", "0.00", "0.00", "1950.00", "800.00")]),
        # assistance first, then the floor tops up what is still below 90%
        ([v(1, cats=["dibao", "jiandang"])], [("5250.00", "0.00", "1225.00", "725.00", "800.00")]),
        # a person who changes category mid-year: 低保 in March, 特困 from June; one total, the new cap
        (
            [v(1, cats=["dibao"]), v(2, cats=["tekun"], on=date(2018, 6, 1))],
            [("5250.00", "0.00", "1225.00", "0.00", "1525.00"), ("5425.00", "0.00", "1775.00", "0.00", "800.00")],
        ),
    ],
)
def test_the_assistance_table(visits, expected):
    assert [figures(r) for r in settle(POLICY, visits)] == expected


def test_the_explanation_says_how_the_assistance_was_reached():
    (r,) = settle(POLICY, [v(1, cats=["tekun"])])
    texts = [m.render() for m in r.steps]
    assert "医疗救助（特困人员）：(个人负担 2750 − 起付 0) × 80% = 2200 元" in texts
    assert texts[-1] == "各项报销后个人自付 550 元"


def test_the_file_column_poor_still_reaches_the_floor():
    (r,) = settle(POLICY, [replace(v(1), poor=True)])
    assert r.relief_paid == Decimal("1950.00")


def test_a_policy_without_assistance_settles_as_before():
    assert [figures(r) for r in settle(BASE, [v(1, cats=["tekun"])])] == [
        ("5250.00", "0.00", "0.00", "0.00", "2750.00")
    ]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"lines": [{**ASSISTANCE["lines"][0], "categories": ["kings"]}]}, "medical_assistance.lines[0].categories"),
        ({"lines": [{**ASSISTANCE["lines"][0], "ratio": {"spa": 0.5}}]}, "medical_assistance.lines[0].ratio.spa"),
        (
            {"lines": [{**ASSISTANCE["lines"][0], "ratio": {"inpatient": 1.5}}]},
            "medical_assistance.lines[0].ratio.inpatient",
        ),
        ({"lines": [ASSISTANCE["lines"][0], ASSISTANCE["lines"][0]]}, "medical_assistance.lines[1].code"),
        ({"lines": [], "floor": None}, "medical_assistance"),
        ({"floor": {"categories": ["jiandang"], "floor_ratio": 2}}, "medical_assistance.floor.floor_ratio"),
    ],
)
def test_a_bad_assistance_setting_names_its_key(change, key):
    doc = _doc(**{**ASSISTANCE, **change})
    if change.get("floor", 1) is None:
        doc["medical_assistance"].pop("floor")
    with pytest.raises(PolicyError) as exc:
        parse_policy(doc)
    assert any(path == key or path.startswith(key + "[") for path, _msg in exc.value.errors), exc.value.render()


def test_one_floor_only():
    doc = _doc(**ASSISTANCE)
    doc["poverty_relief"] = {"floor_ratio": 0.9}
    with pytest.raises(PolicyError) as exc:
        parse_policy(doc)
    assert any(path == "poverty_relief" for path, _msg in exc.value.errors)


CATS = st.lists(st.sampled_from(["tekun", "dibao", "relapse_risk", "jiandang", "low_income"]), max_size=2)


@st.composite
def visit(draw, index):
    return Visit(
        visit_id=f"v{index:04d}",
        person_id=draw(st.sampled_from(["A", "B"])),
        date=date(2018, 1, 1) + timedelta(days=draw(st.integers(0, 364))),
        kind=draw(st.sampled_from(["inpatient", "inpatient_accident", "outpatient_general", "outpatient_chronic"])),
        hospital_level=draw(st.integers(1, 3)),
        in_scope_cost=draw(st.decimals(min_value=0, max_value=300000, places=2, allow_nan=False, allow_infinity=False)),
        disease=draw(st.sampled_from(["", "糖尿病", "白血病"])),
        categories=tuple(draw(CATS)),
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(*[visit(i) for i in range(n)])))
def test_no_layer_is_negative_the_layers_add_up_and_no_cap_is_exceeded(visits):
    results = settle(POLICY, list(visits))
    counted = defaultdict(Decimal)
    for visit, r in zip(visits, results, strict=True):
        for amount in (r.fund_paid, r.critical_paid, r.assistance_paid, r.relief_paid, r.left_to_pay):
            assert amount >= 0
        assert r.fund_paid + r.critical_paid + r.assistance_paid + r.relief_paid + r.left_to_pay == visit.in_scope_cost
        if visit.kind == "inpatient" or ("tekun" not in visit.categories and visit.categories):
            counted[visit.person_id] += r.assistance_paid
    # the largest cap of any line (5,000) bounds a person's counted assistance whatever their categories
    assert all(total <= Decimal("5000") for total in counted.values())
