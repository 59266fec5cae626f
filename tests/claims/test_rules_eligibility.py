"""The eligibility table: one person's records, one date, the answer and its reason (pure, no database)."""

from datetime import date

import pytest

from claims.rules.eligibility import (
    Category,
    CoverYear,
    DiseaseRegistration,
    Period,
    Records,
    RemoteFiling,
    eligibility,
)

BORN = date(1960, 5, 1)
ON_TIME = CoverYear(2025, "tier2", "on_time", date(2024, 11, 3), date(2025, 1, 1))
LATE = CoverYear(2025, "tier1", "late", date(2025, 2, 11), date(2025, 5, 11))


def _text(result):
    return " / ".join(m.render() for m in result.reasons)


@pytest.mark.parametrize(
    ("records", "on", "insured", "scheme", "tier", "waiting_until", "reason"),
    [
        # on time: covered from 1 January
        (Records(BORN, years=(ON_TIME,)), date(2025, 1, 1), True, "resident", 2, None, "在参保期内"),
        # late payment: before paying, not insured; after paying, waiting until the day before cover
        (Records(BORN, years=(LATE,)), date(2025, 2, 10), False, "resident", 1, None, "尚未缴费"),
        (
            Records(BORN, years=(LATE,)),
            date(2025, 2, 11),
            False,
            "resident",
            1,
            date(2025, 5, 10),
            "等待期至 2025年5月10日",
        ),
        (
            Records(BORN, years=(LATE,)),
            date(2025, 4, 1),
            False,
            "resident",
            1,
            date(2025, 5, 10),
            "2025年4月1日 在待遇等待期内",
        ),
        (Records(BORN, years=(LATE,)), date(2025, 5, 11), True, "resident", 1, None, "待遇自 2025年5月11日 起"),
        # a year with a status and no payment (employee insurance): from 1 January
        (
            Records(BORN, years=(CoverYear(2025, "employee"),)),
            date(2025, 3, 1),
            True,
            "employee",
            1,
            None,
            "在参保期内",
        ),
        # not insured, insured elsewhere, no record at all
        (Records(BORN, years=(CoverYear(2025, "none"),)), date(2025, 3, 1), False, "", None, None, "2025 年度未参保"),
        (Records(BORN, years=(CoverYear(2025, "elsewhere"),)), date(2025, 3, 1), False, "", None, None, "外地参保"),
        (Records(BORN), date(2025, 3, 1), False, "", None, None, "2025 年度未参保"),
        # a lapse: insured in 2024, not in 2025
        (
            Records(BORN, years=(CoverYear(2024, "tier1"), CoverYear(2025, "none"))),
            date(2025, 3, 1),
            False,
            "",
            None,
            None,
            "未参保",
        ),
        # death ends cover
        (
            Records(BORN, deceased_on=date(2025, 3, 1), years=(ON_TIME,)),
            date(2025, 3, 2),
            False,
            "",
            None,
            None,
            "已死亡",
        ),
        (
            Records(BORN, deceased_on=date(2025, 3, 1), years=(ON_TIME,)),
            date(2025, 3, 1),
            True,
            "resident",
            2,
            None,
            "在参保期内",
        ),
        # stopped cover (停保), and resumed
        (
            Records(BORN, years=(ON_TIME,), stops=(Period(date(2025, 3, 1), date(2025, 6, 30)),)),
            date(2025, 3, 1),
            False,
            "resident",
            2,
            None,
            "已停保",
        ),
        (
            Records(BORN, years=(ON_TIME,), stops=(Period(date(2025, 3, 1), date(2025, 6, 30)),)),
            date(2025, 7, 1),
            True,
            "resident",
            2,
            None,
            "在参保期内",
        ),
    ],
)
def test_the_eligibility_table(records, on, insured, scheme, tier, waiting_until, reason):
    result = eligibility(records, on)
    assert (result.insured, result.scheme, result.tier, result.waiting_until) == (insured, scheme, tier, waiting_until)
    assert reason in _text(result)


NEWBORN = date(2025, 3, 20)


@pytest.mark.parametrize(
    ("year", "on", "insured", "reason"),
    [
        # enrolled within six months (paid 2025-08-01): covered from birth, also for a visit before paying
        (
            CoverYear(2025, "tier1", "newborn", date(2025, 8, 1), NEWBORN),
            date(2025, 3, 20),
            True,
            "待遇自 2025年3月20日 起",
        ),
        (CoverYear(2025, "tier1", "newborn", date(2025, 8, 1), NEWBORN), date(2025, 3, 19), False, "尚未出生"),
        # beyond six months and in the next year: three months after payment
        (
            CoverYear(2026, "tier1", "newborn_late", date(2026, 1, 15), date(2026, 4, 15)),
            date(2026, 2, 1),
            False,
            "等待期至 2026年4月14日",
        ),
        (
            CoverYear(2026, "tier1", "newborn_late", date(2026, 1, 15), date(2026, 4, 15)),
            date(2026, 4, 15),
            True,
            "在参保期内",
        ),
    ],
)
def test_newborns_within_and_beyond_six_months(year, on, insured, reason):
    result = eligibility(Records(NEWBORN, years=(year,)), on)
    assert result.insured is insured
    assert reason in _text(result)


def test_continuous_years_count_back_from_the_date_year():
    years = tuple(CoverYear(y, "tier1") for y in (2019, 2021, 2022, 2023, 2024)) + (ON_TIME,)
    assert eligibility(Records(BORN, years=years), date(2025, 6, 1)).continuous_years == 5
    # employee years count too; a year outside breaks the run
    mixed = (CoverYear(2023, "elsewhere"), CoverYear(2024, "employee"), ON_TIME)
    assert eligibility(Records(BORN, years=mixed), date(2025, 6, 1)).continuous_years == 2
    assert eligibility(Records(BORN, years=(CoverYear(2025, "none"),)), date(2025, 6, 1)).continuous_years == 0


def test_registers_count_when_their_period_holds_the_date():
    records = Records(
        BORN,
        years=(ON_TIME,),
        categories=(
            Category("jiandang", "rural_revitalisation", Period(date(2024, 1, 1))),
            Category("dibao", "civil_affairs", Period(date(2024, 1, 1), date(2025, 3, 31))),
        ),
        diseases=(
            DiseaseRegistration("糖尿病", "chronic", Period(date(2025, 1, 1), date(2026, 12, 31))),
            DiseaseRegistration("恶性肿瘤", "special", Period(date(2025, 7, 1))),
        ),
        filings=(RemoteFiling("living", Period(date(2025, 2, 1), date(2025, 12, 31))),),
    )
    march = eligibility(records, date(2025, 3, 1))
    assert march.categories == ("dibao", "jiandang") and march.poor
    assert march.registered("糖尿病") and not march.registered("恶性肿瘤") and not march.registered("")
    assert march.filings == ("living",) and march.remote_filed
    august = eligibility(records, date(2025, 8, 1))
    assert august.categories == ("jiandang",)
    assert august.diseases == ("恶性肿瘤", "糖尿病")
    january = eligibility(records, date(2025, 1, 15))
    assert not january.remote_filed


# --- the engine's visit from the registry ---------------------------------------------------------

from dataclasses import replace  # noqa: E402
from decimal import Decimal  # noqa: E402

from claims.rules import Visit  # noqa: E402
from claims.rules.eligibility import entitled_visit  # noqa: E402

VISIT = Visit("v1", "p1", date(2025, 4, 1), "inpatient", 2, Decimal("5000"), tier=1, continuous_years=9, poor=True)


def test_the_registry_overrides_the_declared_values_and_says_which_differ():
    e = eligibility(Records(BORN, years=(CoverYear(2024, "tier2"), ON_TIME)), date(2025, 4, 1))
    visit, findings = entitled_visit(VISIT, e)
    assert (visit.tier, visit.continuous_years, visit.poor, visit.not_entitled) == (2, 2, False, None)
    assert {f.field for f in findings} == {"tier", "continuous_years", "poor"}
    assert "缴费档次：文件为 1，参保库为 2" in [f.message.render() for f in findings]
    same, none = entitled_visit(visit, e)
    assert none == () and same == visit


def test_a_visit_in_the_waiting_period_is_not_entitled_with_the_reason():
    e = eligibility(Records(BORN, years=(LATE,)), date(2025, 4, 1))
    visit, _ = entitled_visit(VISIT, e)
    assert "等待期至 2025年5月10日" in visit.not_entitled.render()


def test_an_unregistered_disease_is_a_finding_and_no_chronic_ratio():
    registered = Records(
        BORN, years=(ON_TIME,), diseases=(DiseaseRegistration("糖尿病", "chronic", Period(date(2025, 1, 1))),)
    )
    e = eligibility(registered, date(2025, 4, 1))
    chronic = Visit("v2", "p1", date(2025, 4, 1), "outpatient_chronic", 1, Decimal("300"), disease="高血压")
    visit, findings = entitled_visit(chronic, e)
    assert visit.not_entitled is not None and "高血压 未在本人慢特病备案中" in visit.not_entitled.render()
    assert [f.field for f in findings if f.field == "disease"] == ["disease"]
    ok, findings = entitled_visit(
        Visit("v3", "p1", date(2025, 4, 1), "outpatient_chronic", 1, Decimal("300"), disease="糖尿病"), e
    )
    assert ok.not_entitled is None and ok.disease == "糖尿病"
    assert "disease" not in {f.field for f in findings}
    # on an inpatient visit the unregistered disease is dropped: paid as an ordinary admission
    inpatient, _ = entitled_visit(
        Visit("v4", "p1", date(2025, 4, 1), "inpatient", 2, Decimal("300"), disease="高血压"), e
    )
    assert inpatient.not_entitled is None and inpatient.disease == ""


def test_the_engine_pays_nothing_for_a_visit_not_entitled():
    from pathlib import Path

    import yaml

    from claims.rules import parse_policy, settle

    policy = parse_policy(yaml.safe_load(Path("fixtures/policies/guanxian-2018.yaml").read_text(encoding="utf-8")))
    e = eligibility(Records(BORN, years=(LATE,)), date(2025, 4, 1))
    visit, _ = entitled_visit(VISIT, e)
    (result,) = settle(policy, [visit])
    assert (result.covered, result.fund_paid, result.personal_paid) == (False, Decimal("0.00"), Decimal("5000.00"))
    texts = [m.render() for m in result.steps]
    assert texts[0] == "不予支付：就诊日无医保待遇" and "等待期至 2025年5月10日" in texts[1]


def test_care_away_from_home_pays_the_filed_or_the_unfiled_ratio():
    from claims.rules import parse_policy, settle

    policy = parse_policy(
        {
            "code": "remote-test",
            "name": "异地就医测试",
            "scheme": "resident",
            "year": 2025,
            "benefits": {
                "inpatient": {
                    "name": "住院",
                    "deductible": {"type": "none"},
                    "ratio": [
                        {"when": {"place": ["out_of_province"], "filed": False}, "value": 0.4},
                        {"when": {"place": ["out_of_province"]}, "value": 0.6},
                        {"when": {"level": [4]}, "value": 0.7},
                        {"value": 0.8},
                    ],
                }
            },
        }
    )
    base = Visit("v", "p", date(2025, 4, 1), "inpatient", 4, Decimal("1000"))
    provincial = settle(policy, [base])[0]
    unfiled = settle(policy, [replace(base, place="out_of_province")])[0]
    filed = settle(policy, [replace(base, place="out_of_province", filed=True)])[0]
    assert (provincial.fund_paid, unfiled.fund_paid, filed.fund_paid) == (
        Decimal("700.00"),
        Decimal("400.00"),
        Decimal("600.00"),
    )
    assert "异地就医：省外，未备案" in [m.render() for m in unfiled.steps]
    # the filing comes from the registry, not from the file
    records = Records(
        BORN, years=(ON_TIME,), filings=(RemoteFiling("living", Period(date(2025, 1, 1), date(2025, 12, 31))),)
    )
    visit, _ = entitled_visit(replace(base, place="out_of_province"), eligibility(records, date(2025, 4, 1)))
    assert visit.filed is True
    visit, _ = entitled_visit(
        replace(base, place="out_of_province", filed=True),
        eligibility(Records(BORN, years=(ON_TIME,)), date(2025, 4, 1)),
    )
    assert visit.filed is False


def test_a_policy_names_a_bad_place_or_filed_value():
    from claims.rules import PolicyError, parse_policy

    doc = {
        "code": "bad",
        "name": "坏",
        "scheme": "resident",
        "year": 2025,
        "benefits": {
            "inpatient": {
                "name": "住院",
                "deductible": {"type": "none"},
                "ratio": [{"when": {"place": ["moon"], "filed": "yes"}, "value": 0.5}],
            }
        },
    }
    with pytest.raises(PolicyError) as exc:
        parse_policy(doc)
    text = " ".join(exc.value.render())
    assert "ratio[0].when.place" in text and "ratio[0].when.filed" in text


def test_the_visits_file_takes_place_and_filed():
    from claims.rules import VisitsError, parse_visits_csv

    head = "visit_id,person_id,date,kind,hospital_level,in_scope_cost,essential_drug_cost,disease,third_party,group,employment,continuous_years,place,filed\n"
    (v,) = parse_visits_csv(head + "a,p,2025-04-01,inpatient,4,100,0,,0,resident,,0,out_of_province,1\n")
    assert (v.place, v.filed) == ("out_of_province", True)
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv(head + "a,p,2025-04-01,inpatient,4,100,0,,0,resident,,0,mars,x\n")
    assert {c for _line, c, _m in exc.value.errors} == {"place", "filed"}
