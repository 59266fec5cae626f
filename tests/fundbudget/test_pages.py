"""HTML pages: execution, monthly report (+ Excel), statements, budgets, warnings, rules, notices."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from fundbudget import services
from fundbudget.models import FundBudget, MonthlyStatement, WarningNotice, WarningRule
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog

from .factories import SEED_004

pytestmark = [pytest.mark.django_db, pytest.mark.service]

PAGES = [
    "fundbudget:execution",
    "fundbudget:report",
    "fundbudget:report_xlsx",
    "fundbudget:statement_list",
    "fundbudget:budget_list",
    "fundbudget:warning_list",
    "fundbudget:rule_list",
    "fundbudget:notice_list",
]
WRITE_PAGES = ["fundbudget:statement_form"]
# the statement import is the fund department's own (issue 15: import pages for the staff who import)
IMPORT_PAGES = ["fundbudget:statement_import", "fundbudget:import_template"]


@pytest.fixture
def seed_004(fund_user):
    for fund, amounts in SEED_004.items():
        st = services.statement_save(actor=fund_user, fund=fund, year=2024, month=4, source="form", **amounts).statement
        services.warnings_evaluate(statement_id=st.pk)


def test_who_may_open_the_pages(make_user, client_as, township_user, fund_user, seed_004):
    for role, reads, writes, imports in [
        (Role.FUND, True, True, True),
        (Role.LEADER, True, True, False),
        (Role.API_CLIENT, True, False, False),
        (Role.CLAIMS, False, False, False),
        (Role.OFFICE, False, False, False),
    ]:
        client = client_as(make_user(role))
        for name in PAGES:
            assert client.get(reverse(name)).status_code == (200 if reads else 403), (role, name)
        for name in WRITE_PAGES:
            assert client.get(reverse(name)).status_code == (200 if writes else 403), (role, name)
        for name in IMPORT_PAGES:
            assert client.get(reverse(name)).status_code == (200 if imports else 403), (role, name)
    client = client_as(township_user)
    for name in PAGES + WRITE_PAGES + IMPORT_PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("fundbudget:budget_form", args=["employee", 2024])).status_code == 403


def test_execution_page_shows_the_seed_004_figures_and_warnings(fund_user, client_as, seed_004):
    page = client_as(fund_user).get(reverse("fundbudget:execution") + "?year=2024&month=4").content.decode()
    assert "7,491.51" in page and "5,173.05" in page and "2,318.46" in page  # 万元
    assert "-1,831.80" in page
    assert "44.93" in page and "3.25" in page
    assert "累计结存过多" in page and "当期收不抵支" in page and "累计结存可支付月数过低" in page
    assert 'id="fund-data"' in page and "vendor/echarts/echarts.min.js" in page


def test_report_page_text_in_the_seed_004_words_and_the_same_as_excel(fund_user, client_as, seed_004):
    client = client_as(fund_user)
    page = client.get(reverse("fundbudget:report") + "?year=2024&month=4").content.decode()
    assert "截至4月底" in page
    assert (
        "全区职工基本医疗保险统筹基金收入7491.51万元，基金支出5173.05万元，当期结余2318.46万元，累计结余5.81亿元。"
        in page
    )
    assert "当期结余-1831.80万元，累计结余5187.20万元" in page
    r = client.get(reverse("fundbudget:report_xlsx") + "?year=2024&month=4")
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["基金运行概况"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    employee = rows["职工基本医疗保险统筹基金"]
    assert employee[1:6] == (74915100, 51730500, 23184600, 581000000, 44.93)
    assert "累计结存过多（关注，44.93）" in employee[14]
    assert rows["长期护理保险基金"][1] == "本月无报表"


def test_statement_form_creates_and_replaces_with_field_errors(fund_user, client_as):
    client = client_as(fund_user)
    data = {"fund": "resident", "year": 2024, "month": 4, **SEED_004["resident"]}
    r = client.post(reverse("fundbudget:statement_form"), data)
    assert r.status_code == 302 and MonthlyStatement.objects.count() == 1
    r = client.post(reverse("fundbudget:statement_form"), {**data, "income_ytd": "-3"})
    assert r.status_code == 200 and "is-invalid" in r.content.decode()
    r = client.post(reverse("fundbudget:statement_form"), {**data, "accumulated_balance": "51872000.5"}, follow=True)
    assert "已更新" in r.content.decode()
    assert MonthlyStatement.objects.get().accumulated_balance == 51872000.5


def test_budget_form_saves_lines_with_audit(fund_user, client_as):
    client = client_as(fund_user)
    url = reverse("fundbudget:budget_form", args=["resident", 2024])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "in_personal": "68209050",
            "in_central_subsidy": "115629270",
            "ex_critical_illness_premium": "19488300",
            "ex_inpatient_county": "150000000",
            "note": "市级下达",
        },
    )
    assert r.status_code == 302
    b = FundBudget.objects.get()
    assert b.lines.count() == 4
    assert AuditLog.objects.filter(object_type="fundbudget.fundbudget").exists()
    assert "18,383.83" in client.get(reverse("fundbudget:budget_list")).content.decode()  # income total 万元
    assert client.get(reverse("fundbudget:budget_form", args=["pension", 2024])).status_code == 404
    r = client.post(url, {"in_personal": "abc"})
    assert r.status_code == 200 and "is-invalid" in r.content.decode()


def test_rule_page_edits_a_threshold(fund_user, client_as, make_user):
    rule = WarningRule.objects.get(indicator="months_payable_high")
    client = client_as(fund_user)
    r = client.post(reverse("fundbudget:rule_list"), {"rule_id": rule.pk, "threshold": "12", "active": "on"})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert str(rule.threshold) == "12.00"
    # An API client reads the rules but may not change them.
    api_client = client_as(make_user(Role.API_CLIENT))
    assert api_client.post(reverse("fundbudget:rule_list"), {"rule_id": rule.pk, "threshold": "1"}).status_code == 404


@pytest.fixture
def other_fund_user(make_user):
    return make_user(Role.FUND)


def test_notices_are_the_users_own_and_can_be_marked_read(fund_user, other_fund_user, client_as, seed_004):
    other = other_fund_user
    assert WarningNotice.objects.filter(recipient=fund_user, read_at__isnull=True).count() == 3
    client = client_as(fund_user)
    page = client.get(reverse("fundbudget:notice_list")).content.decode()
    assert page.count("未读") >= 3
    client.post(reverse("fundbudget:notice_list"))
    assert not WarningNotice.objects.filter(recipient=fund_user, read_at__isnull=True).exists()
    assert WarningNotice.objects.filter(recipient=other, read_at__isnull=True).count() == 3


def test_warning_list_filters(fund_user, client_as, seed_004):
    client = client_as(fund_user)
    page = client.get(reverse("fundbudget:warning_list") + "?level=orange").content.decode()
    assert 'data-indicator="current_deficit"' in page and 'data-indicator="months_payable_high"' not in page


def test_replacing_a_month_starts_from_its_figures_and_unread_banner(fund_user, client_as, seed_004):
    client = client_as(fund_user)
    page = client.get(reverse("fundbudget:statement_form") + "?fund=resident&year=2024&month=4").content.decode()
    assert 'value="63866100.00"' in page
    page = client.get(reverse("fundbudget:execution") + "?year=2024&month=4").content.decode()
    assert "您有3条未读预警消息" in page


def test_pages_in_english_when_chosen(fund_user, client_as, seed_004):
    from django.utils import translation

    client = client_as(fund_user)
    client.cookies["django_language"] = "en"
    try:
        page = client.get(reverse("fundbudget:execution") + "?year=2024&month=4").content.decode()
    finally:
        translation.activate("zh-hans")  # the middleware leaves the test thread in English
    assert "Fund execution" in page and "Months the balance covers" in page and "Too large a balance" in page


def test_budget_form_starts_from_the_saved_lines(fund_user, client_as):
    services.budget_save(
        actor=fund_user,
        fund="resident",
        year=2024,
        income={"personal": "68209050"},
        expenditure={"inpatient_county": "150000000"},
        note="市级下达",
    )
    form = client_as(fund_user).get(reverse("fundbudget:budget_form", args=["resident", 2024])).context["form"]
    assert form.initial == {"note": "市级下达", "in_personal": D("68209050"), "ex_inpatient_county": D("150000000")}


def test_rule_page_names_an_unknown_rule_not_the_threshold(fund_user, client_as):
    client = client_as(fund_user)
    page = client.post(reverse("fundbudget:rule_list"), {"rule_id": "999999", "threshold": "12"}).content.decode()
    assert "预警规则不存在" in page and "阈值：" not in page
    page = client.post(reverse("fundbudget:rule_list"), {"rule_id": "", "threshold": "12"}).content.decode()
    assert "预警规则不存在" in page
    rule = WarningRule.objects.get(indicator="months_payable_high")
    page = client.post(reverse("fundbudget:rule_list"), {"rule_id": rule.pk, "threshold": "x"}).content.decode()
    assert "阈值：" in page and "预警规则不存在" not in page
