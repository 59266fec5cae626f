"""The policy schema: every shipped file is valid; every mistake names its key."""

import copy

import pytest

from claims.rules import PolicyError, parse_policy, policy_summary
from tests.claims.claims_rules_helpers import POLICY_DIR, policy_doc

CODES = sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))


def test_all_five_policies_ship():
    assert set(CODES) >= {
        "guanxian-2018",
        "sanming-employee-outpatient-2022",
        "xx-district-2021",
        "guangzhou-critical-illness-2015",
        "dongtou-2024",
    }


@pytest.mark.parametrize("code", CODES)
def test_shipped_policy_is_valid(code):
    policy = parse_policy(policy_doc(code))
    assert policy.code == code
    summary = policy_summary(policy)
    assert summary["code"] == code


def test_summary_figures():
    s = policy_summary(parse_policy(policy_doc("guanxian-2018")))
    assert s["benefits"]["outpatient_chronic"]["ratio"] == "0.65"
    assert s["caps"]["inpatient_group_a"]["amount"] == "120000"
    assert s["benefits"]["inpatient"]["deductible"]["nth_admission_factors"] == ["1", "0.5", "0"]
    assert s["critical_illness"]["cap"] == "300000"


def _broken(code, mutate):
    doc = copy.deepcopy(policy_doc(code))
    mutate(doc)
    with pytest.raises(PolicyError) as exc:
        parse_policy(doc)
    return exc.value.render()


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d.pop("code"), "code: 必填"),
        (lambda d: d.update(scheme="rural"), "scheme: 应为以下之一：resident, employee"),
        (lambda d: d.update(year="2018年"), "year: 应为整数"),
        (lambda d: d["benefits"]["inpatient"].pop("ratio"), "benefits.inpatient.ratio: 必填"),
        (
            lambda d: d["benefits"]["inpatient"].update(ratio={1: 0.8, 5: 0.7}),
            "benefits.inpatient.ratio.5: 医院等级应为以下之一：1, 2, 3, 4",
        ),
        (lambda d: d["benefits"]["inpatient"].update(ratio={1: 1.8}), "benefits.inpatient.ratio.1: 不能大于 1"),
        (lambda d: d["benefits"]["inpatient"].update(ratio="七成"), "benefits.inpatient.ratio: 应为数字"),
        (
            lambda d: d["benefits"]["inpatient"]["deductible"].update(amount={1: -200}),
            "benefits.inpatient.deductible.amount.1: 不能小于 0",
        ),
        (
            lambda d: d["benefits"]["inpatient"]["deductible"].update(type="monthly"),
            "benefits.inpatient.deductible.type: 应为以下之一：none, per_visit, annual",
        ),
        (lambda d: d["benefits"]["inpatient"].update(caps=["nope"]), "benefits.inpatient.caps[0]: 未定义的封顶线 nope"),
        (lambda d: d["benefits"].update(dental={"ratio": 0.5}), "benefits.dental: 未知的待遇类别"),
        (lambda d: d["benefits"]["inpatient"].update(ratoi=0.5), "benefits.inpatient.ratoi: 未知的键"),
        (
            lambda d: d["caps"]["inpatient_group_a"].update(amount="lots"),
            "caps.inpatient_group_a.amount: 应为数字",
        ),
        (
            lambda d: d["critical_illness"]["segments"][1].update({"from": 50000}),
            "critical_illness.segments[1].from: 与上一分段重叠",
        ),
        (
            lambda d: d["benefits"]["outpatient_chronic"]["disease_groups"][1]["diseases"].append("白血病"),
            "benefits.outpatient_chronic.disease_groups[1].diseases: 病种 白血病 已在 A 组中",
        ),
        (
            lambda d: d["benefits"]["inpatient"].update(levels=[1, 7]),
            "benefits.inpatient.levels[1]: 应为以下之一：1, 2, 3, 4",
        ),
    ],
)
def test_errors_name_the_key(mutate, expected):
    errors = _broken("guanxian-2018", mutate)
    assert any(e.startswith(expected) for e in errors), errors


def test_every_error_is_reported_at_once():
    def mutate(d):
        d.pop("name")
        d["benefits"]["inpatient"]["ratio"] = 2
        d["benefits"]["outpatient_general"]["caps"] = ["missing"]

    errors = _broken("guanxian-2018", mutate)
    assert len(errors) == 3


def test_not_a_mapping():
    with pytest.raises(PolicyError) as exc:
        parse_policy(["code"])
    assert exc.value.render() == ["(document): 应为键值映射"]
