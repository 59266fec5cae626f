"""Every read of the fund-budget area, scoped to the user.

Fund figures are district-wide (the fund is budgeted per district, not per township): only
bureau-wide roles that may read this area's statistics see them; everyone else gets nothing.
Reports fetch everything first, then compute with the pure rules (no query per fund or month).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from medinsure.accounts.scoping import Area, can_quote_figures, can_read_stats, has_area, is_bureau_wide

from .models import (
    FUND_SCHEME,
    BudgetLine,
    ExpenditureCategory,
    Fund,
    FundBudget,
    FundWarning,
    IncomeSource,
    Indicator,
    Level,
    MonthlyStatement,
    StatementImport,
    WarningNotice,
    WarningRule,
)
from .rules.execution import (
    BudgetTotals,
    LevelFigures,
    Statement,
    average_cost_by_level,
    budget_totals,
    execution,
    monthly_amounts,
    ytd_decreases,
)
from .rules.projection import projections
from .rules.reconciliation import reconcile

ZERO = Decimal("0")
# Hospital levels of the claims contract (1–4) and their inpatient expenditure category; the
# category's label is the level's name in the seeds' words (seed 003 篇8).
LEVEL_CATEGORY = {
    1: ExpenditureCategory.INPATIENT_TOWNSHIP,
    2: ExpenditureCategory.INPATIENT_COUNTY,
    3: ExpenditureCategory.INPATIENT_MUNICIPAL,
    4: ExpenditureCategory.INPATIENT_PROVINCIAL,
}
LEVEL_LABELS = {level: category.label for level, category in LEVEL_CATEGORY.items()}


def can_read(user) -> bool:
    return can_read_stats(user, Area.FUNDBUDGET) and is_bureau_wide(user)


def can_write(user) -> bool:
    return has_area(user, Area.FUNDBUDGET) and is_bureau_wide(user)


def division_is_fund_area(code: str) -> bool:
    """The fund is pooled and budgeted per district: only a district's code names its figures."""
    from medinsure.regions.models import Division

    return Division.objects.filter(code=code, level=Division.Level.DISTRICT).exists()


# ---------------------------------------------------------------- lists


def statement_list(user, *, year: int | None = None, month: int | None = None, fund: str | None = None) -> QuerySet:
    if not can_read(user):
        return MonthlyStatement.objects.none()
    qs = MonthlyStatement.objects.select_related("updated_by")
    if year:
        qs = qs.filter(year=year)
    if month:
        qs = qs.filter(month=month)
    if fund:
        qs = qs.filter(fund=fund)
    return qs.order_by("-year", "-month", "fund")


def budget_list(user, *, year: int | None = None, fund: str | None = None) -> QuerySet:
    if not can_read(user):
        return FundBudget.objects.none()
    qs = FundBudget.objects.prefetch_related(Prefetch("lines", queryset=BudgetLine.objects.order_by("kind", "id")))
    if year:
        qs = qs.filter(year=year)
    if fund:
        qs = qs.filter(fund=fund)
    return qs.order_by("-year", "fund")


def warning_list(
    user, *, year: int | None = None, month: int | None = None, fund: str | None = None, level: str | None = None
) -> QuerySet:
    if not can_read(user):
        return FundWarning.objects.none()
    qs = FundWarning.objects.all()
    if year:
        qs = qs.filter(year=year)
    if month:
        qs = qs.filter(month=month)
    if fund:
        qs = qs.filter(fund=fund)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("-year", "-month", "fund", "indicator")


def warning_rule_list(user) -> QuerySet:
    if not can_read(user):
        return WarningRule.objects.none()
    return WarningRule.objects.order_by("indicator", "threshold")


def notice_list(user, *, unread_only: bool = False) -> QuerySet:
    """A user's own warning messages (only ever their own)."""
    if not (user and user.is_authenticated):
        return WarningNotice.objects.none()
    qs = WarningNotice.objects.filter(recipient=user).select_related("warning")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at")


def unread_notice_count(user) -> int:
    return notice_list(user, unread_only=True).count() if can_read(user) else 0


def statement_import_get(user, import_id) -> StatementImport | None:
    """An upload is visible to the person who uploaded it."""
    if not can_write(user):
        return None
    return StatementImport.objects.filter(pk=import_id, uploaded_by=user).first()


def import_preview_rows(user, batch: StatementImport) -> list[dict]:
    """The rows of an upload beside the saved statements they would replace: each marked new / same /
    changed, and which year-to-date figures fall below an earlier month's (file and saved together)."""
    from . import importers

    existing = {
        (s.fund, s.year, s.month): s for s in statement_list(user).filter(year__in={r["year"] for r in batch.rows})
    }
    rows = []
    for r in batch.rows:
        old = existing.get((r["fund"], r["year"], r["month"]))
        if old is None:
            change = "new"
        elif all(getattr(old, k) == Decimal(r[k]) for k in importers.AMOUNT_FIELDS):
            change = "same"
        else:
            change = "changed"
        rows.append({**r, "fund_label": Fund(r["fund"]).label, "change": change, "old": old})
    # Year-to-date figures that fall below an earlier month's (file and saved statements together).
    series: dict[tuple, dict[str, dict[int, Decimal]]] = {}
    for (fund, year, month), st in existing.items():
        for k in ("income_ytd", "expenditure_ytd"):
            series.setdefault((fund, year), {}).setdefault(k, {})[month] = getattr(st, k)
    for r in batch.rows:
        for k in ("income_ytd", "expenditure_ytd"):
            series.setdefault((r["fund"], r["year"]), {}).setdefault(k, {})[r["month"]] = Decimal(r[k])
    for row in rows:
        figures = series[(row["fund"], row["year"])]
        row["decreases"] = [k for k in ("income_ytd", "expenditure_ytd") if row["month"] in ytd_decreases(figures[k])]
    return rows


def available_years(user) -> list[int]:
    if not can_read(user):
        return []
    return sorted(set(MonthlyStatement.objects.values_list("year", flat=True).distinct()), reverse=True)


def latest_period(user) -> tuple[int, int] | None:
    if not can_read(user):
        return None
    row = MonthlyStatement.objects.order_by("-year", "-month").values_list("year", "month").first()
    return tuple(row) if row else None


# ---------------------------------------------------------------- figures


def budget_lines(budget: FundBudget) -> dict:
    """Budget lines by kind with labels, from a budget whose lines are prefetched."""
    income_labels, exp_labels = dict(IncomeSource.choices), dict(ExpenditureCategory.choices)
    lines = list(budget.lines.all())
    income = [
        {"code": ln.code, "label": str(income_labels.get(ln.code, ln.code)), "amount": ln.amount}
        for ln in lines
        if ln.kind == BudgetLine.Kind.INCOME
    ]
    expenditure = [
        {"code": ln.code, "label": str(exp_labels.get(ln.code, ln.code)), "amount": ln.amount}
        for ln in lines
        if ln.kind == BudgetLine.Kind.EXPENDITURE
    ]
    return {"income": income, "expenditure": expenditure}


def budget_totals_of(budget: FundBudget | None) -> BudgetTotals | None:
    if budget is None:
        return None
    lines = list(budget.lines.all())
    return budget_totals(
        income={ln.code: ln.amount for ln in lines if ln.kind == BudgetLine.Kind.INCOME},
        expenditure={ln.code: ln.amount for ln in lines if ln.kind == BudgetLine.Kind.EXPENDITURE},
    )


def _level_budget(budget: FundBudget | None) -> dict[int, Decimal]:
    """The inpatient expenditure budget line of each hospital level (prefetched lines)."""
    if budget is None:
        return {}
    lines = {ln.code: ln.amount for ln in budget.lines.all() if ln.kind == BudgetLine.Kind.EXPENDITURE}
    return {level: lines[code] for level, code in LEVEL_CATEGORY.items() if code in lines}


def rule_statement(st: MonthlyStatement | None) -> Statement | None:
    return Statement(st.year, st.month, st.income_ytd, st.expenditure_ytd, st.accumulated_balance) if st else None


def warning_facts(statement: MonthlyStatement) -> tuple[BudgetTotals | None, MonthlyStatement | None]:
    """The budget totals and last year's same month a statement is judged against (the same
    helpers the execution page uses, so a warning and the page never disagree)."""
    budget = FundBudget.objects.filter(fund=statement.fund, year=statement.year).first()
    last = MonthlyStatement.objects.filter(fund=statement.fund, year=statement.year - 1, month=statement.month).first()
    return budget_totals_of(budget), last


def _claims_expenditure(year: int, scheme: str) -> dict[int, Decimal] | None:
    """The portal's own settlements' fund expenditure by month (claims contract), if claims provides it."""
    try:
        from claims import selectors as claims_selectors
    except ImportError:
        return None
    fn = getattr(claims_selectors, "fund_expenditure_by_month", None)
    return fn(year=year, scheme=scheme) if fn else None


def _claims_admissions(year: int, month_to: int, scheme: str) -> dict[int, LevelFigures] | None:
    try:
        from claims import selectors as claims_selectors
    except ImportError:
        return None
    fn = getattr(claims_selectors, "admissions_by_level", None)
    if fn is None:
        return None
    raw = fn(year=year, month_to=month_to, scheme=scheme)
    return {
        int(level): LevelFigures(int(v["count"]), Decimal(v["total_cost"]), Decimal(v["fund_paid"]))
        for level, v in raw.items()
    }


def statements_with_reconciliation(statements) -> list[dict]:
    """Each statement (already scoped) beside what the portal's settlements add up to for the same
    fund and months: one claims query per (year, scheme) on the page."""
    statements = list(statements)
    portal: dict[tuple, dict | None] = {}
    for st in statements:
        scheme = FUND_SCHEME.get(st.fund)
        if scheme and (st.year, scheme) not in portal:
            portal[(st.year, scheme)] = _claims_expenditure(st.year, scheme)
    rows = []
    for st in statements:
        by_month = portal.get((st.year, FUND_SCHEME.get(st.fund)))
        rec = (
            reconcile(month=st.month, statement_expenditure_ytd=st.expenditure_ytd, portal_by_month=by_month)
            if by_month is not None
            else None
        )
        rows.append({"statement": st, "reconciliation": rec})
    return rows


def _as_dict(obj) -> dict:
    return {k: getattr(obj, k) for k in obj.__dataclass_fields__}


def _fund_figures(
    *,
    fund: str,
    year: int,
    month: int,
    by_key: dict[tuple, MonthlyStatement],
    budget: FundBudget | None,
    warnings: list[FundWarning],
    with_claims: bool,
) -> dict:
    st = by_key.get((fund, year, month))
    last = by_key.get((fund, year - 1, month))
    last_full = by_key.get((fund, year - 1, 12))
    totals = budget_totals_of(budget)
    this_year = {m: s for (f, y, m), s in by_key.items() if f == fund and y == year and m <= month}
    last_year = {m: s for (f, y, m), s in by_key.items() if f == fund and y == year - 1}
    inc_month = monthly_amounts({m: s.income_ytd for m, s in this_year.items()})
    exp_month = monthly_amounts({m: s.expenditure_ytd for m, s in this_year.items()})
    last_exp_month = monthly_amounts({m: s.expenditure_ytd for m, s in last_year.items()})
    series = [
        {
            "month": m,
            "income": inc_month.get(m),
            "expenditure": exp_month.get(m),
            "expenditure_ytd": this_year[m].expenditure_ytd if m in this_year else None,
            "accumulated_balance": this_year[m].accumulated_balance if m in this_year else None,
            "last_year_expenditure": last_exp_month.get(m),
        }
        for m in range(1, month + 1)
    ]
    out = {
        "fund": fund,
        "fund_label": str(Fund(fund).label),
        "year": year,
        "month": month,
        "has_statement": st is not None,
        "has_budget": budget is not None,
        "execution": None,
        "projections": [],
        "budget": budget_lines(budget) if budget else None,
        "budget_totals": _as_dict(totals) if totals else None,
        "series": series,
        "reconciliation": None,
        "levels": [],
        "warnings": [
            {
                "indicator": w.indicator,
                "indicator_label": str(Indicator(w.indicator).label),
                "value": w.value,
                "level": w.level,
                "level_label": str(Level(w.level).label),
                "threshold": w.threshold,
                "comparison": w.comparison,
            }
            for w in warnings
        ],
    }
    if st is None:
        return out
    ex = execution(rule_statement(st), budget=totals, last_year=rule_statement(last))
    out["execution"] = _as_dict(ex)
    seasonal, run_rate = projections(
        ytd=st.expenditure_ytd,
        months=month,
        available_fund=totals.available_fund if totals else None,
        last_year_same_months=last.expenditure_ytd if last else None,
        last_year_full_year=last_full.expenditure_ytd if last_full else None,
    )
    out["projections"] = [_as_dict(seasonal), _as_dict(run_rate)]
    scheme = FUND_SCHEME.get(fund)
    if with_claims and scheme:
        portal = _claims_expenditure(year, scheme)
        if portal is not None:
            out["reconciliation"] = _as_dict(
                reconcile(month=month, statement_expenditure_ytd=st.expenditure_ytd, portal_by_month=portal)
            )
        current = _claims_admissions(year, month, scheme)
        if current is not None:
            previous = _claims_admissions(year - 1, month, scheme) or {}
            out["levels"] = [
                {**_as_dict(row), "level_label": str(LEVEL_LABELS.get(row.level, row.level))}
                for row in average_cost_by_level(
                    current,
                    previous,
                    available_fund=totals.available_fund if totals else None,
                    budget_by_level=_level_budget(budget),
                )
            ]
    return out


def execution_report(user, *, year: int, month: int, funds: list[str] | None = None, with_claims: bool = True) -> dict:
    """Every figure of the execution page / monthly report for one month, all funds."""
    if not can_read(user):
        return {"year": year, "month": month, "funds": []}
    return _execution_report(year=year, month=month, funds=funds, with_claims=with_claims)


def _execution_report(*, year: int, month: int, funds: list[str] | None, with_claims: bool) -> dict:
    funds = funds or list(Fund.values)
    report = {"year": year, "month": month, "funds": []}
    statements = MonthlyStatement.objects.filter(fund__in=funds, year__in=(year, year - 1))
    by_key = {(s.fund, s.year, s.month): s for s in statements}
    budgets = {
        b.fund: b
        for b in FundBudget.objects.filter(year=year, fund__in=funds).prefetch_related(
            Prefetch("lines", queryset=BudgetLine.objects.order_by("kind", "id"))
        )
    }
    warnings: dict[str, list[FundWarning]] = {}
    for w in FundWarning.objects.filter(year=year, month=month, fund__in=funds).order_by("fund", "indicator"):
        warnings.setdefault(w.fund, []).append(w)
    for fund in funds:
        report["funds"].append(
            _fund_figures(
                fund=fund,
                year=year,
                month=month,
                by_key=by_key,
                budget=budgets.get(fund),
                warnings=warnings.get(fund, []),
                with_claims=with_claims,
            )
        )
    return report


def fund_execution(*, user, fund: str, year: int, month: int) -> dict:
    """One fund's execution figures for a letter (replies): {} when there is no statement or no access.

    District-wide aggregate figures (no personal data): readers of fund statistics and the
    bureau's reply drafters (replies area) may have them.

    Keys: fund, fund_label, year, month, income_ytd, expenditure_ytd, current_balance,
    accumulated_balance, months_payable, time_progress, income_progress, expenditure_progress,
    available_fund, available_fund_used, income_growth, expenditure_growth,
    projection_seasonal, projection_run_rate (share of the available fund, percent), warnings
    (list of {indicator, indicator_label, value, level, level_label}). Money Decimal yuan.
    """
    if fund not in Fund.values or not 1 <= int(month) <= 12:
        return {}
    if not can_quote_figures(user, Area.FUNDBUDGET):
        return {}
    report = _execution_report(year=int(year), month=int(month), funds=[fund], with_claims=False)
    if not report["funds"] or not report["funds"][0]["has_statement"]:
        return {}
    f = report["funds"][0]
    ex = f["execution"]
    seasonal, run_rate = f["projections"]
    keys = (
        "income_ytd",
        "expenditure_ytd",
        "current_balance",
        "accumulated_balance",
        "months_payable",
        "time_progress",
        "income_progress",
        "expenditure_progress",
        "available_fund",
        "available_fund_used",
        "income_growth",
        "expenditure_growth",
    )
    return {
        "fund": fund,
        "fund_label": f["fund_label"],
        "year": int(year),
        "month": int(month),
        **{k: ex[k] for k in keys},
        "projection_seasonal": seasonal["share_of_available"],
        "projection_run_rate": run_rate["share_of_available"],
        "warnings": [
            {k: w[k] for k in ("indicator", "indicator_label", "value", "level", "level_label")} for w in f["warnings"]
        ],
    }
