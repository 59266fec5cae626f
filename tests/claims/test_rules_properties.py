"""Property tests (hypothesis) of the engine on the shipped policies."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.rules import Visit, settle
from tests.claims.claims_rules_helpers import load_policy

POLICIES = [
    load_policy(c) for c in ("guanxian-2018", "sanming-employee-outpatient-2022", "xx-district-2021", "dongtou-2024")
]
KINDS = ["inpatient", "inpatient_accident", "outpatient_general", "outpatient_chronic", "outpatient_accident"]
DISEASES = ["", "糖尿病", "白血病", "冠心病", "感冒", "肺结核", "恶性肿瘤", "高血压"]


@st.composite
def visit(draw, index):
    cost = draw(st.decimals(min_value=0, max_value=400000, places=2, allow_nan=False, allow_infinity=False))
    essential = draw(st.decimals(min_value=0, max_value=cost, places=2)) if cost > 0 else Decimal(0)
    return Visit(
        visit_id=f"v{index:04d}",
        person_id=draw(st.sampled_from(["A", "B", "C"])),
        date=date(2021, 1, 1) + timedelta(days=draw(st.integers(0, 729))),
        kind=draw(st.sampled_from(KINDS)),
        hospital_level=draw(st.integers(1, 4)),
        in_scope_cost=cost,
        essential_drug_cost=essential,
        disease=draw(st.sampled_from(DISEASES)),
        third_party=draw(st.booleans()),
        group=draw(st.sampled_from(["resident", "student"])),
        employment=draw(st.sampled_from(["", "in_service", "retired"])),
        continuous_years=draw(st.integers(0, 8)),
    )


@st.composite
def visits(draw):
    n = draw(st.integers(1, 25))
    return [draw(visit(i)) for i in range(n)]


@settings(max_examples=150, deadline=None)
@given(policy=st.sampled_from(POLICIES), vs=visits())
def test_amounts_are_sound(policy, vs):
    results = settle(policy, vs)
    assert len(results) == len(vs)
    for visit_, r in zip(vs, results, strict=True):
        assert r.visit_id == visit_.visit_id
        for amount in (r.deductible, r.fund_paid, r.critical_paid, r.personal_paid, r.relief_paid):
            assert amount >= 0
            assert amount == amount.quantize(Decimal("0.01"))
        assert r.fund_paid + r.critical_paid <= visit_.in_scope_cost
        assert r.deductible <= visit_.in_scope_cost
        assert r.personal_paid == visit_.in_scope_cost - r.fund_paid - r.critical_paid
        if not r.covered:
            assert (r.deductible, r.fund_paid, r.critical_paid) == (0, 0, 0)


@settings(max_examples=150, deadline=None)
@given(policy=st.sampled_from(POLICIES), vs=visits())
def test_no_cap_is_ever_exceeded(policy, vs):
    results = settle(policy, vs)
    used = defaultdict(Decimal)
    critical = defaultdict(Decimal)
    for visit_, r in zip(vs, results, strict=True):
        if not r.covered:
            continue
        benefit = policy.benefits[visit_.kind]
        caps = set(benefit.caps)
        for g in benefit.disease_groups:
            if visit_.disease in g.diseases:
                caps |= set(g.caps)
        for code in caps:
            used[(visit_.person_id, visit_.date.year, code)] += r.fund_paid
        critical[(visit_.person_id, visit_.date.year)] += r.critical_paid
    for (_, _, code), total in used.items():
        assert total <= policy.caps[code].amount.rows[0][1]
    if policy.critical_illness:
        for total in critical.values():
            assert total <= Decimal(300000)


@settings(max_examples=100, deadline=None)
@given(policy=st.sampled_from(POLICIES), vs=visits(), data=st.data())
def test_order_of_unrelated_visits_changes_nothing(policy, vs, data):
    shuffled = data.draw(st.permutations(vs))
    by_id = {r.visit_id: r for r in settle(policy, vs)}
    again = {r.visit_id: r for r in settle(policy, shuffled)}
    assert by_id == again


@settings(max_examples=100, deadline=None)
@given(policy=st.sampled_from(POLICIES), vs=visits())
def test_other_persons_do_not_change_a_persons_figures(policy, vs):
    alone = [x for x in vs if x.person_id == "A"]
    together = {r.visit_id: r for r in settle(policy, vs)}
    for r in settle(policy, alone):
        assert together[r.visit_id] == r


@settings(max_examples=60, deadline=None)
@given(policy=st.sampled_from(POLICIES), vs=visits())
def test_explanations_do_not_change_figures(policy, vs):
    def figures(results):
        return [(r.deductible, r.fund_paid, r.critical_paid, r.personal_paid, r.relief_paid) for r in results]

    assert figures(settle(policy, vs)) == figures(settle(policy, vs, explain=False))
