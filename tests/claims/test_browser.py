"""The calculator page in real Chromium: a staff member enters two stays and one outpatient visit and
reads the engine's figures and its Chinese explanation; the statistics page draws its charts."""

import pytest

from medinsure.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calculator_page(live_server, browser_page, make_user, login_page):
    page = login_page(browser_page, live_server, make_user(Role.CLAIMS))
    page.goto(f"{live_server.url}/claims/calculator/")
    page.select_option("#id_policy", "guanxian-2018")
    rows = page.locator("#visit-rows tbody tr")
    for i, (day, kind, level, cost) in enumerate(
        [
            ("2018-03-01", "inpatient", "2", "8000"),
            ("2018-02-01", "inpatient", "2", "8000"),
            ("2018-04-01", "outpatient_general", "1", "300"),
        ]
    ):
        row = rows.nth(i)
        row.locator("input[type=date]").fill(day)
        row.locator("select").nth(0).select_option(kind)
        row.locator("select").nth(1).select_option(level)
        row.locator("input").nth(1).fill(cost)
    page.get_by_test_id("calculate").click()
    table = page.get_by_test_id("calc-table")
    try:
        table.wait_for()
    except Exception:
        print(page.locator("#calc-result").inner_html()[:3000])
        raise
    result_rows = page.get_by_test_id("calc-row")
    assert result_rows.count() == 3
    second = result_rows.nth(1)  # sorted by date: the 2018-03-01 stay is the 2nd admission
    assert second.get_by_test_id("deductible").inner_text() == "250.00"
    assert second.get_by_test_id("fund").inner_text() == "5425.00"
    assert second.get_by_test_id("personal").inner_text() == "2575.00"
    text = second.inner_text()
    assert "起付线 250 元（本年度第2次住院，减半）" in text
    assert "统筹支付 (8000−250)×70% = 5425 元" in text
    third = result_rows.nth(2)
    assert third.get_by_test_id("fund").inner_text() == "120.00"  # 50% of 300 capped at 120

    # a bad amount is answered with the row and the field, nothing computed
    rows.nth(0).locator("input").nth(1).fill("八千")
    page.get_by_test_id("calculate").click()
    errors = page.get_by_test_id("calc-errors")
    errors.wait_for()
    assert "第 1 行 政策范围内费用（元）" in errors.inner_text()


def test_stats_page_draws_charts(live_server, browser_page, make_user, login_page):
    page = login_page(browser_page, live_server, make_user(Role.LEADER))
    page.goto(f"{live_server.url}/claims/stats/?year=2018&month=6")
    page.get_by_test_id("chart-months").locator("canvas").wait_for()
    page.get_by_test_id("chart-levels").locator("canvas").wait_for()
    assert "2018年1—6月结算统计" in page.content()


def test_a_recalculation_is_approved_by_another_person(
    live_server, browser_page, make_user, login_page, divisions, django_capture_on_commit_callbacks
):
    """Four eyes in the browser: the claims user who started it sees who started it and that another
    person must approve, with no approve button; a director sees the button and approves."""
    from claims import services
    from claims.models import Recalculation
    from tests.claims.test_recalculation import _scenario

    _policy, version = _scenario(divisions, n_persons=2)
    starter = make_user(Role.CLAIMS)
    with django_capture_on_commit_callbacks(execute=False):
        rc = services.recalculation_start(actor=starter, version=version, year=2018)
    services.recalculation_compute(recalculation_id=rc.pk)
    page = login_page(browser_page, live_server, starter)
    page.goto(f"{live_server.url}/claims/recalculations/{rc.pk}/")
    assert page.get_by_test_id("rc-started-by").inner_text() == starter.display_name
    assert "另一名有审批权限的人员" in page.get_by_test_id("rc-four-eyes").inner_text()
    assert page.get_by_test_id("approve").count() == 0
    page.context.clear_cookies()
    director = make_user(Role.DIRECTOR)
    page = login_page(page, live_server, director)
    page.goto(f"{live_server.url}/claims/recalculations/{rc.pk}/")
    page.get_by_test_id("approve").click()
    page.get_by_test_id("rc-approved-by").wait_for()
    rc.refresh_from_db()
    assert rc.status in (Recalculation.Status.APPROVED, Recalculation.Status.APPLIED) and rc.approved_by == director
