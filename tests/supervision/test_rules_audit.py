"""Every audit rule on line items that should and should not flag."""

from datetime import date
from decimal import Decimal as D

import pytest

from supervision.rules.audit import (
    Line,
    ParamError,
    ResultType,
    RuleKind,
    RuleSpec,
    Visit,
    age_on,
    run_rules,
    stay_days,
    validate_params,
)

DAY = date(2024, 5, 10)
_ids = iter(range(1, 10**6))


def ln(code, qty="1", price="10", day=DAY, name=""):
    q, p = D(qty), D(price)
    return Line(next(_ids), code, name or code, "A", q, p, q * p, day)


def visit(
    *lines,
    vid=1,
    person="P1",
    sex="M",
    birth=date(1980, 1, 1),
    inst=1,
    ikind="medical",
    kind="outpatient_general",
    settled=DAY,
    admitted=None,
    discharged=None,
):
    return Visit(vid, person, sex, birth, inst, ikind, kind, settled, admitted, discharged, tuple(lines))


def inpatient(*lines, admitted=date(2024, 5, 1), discharged=date(2024, 5, 5), **kw):
    return visit(*lines, kind="inpatient", admitted=admitted, discharged=discharged, settled=discharged, **kw)


def hits(kind, params, *visits):
    return run_rules(visits, [RuleSpec("R1", kind, params)])


DOUBLE = {"contains": [["SURG1", "SUTURE"]], "once_per_day": ["DIAG"]}
SPLIT = {"packages": [{"code": "PKG", "price": "300", "components": ["C1", "C2", "C3"]}]}
SEX = {"items": {"PROSTATE": "M", "GYN*": "F"}}
AGE = {"items": {"CHILD*": {"max": 17}, "ELDER": {"min": 60}}}
QTY = {"items": {"INJ": {"per_day": "2"}, "REHAB": {"per_stay": "10"}}}
DAYS = {"bed_items": ["BED*"]}
TWO = {}
SPLITADM = {"within_days": 15}
SHORT = {"max_days": 2, "routine_items": ["EXAM*", "LAB*", "BED*"], "min_routine_share": "0.9"}

CASES = [
    # (id, kind, params, visits, expected number of hits, expected total amount)
    (
        "double: contained item same day",
        RuleKind.DOUBLE_CHARGING,
        DOUBLE,
        [visit(ln("SURG1", price="1000"), ln("SUTURE", price="50"))],
        1,
        D("50"),
    ),
    (
        "double: contained item other day",
        RuleKind.DOUBLE_CHARGING,
        DOUBLE,
        [visit(ln("SURG1", price="1000"), ln("SUTURE", day=date(2024, 5, 11)))],
        0,
        D("0"),
    ),
    (
        "double: contained item other visit",
        RuleKind.DOUBLE_CHARGING,
        DOUBLE,
        [visit(ln("SURG1")), visit(ln("SUTURE"), vid=2)],
        0,
        D("0"),
    ),
    (
        "double: once-a-day item twice",
        RuleKind.DOUBLE_CHARGING,
        DOUBLE,
        [visit(ln("DIAG", price="20"), ln("DIAG", price="20"), ln("DIAG", price="20"))],
        2,
        D("40"),
    ),
    (
        "double: once-a-day item on two days",
        RuleKind.DOUBLE_CHARGING,
        DOUBLE,
        [visit(ln("DIAG"), ln("DIAG", day=date(2024, 5, 11)))],
        0,
        D("0"),
    ),
    (
        "split: three components over the package",
        RuleKind.SPLIT_CHARGING,
        SPLIT,
        [visit(ln("C1", price="150"), ln("C2", price="150"), ln("C3", price="100"))],
        1,
        D("100"),
    ),
    (
        "split: components within the package price",
        RuleKind.SPLIT_CHARGING,
        SPLIT,
        [visit(ln("C1", price="150"), ln("C2", price="100"))],
        0,
        D("0"),
    ),
    ("split: one component alone", RuleKind.SPLIT_CHARGING, SPLIT, [visit(ln("C1", price="500"))], 0, D("0")),
    (
        "split: components on different days",
        RuleKind.SPLIT_CHARGING,
        SPLIT,
        [visit(ln("C1", price="250"), ln("C2", price="250", day=date(2024, 5, 11)))],
        0,
        D("0"),
    ),
    (
        "sex: male-only item for a woman",
        RuleKind.SEX_RESTRICTED,
        SEX,
        [visit(ln("PROSTATE", price="80"), sex="F")],
        1,
        D("80"),
    ),
    (
        "sex: female prefix item for a man",
        RuleKind.SEX_RESTRICTED,
        SEX,
        [visit(ln("GYN01", price="60"), ln("GYN02", price="40"))],
        2,
        D("100"),
    ),
    (
        "sex: items for the right sex",
        RuleKind.SEX_RESTRICTED,
        SEX,
        [visit(ln("PROSTATE")), visit(ln("GYN01"), vid=2, sex="F")],
        0,
        D("0"),
    ),
    ("sex: unknown sex never flags", RuleKind.SEX_RESTRICTED, SEX, [visit(ln("PROSTATE"), sex="")], 0, D("0")),
    (
        "age: child item at 18",
        RuleKind.AGE_RESTRICTED,
        AGE,
        [visit(ln("CHILD1", price="30"), birth=date(2006, 5, 10))],
        1,
        D("30"),
    ),
    (
        "age: child item the day before 18th birthday",
        RuleKind.AGE_RESTRICTED,
        AGE,
        [visit(ln("CHILD1"), birth=date(2006, 5, 11))],
        0,
        D("0"),
    ),
    (
        "age: elder item at 59",
        RuleKind.AGE_RESTRICTED,
        AGE,
        [visit(ln("ELDER", price="25"), birth=date(1965, 1, 1))],
        1,
        D("25"),
    ),
    ("age: elder item at 60", RuleKind.AGE_RESTRICTED, AGE, [visit(ln("ELDER"), birth=date(1964, 5, 10))], 0, D("0")),
    ("age: no birth date", RuleKind.AGE_RESTRICTED, AGE, [visit(ln("CHILD1"), birth=None)], 0, D("0")),
    (
        "quantity: three injections a day, limit 2",
        RuleKind.QUANTITY_LIMIT,
        QTY,
        [visit(ln("INJ", "2", "15"), ln("INJ", "1", "15"))],
        1,
        D("15"),
    ),
    (
        "quantity: two a day on two days",
        RuleKind.QUANTITY_LIMIT,
        QTY,
        [visit(ln("INJ", "2"), ln("INJ", "2", day=date(2024, 5, 11)))],
        0,
        D("0"),
    ),
    (
        "quantity: rehab 12 in one stay, limit 10",
        RuleKind.QUANTITY_LIMIT,
        QTY,
        [inpatient(ln("REHAB", "6", "40", date(2024, 5, 2)), ln("REHAB", "6", "40", date(2024, 5, 3)))],
        1,
        D("80"),
    ),
    (
        "quantity: rehab 10 in one stay",
        RuleKind.QUANTITY_LIMIT,
        QTY,
        [inpatient(ln("REHAB", "5", day=date(2024, 5, 2)), ln("REHAB", "5", day=date(2024, 5, 3)))],
        0,
        D("0"),
    ),
    (
        "days: 6 bed days in a 4-day stay",
        RuleKind.INPATIENT_DAYS,
        DAYS,
        [inpatient(ln("BED1", "6", "50", date(2024, 5, 1)))],
        1,
        D("100"),
    ),
    (
        "days: 4 bed days in a 4-day stay",
        RuleKind.INPATIENT_DAYS,
        DAYS,
        [inpatient(ln("BED1", "4", "50", date(2024, 5, 1)))],
        0,
        D("0"),
    ),
    (
        "days: charge dated after discharge",
        RuleKind.INPATIENT_DAYS,
        DAYS,
        [inpatient(ln("DRUG", "1", "70", date(2024, 5, 7)))],
        1,
        D("70"),
    ),
    (
        "days: charges on admission and discharge days",
        RuleKind.INPATIENT_DAYS,
        DAYS,
        [inpatient(ln("DRUG", day=date(2024, 5, 1)), ln("DRUG", day=date(2024, 5, 5)))],
        0,
        D("0"),
    ),
    ("days: outpatient visits are not checked", RuleKind.INPATIENT_DAYS, DAYS, [visit(ln("BED1", "9"))], 0, D("0")),
    (
        "two: outpatient at two institutions one day",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        TWO,
        [visit(ln("X"), vid=1, inst=1), visit(ln("Y"), vid=2, inst=2)],
        2,
        D("0"),
    ),
    (
        "two: two visits at one institution",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        TWO,
        [visit(ln("X"), vid=1), visit(ln("Y"), vid=2)],
        0,
        D("0"),
    ),
    (
        "two: two people at two institutions",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        TWO,
        [visit(ln("X"), vid=1, inst=1), visit(ln("Y"), vid=2, inst=2, person="P2")],
        0,
        D("0"),
    ),
    (
        "two: outpatient elsewhere during a stay",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        TWO,
        [
            inpatient(ln("BED1", "4", day=date(2024, 5, 1)), vid=1, inst=1),
            visit(ln("X", day=date(2024, 5, 3)), vid=2, inst=2, settled=date(2024, 5, 3)),
        ],
        2,
        D("0"),
    ),
    (
        "two: outpatient elsewhere on admission day (referral)",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        TWO,
        [
            inpatient(ln("BED1", "4", day=date(2024, 5, 1)), vid=1, inst=1),
            visit(ln("X", day=date(2024, 5, 1)), vid=2, inst=2, settled=date(2024, 5, 1)),
        ],
        0,
        D("0"),
    ),
    (
        "two: pharmacy purchase the same day",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        TWO,
        [visit(ln("X"), vid=1, inst=1), visit(ln("D"), vid=2, inst=9, ikind="pharmacy")],
        0,
        D("0"),
    ),
    (
        "two: pharmacy counted when asked",
        RuleKind.TWO_INSTITUTIONS_SAME_DAY,
        {"include_pharmacies": True},
        [visit(ln("X"), vid=1, inst=1), visit(ln("D"), vid=2, inst=9, ikind="pharmacy")],
        2,
        D("0"),
    ),
    (
        "short: one-day stay of examinations only",
        RuleKind.SHORT_ADMISSION,
        SHORT,
        [
            inpatient(
                ln("EXAM1", "1", "400", date(2024, 5, 1)),
                ln("BED1", "1", "50", date(2024, 5, 1)),
                admitted=date(2024, 5, 1),
                discharged=date(2024, 5, 2),
            )
        ],
        1,
        D("450"),
    ),
    (
        "short: one-day stay with surgery",
        RuleKind.SHORT_ADMISSION,
        SHORT,
        [
            inpatient(
                ln("EXAM1", "1", "400", date(2024, 5, 1)),
                ln("SURG1", "1", "900", date(2024, 5, 1)),
                admitted=date(2024, 5, 1),
                discharged=date(2024, 5, 2),
            )
        ],
        0,
        D("0"),
    ),
    (
        "short: long stay of examinations",
        RuleKind.SHORT_ADMISSION,
        SHORT,
        [inpatient(ln("EXAM1", "1", "400"), admitted=date(2024, 5, 1), discharged=date(2024, 5, 9))],
        0,
        D("0"),
    ),
    (
        "short: outpatient visit is not an admission",
        RuleKind.SHORT_ADMISSION,
        SHORT,
        [visit(ln("EXAM1", "1", "400"))],
        0,
        D("0"),
    ),
    (
        "split admission: readmitted 3 days after discharge",
        RuleKind.SPLIT_ADMISSION,
        SPLITADM,
        [
            inpatient(ln("BED1", "4", "50", date(2024, 5, 1)), vid=1),
            inpatient(
                ln("BED1", "5", "50", date(2024, 5, 8)), vid=2, admitted=date(2024, 5, 8), discharged=date(2024, 5, 13)
            ),
        ],
        1,
        D("250"),
    ),
    (
        "split admission: readmitted after 20 days",
        RuleKind.SPLIT_ADMISSION,
        SPLITADM,
        [
            inpatient(ln("BED1", "4", "50", date(2024, 5, 1)), vid=1),
            inpatient(
                ln("BED1", "2", "50", date(2024, 5, 25)),
                vid=2,
                admitted=date(2024, 5, 25),
                discharged=date(2024, 5, 27),
            ),
        ],
        0,
        D("0"),
    ),
    (
        "split admission: readmitted to another institution",
        RuleKind.SPLIT_ADMISSION,
        SPLITADM,
        [
            inpatient(ln("BED1", "4", "50", date(2024, 5, 1)), vid=1, inst=1),
            inpatient(
                ln("BED1", "2", "50", date(2024, 5, 6)),
                vid=2,
                inst=2,
                admitted=date(2024, 5, 6),
                discharged=date(2024, 5, 8),
            ),
        ],
        0,
        D("0"),
    ),
]


@pytest.mark.parametrize("kind,params,visits,count,amount", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(kind, params, visits, count, amount):
    found = hits(kind, params, *visits)
    assert len(found) == count
    assert sum((h.amount for h in found), D(0)) == amount
    for h in found:
        assert h.rule_code == "R1" and h.result == ResultType.SUSPICIOUS


@pytest.mark.parametrize("kind,params,visits,count,amount", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_is_deterministic(kind, params, visits, count, amount):
    first = [(h.settlement_id, h.key, h.amount) for h in hits(kind, params, *visits)]
    again = [(h.settlement_id, h.key, h.amount) for h in hits(kind, params, *visits)]
    assert first == again
    assert len(set((s, k) for s, k, _ in first)) == len(first)  # (settlement, key) unique


@pytest.mark.parametrize(
    "kind,params",
    [
        (RuleKind.DOUBLE_CHARGING, {"contains": [["A"]]}),
        (RuleKind.SPLIT_CHARGING, {"packages": [{"code": "P"}]}),
        (RuleKind.SPLIT_CHARGING, {"packages": [{"code": "P", "price": "x", "components": []}]}),
        (RuleKind.SEX_RESTRICTED, {"items": {"A": "X"}}),
        (RuleKind.AGE_RESTRICTED, {"items": {"A": 5}}),
        (RuleKind.QUANTITY_LIMIT, {"items": {"A": {}}}),
        (RuleKind.QUANTITY_LIMIT, {"items": {"A": {"per_day": "lots"}}}),
        (RuleKind.SHORT_ADMISSION, {"min_routine_share": "most"}),
    ],
)
def test_bad_parameters_are_named(kind, params):
    with pytest.raises(ParamError):
        validate_params(kind, params)


def test_result_type_from_the_rule():
    found = run_rules(
        [visit(ln("PROSTATE"), sex="F")], [RuleSpec("SEX", RuleKind.SEX_RESTRICTED, SEX, ResultType.DEFINITE)]
    )
    assert found[0].result == ResultType.DEFINITE


@pytest.mark.parametrize(
    "birth,day,age",
    [
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(1990, 12, 31), date(2024, 1, 1), 33),
    ],
)
def test_age_on(birth, day, age):
    assert age_on(birth, day) == age


@pytest.mark.parametrize(
    "a,d,both,days",
    [
        (date(2024, 5, 1), date(2024, 5, 1), False, 1),
        (date(2024, 5, 1), date(2024, 5, 5), False, 4),
        (date(2024, 5, 1), date(2024, 5, 5), True, 5),
    ],
)
def test_stay_days(a, d, both, days):
    assert stay_days(a, d, count_both_ends=both) == days


def test_excess_is_priced_at_the_billed_average_never_above_the_bill():
    found = hits(
        RuleKind.QUANTITY_LIMIT, {"items": {"INJ": {"per_day": "2"}}}, visit(ln("INJ", "1", "100"), ln("INJ", "4", "1"))
    )
    # 5 units billed for 104 yuan, 3 over the limit: 3 × 20.80 = 62.40 (not 3 × 100)
    assert [h.amount for h in found] == [D("62.40")]
