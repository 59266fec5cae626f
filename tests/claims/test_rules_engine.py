"""Table-driven tests of the engine: every rule of the engine with its figures (the reading this project holds to)."""

from decimal import Decimal

import pytest

from claims.rules import parse_policy, settle
from tests.claims.claims_rules_helpers import figures, load_policy, policy_doc, v

GX = load_policy("guanxian-2018")
SM = load_policy("sanming-employee-outpatient-2022")
XX = load_policy("xx-district-2021")
DT = load_policy("dongtou-2024")

CASES = {
    # --- guanxian-2018: inpatient, deductible by level and n-th admission ---------------------
    "gx first admission level 2": (GX, [v(1, "inpatient", 2, 8000)], [("500.00", "5250.00", "0.00", "2750.00")]),
    "gx second admission halves the deductible (issue example)": (
        GX,
        [v(1, "inpatient", 2, 8000, on="2018-02-01"), v(2, "inpatient", 2, 8000, on="2018-03-01")],
        [("500.00", "5250.00", "0.00", "2750.00"), ("250.00", "5425.00", "0.00", "2575.00")],
    ),
    "gx third and later admissions pay no deductible": (
        GX,
        [v(i, "inpatient", 2, 8000, on=f"2018-0{i}-01") for i in (1, 2, 3, 4)],
        [
            ("500.00", "5250.00", "0.00", "2750.00"),
            ("250.00", "5425.00", "0.00", "2575.00"),
            ("0.00", "5600.00", "0.00", "2400.00"),
            ("0.00", "5600.00", "0.00", "2400.00"),
        ],
    ),
    "gx level 1 deductible 200, 80%": (GX, [v(1, "inpatient", 1, 1000)], [("200.00", "640.00", "0.00", "360.00")]),
    "gx level 3 deductible 900, 60%": (GX, [v(1, "inpatient", 3, 10900)], [("900.00", "6000.00", "0.00", "4900.00")]),
    "gx level 1 essential drugs at 90%": (
        GX,
        [v(1, "inpatient", 1, 1000, essential=400)],
        [("200.00", "672.00", "0.00", "328.00")],
    ),
    "gx essential-drug share only at level 1": (
        GX,
        [v(1, "inpatient", 2, 1500, essential=1000)],
        [("500.00", "700.00", "0.00", "800.00")],
    ),
    "gx deductible limited to the in-scope cost": (
        GX,
        [v(1, "inpatient", 3, 500)],
        [("500.00", "0.00", "0.00", "500.00")],
    ),
    "gx provincial level 4 not covered, not an admission": (
        GX,
        [v(1, "inpatient", 4, 8000, on="2018-02-01"), v(2, "inpatient", 2, 8000, on="2018-03-01")],
        [("0.00", "0.00", "0.00", "8000.00"), ("500.00", "5250.00", "0.00", "2750.00")],
    ),
    "gx rounding half up once": (GX, [v(1, "inpatient", 2, "1000.05")], [("500.00", "350.04", "0.00", "650.01")]),
    "gx running totals restart on 1 January": (
        GX,
        [v(1, "inpatient", 2, 8000, on="2018-12-31"), v(2, "inpatient", 2, 8000, on="2019-01-01")],
        [("500.00", "5250.00", "0.00", "2750.00"), ("500.00", "5250.00", "0.00", "2750.00")],
    ),
    "gx same day settles in visit_id order": (
        GX,
        [v("b", "inpatient", 2, 8000), v("a", "inpatient", 2, 8000)],
        [("250.00", "5425.00", "0.00", "2575.00"), ("500.00", "5250.00", "0.00", "2750.00")],
    ),
    "gx inpatient cap 120000 and critical illness on the burden": (
        GX,
        [v(1, "inpatient", 3, 300000)],
        # formula (300000-900)*60% = 179460 > cap; burden 180000 -> T = 44000 + 48000
        [("900.00", "120000.00", "92000.00", "88000.00")],
    ),
    # --- accident stays --------------------------------------------------------------------
    "gx accident stay with a liable third party is not covered nor counted": (
        GX,
        [
            v(1, "inpatient_accident", 2, 10000, on="2018-02-01", third_party=True),
            v(2, "inpatient", 2, 8000, on="2018-03-01"),
        ],
        [("0.00", "0.00", "0.00", "10000.00"), ("500.00", "5250.00", "0.00", "2750.00")],
    ),
    "gx accident and disease stays counted together": (
        GX,
        [v(1, "inpatient_accident", 2, 10000, on="2018-02-01"), v(2, "inpatient", 2, 8000, on="2018-03-01")],
        [("500.00", "4750.00", "0.00", "5250.00"), ("250.00", "5425.00", "0.00", "2575.00")],
    ),
    "gx accident cap 60000, own cap": (
        GX,
        [
            v(1, "inpatient_accident", 2, 150500, on="2018-02-01"),
            v(2, "inpatient_accident", 2, 10000, on="2018-03-01"),
            v(3, "inpatient", 2, 10000, on="2018-04-01"),
        ],
        [
            ("500.00", "60000.00", "0.00", "90500.00"),
            ("250.00", "0.00", "0.00", "10000.00"),
            ("0.00", "7000.00", "0.00", "3000.00"),
        ],
    ),
    # --- chronic outpatient ------------------------------------------------------------------
    "gx chronic: no deductible, 65%": (
        GX,
        [v(1, "outpatient_chronic", 2, 1000, disease="糖尿病")],
        [("0.00", "650.00", "0.00", "350.00")],
    ),
    "gx chronic: disease not on the list is not covered": (
        GX,
        [v(1, "outpatient_chronic", 2, 1000, disease="感冒")],
        [("0.00", "0.00", "0.00", "1000.00")],
    ),
    "gx chronic group B shares one 10000 cap": (
        GX,
        [
            v(1, "outpatient_chronic", 2, 12000, on="2018-02-01", disease="糖尿病"),
            v(2, "outpatient_chronic", 2, 5000, on="2018-03-01", disease="冠心病"),
            v(3, "outpatient_chronic", 2, 1000, on="2018-04-01", disease="冠心病"),
            v(4, "outpatient_chronic", 2, 1000, on="2018-05-01", disease="白血病"),
        ],
        [
            ("0.00", "7800.00", "0.00", "4200.00"),
            ("0.00", "2200.00", "0.00", "2800.00"),
            ("0.00", "0.00", "0.00", "1000.00"),
            ("0.00", "650.00", "0.00", "350.00"),
        ],
    ),
    "gx chronic group A shares the 120000 inpatient cap": (
        GX,
        [
            v(1, "inpatient", 2, 170500, on="2018-02-01"),
            v(2, "outpatient_chronic", 2, 10000, on="2018-03-01", disease="白血病"),
            v(3, "inpatient", 2, 1000, on="2018-04-01"),
        ],
        # stay: fund 119000, burden 51500 -> critical 0.5*(51500-12000)=19750
        # chronic A: 6500 formula, 1000 left; burden +9000 -> critical 4500
        # next stay: cap used up -> fund 0, deductible 250; burden +1000 -> critical 500
        [
            ("500.00", "119000.00", "19750.00", "31750.00"),
            ("0.00", "1000.00", "4500.00", "4500.00"),
            ("250.00", "0.00", "500.00", "500.00"),
        ],
    ),
    # --- general outpatient ----------------------------------------------------------------
    "gx general outpatient only at level 1, 50%, cap 120": (
        GX,
        [
            v(1, "outpatient_general", 2, 100, on="2018-02-01"),
            v(2, "outpatient_general", 1, 100, on="2018-03-01"),
            v(3, "outpatient_general", 1, 200, on="2018-04-01"),
            v(4, "outpatient_general", 1, 50, on="2018-05-01"),
        ],
        [
            ("0.00", "0.00", "0.00", "100.00"),
            ("0.00", "50.00", "0.00", "50.00"),
            ("0.00", "70.00", "0.00", "130.00"),
            ("0.00", "0.00", "0.00", "50.00"),
        ],
    ),
    # --- student accident outpatient -------------------------------------------------------------
    "gx student accident: only students": (
        GX,
        [v(1, "outpatient_accident", 1, 500)],
        [("0.00", "0.00", "0.00", "500.00")],
    ),
    "gx student accident: not with a liable third party": (
        GX,
        [v(1, "outpatient_accident", 1, 500, group="student", third_party=True)],
        [("0.00", "0.00", "0.00", "500.00")],
    ),
    "gx student accident: first 100 of the year is the deductible, 90%, cap 1000": (
        GX,
        [
            v(1, "outpatient_accident", 1, 60, on="2018-02-01", group="student"),
            v(2, "outpatient_accident", 2, 80, on="2018-03-01", group="student"),
            v(3, "outpatient_accident", 3, 2000, on="2018-04-01", group="student"),
            v(4, "outpatient_accident", 3, 100, on="2018-05-01", group="student"),
        ],
        [
            ("60.00", "0.00", "0.00", "60.00"),
            ("40.00", "36.00", "0.00", "44.00"),
            ("0.00", "964.00", "0.00", "1036.00"),
            ("0.00", "0.00", "0.00", "100.00"),
        ],
    ),
    # --- critical illness ------------------------------------------------------------------
    "gx critical illness above 12000 of burden at 50%": (
        GX,
        [v(1, "inpatient", 2, 50000)],
        [("500.00", "34650.00", "1675.00", "13675.00")],
    ),
    "gx critical illness runs over the year's burden": (
        GX,
        [v(1, "inpatient", 2, 50000, on="2018-02-01"), v(2, "inpatient", 3, 100000, on="2018-03-01")],
        # B 15350 -> 55620: 0.5*40270
        [("500.00", "34650.00", "1675.00", "13675.00"), ("450.00", "59730.00", "20135.00", "20135.00")],
    ),
    "gx critical illness second and third segments": (
        GX,
        [v(1, "outpatient_chronic", 2, 400000, on="2018-02-01", disease="糖尿病")],
        # fund 10000 (cap B); burden 390000: 44000 + 60000 + 0.65*190000 = 227500
        [("0.00", "10000.00", "227500.00", "162500.00")],
    ),
    "gx critical illness cap 300000": (
        GX,
        [v(1, "inpatient", 3, 1000000)],
        [("900.00", "120000.00", "300000.00", "580000.00")],
    ),
    "gx accident and general outpatient do not count for critical illness": (
        GX,
        [v(1, "inpatient_accident", 2, 100500)],
        [("500.00", "50000.00", "0.00", "50500.00")],
    ),
    # --- sanming employee outpatient -------------------------------------------------------------
    "sm yearly deductible 700 spread over visits, in service level 2 75%": (
        SM,
        [
            v(1, "outpatient_general", 2, 500, on="2022-02-01", employment="in_service"),
            v(2, "outpatient_general", 2, 500, on="2022-03-01", employment="in_service"),
            v(3, "outpatient_general", 1, 100, on="2022-04-01", employment="in_service"),
        ],
        [
            ("500.00", "0.00", "0.00", "500.00"),
            ("200.00", "225.00", "0.00", "275.00"),
            ("0.00", "85.00", "0.00", "15.00"),
        ],
    ),
    "sm retired 90% at level 1, 80% at level 2+": (
        SM,
        [
            v(1, "outpatient_general", 1, 1000, on="2022-02-01", employment="retired"),
            v(2, "outpatient_general", 4, 1000, on="2022-03-01", employment="retired"),
        ],
        [("700.00", "270.00", "0.00", "730.00"), ("0.00", "800.00", "0.00", "200.00")],
    ),
    "sm annual cap 17000": (
        SM,
        [
            v(1, "outpatient_general", 1, 20000, on="2022-02-01", employment="in_service"),
            v(2, "outpatient_general", 1, 2000, on="2022-03-01", employment="in_service"),
        ],
        [("700.00", "16405.00", "0.00", "3595.00"), ("0.00", "595.00", "0.00", "1405.00")],
    ),
    "sm no inpatient benefit": (
        SM,
        [v(1, "inpatient", 2, 1000, on="2022-02-01", employment="retired")],
        [("0.00", "0.00", "0.00", "1000.00")],
    ),
    # --- xx-district-2021 --------------------------------------------------------------------
    "xx general outpatient 55% at every level, cap 150": (
        XX,
        [v(1, "outpatient_general", 3, 100, on="2021-02-01"), v(2, "outpatient_general", 1, 200, on="2021-03-01")],
        [("0.00", "55.00", "0.00", "45.00"), ("0.00", "95.00", "0.00", "105.00")],
    ),
    "xx inpatient by level, every admission pays the full deductible": (
        XX,
        [
            v(1, "inpatient", 1, 10000, on="2021-02-01"),
            v(2, "inpatient", 2, 10000, on="2021-03-01"),
            v(3, "inpatient", 3, 10000, on="2021-04-01"),
            v(4, "inpatient", 4, 10000, on="2021-05-01"),
        ],
        [
            ("200.00", "8330.00", "0.00", "1670.00"),
            ("500.00", "7600.00", "0.00", "2400.00"),
            ("700.00", "6975.00", "0.00", "3025.00"),
            ("1000.00", "6300.00", "0.00", "3700.00"),
        ],
    ),
    "xx inpatient has no annual cap": (
        XX,
        [v(1, "inpatient", 1, 1000000, on="2021-02-01")],
        [("200.00", "849830.00", "0.00", "150170.00")],
    ),
    # --- dongtou (partial) ----------------------------------------------------------------
    "dongtou two chronic diseases at primary care 60%": (
        DT,
        [
            v(1, "outpatient_chronic", 1, 100, on="2024-02-01", disease="糖尿病"),
            v(2, "outpatient_chronic", 2, 100, on="2024-02-02", disease="高血压"),
        ],
        [("0.00", "60.00", "0.00", "40.00"), ("0.00", "0.00", "0.00", "100.00")],
    ),
    "dongtou special diseases 70/80/90% by level, tuberculosis 70%": (
        DT,
        [
            v(1, "outpatient_chronic", 3, 100, on="2024-02-01", disease="恶性肿瘤"),
            v(2, "outpatient_chronic", 2, 100, on="2024-02-02", disease="恶性肿瘤"),
            v(3, "outpatient_chronic", 1, 100, on="2024-02-03", disease="血友病"),
            v(4, "outpatient_chronic", 1, 100, on="2024-02-04", disease="肺结核"),
            v(5, "outpatient_chronic", 1, 100, on="2024-02-05", disease="冠心病"),
        ],
        [
            ("0.00", "70.00", "0.00", "30.00"),
            ("0.00", "80.00", "0.00", "20.00"),
            ("0.00", "90.00", "0.00", "10.00"),
            ("0.00", "70.00", "0.00", "30.00"),
            ("0.00", "65.00", "0.00", "35.00"),
        ],
    ),
    "dongtou tuberculosis is a primary-care chronic benefit (seed 004: 基层门诊慢病, 其中肺结核 70%)": (
        DT,
        [v(1, "outpatient_chronic", 2, 100, on="2024-03-01", disease="肺结核")],
        [("0.00", "0.00", "0.00", "100.00")],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_domain_figures(name):
    policy, visits, expected = CASES[name]
    assert figures(policy, visits) == expected


def test_issue_explanation_example():
    results = settle(GX, [v(1, "inpatient", 2, 8000, on="2018-02-01"), v(2, "inpatient", 2, 8000, on="2018-03-01")])
    text = results[1].explanation()
    assert "起付线 250 元（本年度第2次住院，减半）" in text
    assert "统筹支付 (8000−250)×70% = 5425 元" in text
    assert results[1].admission_no == 2
    assert dict(results[1].totals)["admissions"] == "2"


def test_uncovered_visit_explains_why():
    [r] = settle(GX, [v(1, "inpatient_accident", 2, 100, third_party=True)])
    assert not r.covered
    assert r.explanation() == [
        "不予支付：存在第三方责任",
        "个人负担 100 元（政策范围内费用全部自付）",
    ]


def _guangzhou(basic_cap="100000"):
    doc = policy_doc("guangzhou-critical-illness-2015")
    doc["caps"] = {"basic": {"name": "基本医保年度最高支付限额", "amount": basic_cap}}
    doc["benefits"] = {"inpatient": {"ratio": 0.8, "caps": ["basic"]}}
    return parse_policy(doc)


def test_guangzhou_threshold_18000_and_above_cap_at_70():
    gz = _guangzhou()
    visits = [v(i, "inpatient", 3, 50000, on=f"2015-0{i}-01") for i in (1, 2, 3)]
    # burden 10000, 20000 (0.5*2000), then the fund stops at the cap: 25000 of cost above the cap at
    # 70% = 17500, the rest's burden 5000 at 50% = 2500
    assert figures(gz, visits) == [
        ("0.00", "40000.00", "0.00", "10000.00"),
        ("0.00", "40000.00", "1000.00", "9000.00"),
        ("0.00", "20000.00", "20000.00", "10000.00"),
    ]


@pytest.mark.parametrize(
    "years, cap",
    [(0, "120000.00"), (1, "120000.00"), (2, "150000.00"), (4, "150000.00"), (5, "180000.00"), (12, "180000.00")],
)
def test_guangzhou_cap_grows_with_continuous_enrollment(years, cap):
    gz = _guangzhou(basic_cap="0")
    [r] = settle(gz, [v(1, "inpatient", 3, 1000000, on="2015-02-01", continuous_years=years)])
    assert str(r.critical_paid) == cap


def test_poverty_relief_tops_up_to_90_percent():
    doc = policy_doc("guanxian-2018")
    doc["poverty_relief"] = {"floor_ratio": 0.9}
    policy = parse_policy(doc)
    [poor, other] = settle(policy, [v(1, "inpatient", 2, 8000, poor=True), v(2, "inpatient", 2, 8000, person="P2")])
    assert (poor.fund_paid, poor.relief_paid, poor.personal_paid) == (
        Decimal("5250.00"),
        Decimal("1950.00"),
        Decimal("2750.00"),
    )
    assert other.relief_paid == 0


def test_tier_two_values():
    doc = policy_doc("xx-district-2021")
    doc["benefits"]["outpatient_general"]["ratio"] = [
        {"when": {"tier": 2}, "value": 0.6},
        {"value": 0.55},
    ]
    doc["caps"]["outpatient_general"]["amount"] = [{"when": {"tier": 2}, "value": 200}, {"value": 150}]
    policy = parse_policy(doc)
    r1, r2 = settle(
        policy,
        [
            v(1, "outpatient_general", 1, 1000, on="2021-02-01"),
            v(2, "outpatient_general", 1, 1000, on="2021-02-01", person="P2", tier=2),
        ],
    )
    assert (r1.fund_paid, r2.fund_paid) == (Decimal("150.00"), Decimal("200.00"))
