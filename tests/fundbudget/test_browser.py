"""Real Chromium: the fund department imports the month's workbook, sees the execution page with its
ECharts charts and the seed 004 warnings, and the monthly report."""

import pytest

from fundbudget.models import FundWarning
from medinsure.accounts.models import Role

from .test_import import SEED_004_ROWS, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_then_execution_and_report(live_server, browser_page, make_user, login_page, tmp_path, celery_worker):
    user = make_user(Role.FUND, last_name="孙丽")
    page = login_page(browser_page, live_server, user)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    path = tmp_path / "2024年4月基金收支.xlsx"
    path.write_bytes(workbook(SEED_004_ROWS))

    page.goto(f"{live_server.url}/fundbudget/statements/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_test_id("import-rows").wait_for()
    assert page.get_by_test_id("import-rows").locator("tbody tr").count() == 3
    page.get_by_test_id("apply").click()
    page.get_by_text("导入完成：新增3条，更新0条，未变0条").wait_for()

    # The worker evaluates the warnings after commit (long-term care: 28.57 months payable, too much).
    for _ in range(100):
        if FundWarning.objects.count() == 4:
            break
        page.wait_for_timeout(200)
    assert set(FundWarning.objects.values_list("fund", "indicator")) == {
        ("employee", "months_payable_high"),
        ("resident", "current_deficit"),
        ("resident", "months_payable_low"),
        ("ltc", "months_payable_high"),
    }

    page.on("console", lambda msg: errors.append("console: " + msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/fundbudget/?year=2024&month=4")
    page.wait_for_selector("body[data-charts-ready='1']", state="attached")
    assert errors == []
    assert page.get_by_test_id("months-employee").inner_text() == "44.93"
    assert page.get_by_test_id("months-resident").inner_text() == "3.25"
    resident = page.get_by_test_id("warnings-resident").inner_text()
    assert "当期收不抵支" in resident and "累计结存可支付月数过低" in resident
    assert "累计结存过多" in page.get_by_test_id("warnings-employee").inner_text()
    # ECharts drew into each chart container (served locally, no CDN).
    assert page.locator("#monthly-employee canvas").count() == 1
    assert page.locator("#progress-resident canvas").count() == 1

    page.goto(f"{live_server.url}/fundbudget/report/?year=2024&month=4")
    page.wait_for_selector("body[data-charts-ready='1']", state="attached")
    assert errors == []
    text = page.get_by_test_id("summary-text").inner_text()
    assert "全区城乡居民基本医疗保险基金收入4554.81万元，基金支出6386.61万元，当期结余-1831.80万元" in text
    assert page.locator("#chart-income-expenditure canvas").count() == 1
    with page.expect_download() as download:
        page.get_by_test_id("report-xlsx").click()
    assert download.value.suggested_filename == "fund-report-2024-04.xlsx"
