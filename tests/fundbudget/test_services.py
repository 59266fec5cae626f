"""Services wired to PostgreSQL: create-or-replace, audit row, warnings queued on commit, evaluation."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fundbudget import services
from fundbudget.models import Fund, FundWarning, MonthlyStatement, WarningNotice, WarningRule
from fundbudget.rules import warnings as wr
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.jobs.models import OutboxMessage

from .factories import SEED_004

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def save(actor, fund, year=2024, month=4, **amounts):
    return services.statement_save(actor=actor, fund=fund, year=year, month=month, source="form", **amounts)


def test_default_rules_in_the_database_match_the_domain_page():
    db = {(r.indicator, r.comparison, r.threshold, r.level) for r in WarningRule.objects.all()}
    assert db == {(r.indicator, r.comparison, r.threshold, r.level) for r in wr.DEFAULT_RULES}


def test_statement_create_replace_unchanged_with_audit_and_task_on_commit(
    fund_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        out = save(fund_user, Fund.EMPLOYEE, **SEED_004[Fund.EMPLOYEE])
    assert out.outcome == "created" and len(callbacks) == 1
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("fundbudget.warnings_evaluate", [out.statement.pk])
    ]
    assert (
        AuditLog.objects.filter(object_type="fundbudget.monthlystatement", object_id=str(out.statement.pk)).count() == 1
    )
    with django_capture_on_commit_callbacks() as callbacks:
        again = save(fund_user, Fund.EMPLOYEE, **SEED_004[Fund.EMPLOYEE])
    assert again.outcome == "unchanged" and callbacks == []
    assert AuditLog.objects.filter(object_type="fundbudget.monthlystatement").count() == 1
    replaced = save(fund_user, Fund.EMPLOYEE, **{**SEED_004[Fund.EMPLOYEE], "income_ytd": "75000000"})
    assert replaced.outcome == "updated" and replaced.statement.pk == out.statement.pk
    assert MonthlyStatement.objects.get().income_ytd == D("75000000")


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"income_ytd": "-1"}, "income_ytd"),
        ({"expenditure_ytd": "1.234"}, "expenditure_ytd"),
        ({"accumulated_balance": "abc"}, "accumulated_balance"),
        ({"month": 13}, "month"),
        ({"fund": "pension"}, "fund"),
    ],
)
def test_statement_bad_input_names_the_field_and_writes_nothing(fund_user, fields, bad):
    args = {"fund": Fund.EMPLOYEE, "month": 4, **SEED_004[Fund.EMPLOYEE], **fields}
    with pytest.raises(ValidationError) as exc:
        save(fund_user, **args)
    assert bad in exc.value.message_dict
    assert not MonthlyStatement.objects.exists()


def test_only_the_fund_department_writes(make_user, township_user):
    for user in (make_user(Role.CLAIMS), make_user(Role.API_CLIENT), township_user):
        with pytest.raises(PermissionDenied):
            save(user, Fund.EMPLOYEE, **SEED_004[Fund.EMPLOYEE])


def test_seed_004_statements_give_the_domain_page_warnings_and_notify_fund_users(fund_user, make_user):
    other_fund_user = make_user(Role.FUND)
    claims_user = make_user(Role.CLAIMS)
    for fund in (Fund.EMPLOYEE, Fund.RESIDENT):
        st = save(fund_user, fund, **SEED_004[fund]).statement
        services.warnings_evaluate(statement_id=st.pk)
    got = {(w.fund, w.indicator, w.value, w.level) for w in FundWarning.objects.all()}
    assert got == {
        ("employee", "months_payable_high", D("44.93"), "yellow"),
        ("resident", "current_deficit", D("-18318000.00"), "orange"),
        ("resident", "months_payable_low", D("3.25"), "orange"),
    }
    assert WarningNotice.objects.filter(recipient=fund_user).count() == 3
    assert WarningNotice.objects.filter(recipient=other_fund_user).count() == 3
    assert not WarningNotice.objects.filter(recipient=claims_user).exists()
    # Running again changes nothing and notifies nobody again.
    for st in MonthlyStatement.objects.all():
        services.warnings_evaluate(statement_id=st.pk)
    assert FundWarning.objects.count() == 3 and WarningNotice.objects.count() == 6


def test_warning_follows_a_replaced_statement_and_an_edited_rule(fund_user):
    st = save(fund_user, Fund.RESIDENT, **SEED_004[Fund.RESIDENT]).statement
    services.warnings_evaluate(statement_id=st.pk)
    # A corrected statement with a surplus and 8 months payable clears both warnings.
    save(fund_user, Fund.RESIDENT, income_ytd="70000000", expenditure_ytd="60000000", accumulated_balance="120000000")
    services.warnings_evaluate(statement_id=st.pk)
    assert not FundWarning.objects.filter(statement=st).exists()
    # The fund department raises the "too little" threshold to 9 months: 8.00 is now orange.
    rule = WarningRule.objects.get(indicator="months_payable_low", level="orange")
    services.warning_rule_update(actor=fund_user, rule_id=rule.pk, threshold="9", active=True)
    services.warnings_evaluate(statement_id=st.pk)
    w = FundWarning.objects.get(statement=st)
    assert (w.indicator, w.value, w.level, w.threshold) == ("months_payable_low", D("8.00"), "orange", D("9.00"))


def test_budget_and_last_year_turn_on_the_growth_and_execution_indicators(
    fund_user, django_capture_on_commit_callbacks
):
    last = save(
        fund_user,
        Fund.RESIDENT,
        year=2023,
        month=6,
        income_ytd="100",
        expenditure_ytd="100",
        accumulated_balance="10000",
    ).statement
    st = save(
        fund_user,
        Fund.RESIDENT,
        year=2024,
        month=6,
        income_ytd="105",
        expenditure_ytd="121",
        accumulated_balance="10000",
    ).statement
    services.warnings_evaluate(statement_id=st.pk)
    assert set(FundWarning.objects.filter(statement=st).values_list("indicator", "level")) == {
        ("current_deficit", "orange"),
        ("expenditure_outpacing_income", "orange"),
        ("months_payable_high", "yellow"),
    }
    with django_capture_on_commit_callbacks() as callbacks:
        services.budget_save(
            actor=fund_user,
            fund=Fund.RESIDENT,
            year=2024,
            income={"personal": "200"},
            expenditure={"general_outpatient": "165"},
        )
    assert len(callbacks) == 1  # the year's statements are re-evaluated after commit
    services.warnings_evaluate(statement_id=st.pk)
    w = FundWarning.objects.get(statement=st, indicator="execution_ahead_of_time")
    assert (w.value, w.level) == (D("23.33"), "orange")
    assert last.pk != st.pk


def test_budget_rejects_unknown_lines_and_empty_expenditure(fund_user):
    with pytest.raises(ValidationError) as exc:
        services.budget_save(actor=fund_user, fund="employee", year=2024, income={"lottery": "1"}, expenditure={})
    assert "lottery" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.budget_save(actor=fund_user, fund="employee", year=2024, income={"personal": "1"}, expenditure={})
    assert "expenditure" in exc.value.message_dict


def test_the_data_migration_seeds_exactly_the_domain_page_defaults():
    import importlib

    migration = importlib.import_module("fundbudget.migrations.0002_default_warning_rules")
    assert {(i, c, D(t), lv) for i, c, t, lv in migration.DEFAULTS} == {
        (r.indicator, r.comparison, r.threshold, r.level) for r in wr.DEFAULT_RULES
    }
