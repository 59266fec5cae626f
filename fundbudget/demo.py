"""Demo budgets and statements for the demo district: 2023 month by month, 2024 January to April,
April 2024 being seed 004's figures (Dongtou, end of April 2024); and the resident fund's 2018 half
year of seed 003 篇8 with its budget. Idempotent: a second run changes nothing."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model

from medinsure.accounts.models import Role

from . import services
from .models import Fund, MonthlyStatement

D = Decimal
# Cumulative share of a year's income/expenditure at the end of each month (a mild seasonal shape).
SHARES = [
    D(x) for x in ("0.075", "0.155", "0.24", "0.325", "0.41", "0.495", "0.58", "0.665", "0.75", "0.835", "0.915", "1")
]

# fund: (April 2024 income_ytd, expenditure_ytd, accumulated_balance) — seed 004 for the two medical funds,
#       (April 2023 income_ytd, expenditure_ytd)
FIGURES = {
    Fund.EMPLOYEE: ((D("74915100"), D("51730500"), D("581000000")), (D("71000000"), D("49500000"))),
    Fund.RESIDENT: ((D("45548100"), D("63866100"), D("51872000")), (D("43000000"), D("59500000"))),
    Fund.LTC: ((D("3200000"), D("2100000"), D("15000000")), (D("3000000"), D("1900000"))),
}

BUDGETS_2024 = {
    Fund.EMPLOYEE: (
        {"personal": "38000000", "employer": "180000000", "interest": "2000000"},
        {
            "inpatient_township": "8000000",
            "inpatient_county": "60000000",
            "inpatient_municipal": "30000000",
            "inpatient_provincial": "25000000",
            "general_outpatient": "20000000",
            "chronic_outpatient": "10000000",
            "special_disease": "5000000",
            "critical_illness_premium": "6000000",
            "other_expenditure": "1000000",
        },
    ),
    Fund.RESIDENT: (
        {
            "personal": "40000000",
            "central_subsidy": "55000000",
            "provincial_subsidy": "25000000",
            "municipal_subsidy": "10000000",
            "county_subsidy": "8000000",
            "interest": "500000",
        },
        {
            "inpatient_township": "15000000",
            "inpatient_county": "70000000",
            "inpatient_municipal": "25000000",
            "inpatient_provincial": "30000000",
            "general_outpatient": "18000000",
            "chronic_outpatient": "12000000",
            "special_disease": "6000000",
            "critical_illness_premium": "7000000",
            "other_expenditure": "1000000",
        },
    ),
    Fund.LTC: ({"personal": "4500000", "municipal_subsidy": "5000000"}, {"other_expenditure": "7000000"}),
}


# Seed 003 篇8: a county's resident fund in 2018 — 324,805 insured at 700 yuan (central 356, provincial
# 115.6, county 18.4, personal 210 of which 60 buys critical-illness cover): 22,736.35 万元 raised,
# 20,787.52 万元 available; 14,547.48 万元 spent in the first half (69.98 %), forecast 139.96 %.
SEED_003_BUDGET = (
    {
        "central_subsidy": "115630580",
        "provincial_subsidy": "37547458",
        "county_subsidy": "5976412",
        "personal": "68209050",
    },
    {
        "inpatient_township": "26700000",
        "inpatient_county": "103500000",
        "inpatient_municipal": "14100000",
        "inpatient_provincial": "39900000",
        "general_outpatient": "15600000",
        "chronic_outpatient": "8075200",
        "critical_illness_premium": "19488300",
    },
)
SEED_003_STATEMENTS = [
    # 2017 first half: 8,691.87 万元 spent (seed); the other figures are the demo's own.
    {
        "fund": Fund.RESIDENT,
        "year": 2017,
        "month": 6,
        "income_ytd": D("150000000"),
        "expenditure_ytd": D("86918700"),
        "accumulated_balance": D("120000000"),
    },
    {
        "fund": Fund.RESIDENT,
        "year": 2017,
        "month": 12,
        "income_ytd": D("215000000"),
        "expenditure_ytd": D("180000000"),
        "accumulated_balance": D("96000000"),
    },
    {
        "fund": Fund.RESIDENT,
        "year": 2018,
        "month": 6,
        "income_ytd": D("160000000"),
        "expenditure_ytd": D("145474800"),
        "accumulated_balance": D("60000000"),
    },
]


def _yuan(x: Decimal) -> Decimal:
    return x.quantize(D("1"), rounding=ROUND_HALF_UP)


def statements() -> list[dict]:
    """Every demo statement as plain figures (also used by the tests)."""
    rows = []
    for fund, ((inc24, exp24, acc24), (inc23_apr, exp23_apr)) in FIGURES.items():
        acc_dec23 = acc24 - (inc24 - exp24)
        inc23, exp23 = inc23_apr / SHARES[3], exp23_apr / SHARES[3]
        acc_dec22 = acc_dec23 - (_yuan(inc23) - _yuan(exp23))
        for m in range(1, 13):
            i, e = _yuan(inc23 * SHARES[m - 1]), _yuan(exp23 * SHARES[m - 1])
            rows.append(
                {
                    "fund": fund,
                    "year": 2023,
                    "month": m,
                    "income_ytd": i,
                    "expenditure_ytd": e,
                    "accumulated_balance": acc_dec22 + i - e,
                }
            )
        for m in range(1, 5):
            if m == 4:
                i, e = inc24, exp24
            else:
                i, e = _yuan(inc24 * SHARES[m - 1] / SHARES[3]), _yuan(exp24 * SHARES[m - 1] / SHARES[3])
            rows.append(
                {
                    "fund": fund,
                    "year": 2024,
                    "month": m,
                    "income_ytd": i,
                    "expenditure_ytd": e,
                    "accumulated_balance": acc_dec23 + i - e,
                }
            )
    return rows


def load(*, stdout=None) -> None:
    actor = get_user_model().objects.filter(role=Role.FUND, is_active=True).order_by("pk").first()
    if actor is None:
        raise RuntimeError("the demo fund-department user is missing: run the core demo first")
    services.warning_rules_ensure_defaults()
    for fund, (income, expenditure) in BUDGETS_2024.items():
        services.budget_save(
            actor=actor,
            fund=fund,
            year=2024,
            income=income,
            expenditure=expenditure,
            note="市级下达2024年基金收支计划（演示）",
        )
    services.budget_save(
        actor=actor,
        fund=Fund.RESIDENT,
        year=2018,
        income=SEED_003_BUDGET[0],
        expenditure=SEED_003_BUDGET[1],
        note="种子003篇8：2018年城乡居民医保基金（演示）",
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in statements() + SEED_003_STATEMENTS:
        out = services.statement_save(actor=actor, source=MonthlyStatement.Source.DEMO, **row)
        counts[out.outcome] += 1
    # Evaluate now so the demo shows its warnings without waiting for a worker (the queued tasks
    # find nothing left to change).
    for pk in MonthlyStatement.objects.filter(year__in=(2017, 2018, 2023, 2024)).values_list("pk", flat=True):
        services.warnings_evaluate(statement_id=pk)
    if stdout:
        stdout.write(f"基金预算：报表新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}")
