"""Real Chromium: a member of the public files a report (real captcha) and checks it by its code;
the bureau opens a case from it and the status page follows; the figures page draws its charts."""

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache

from medinsure.accounts.models import Role
from supervision import services
from supervision.models import Report
from tests.supervision import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_a_report_and_check_it_by_code(live_server, browser_page, make_user, login_page):
    cache.clear()
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    inst = f.institution(kind="pharmacy", name="康安大药房")
    page.goto(f"{live_server.url}/supervision/public/report/")
    page.fill("#id_subject", "康安大药房")
    page.select_option("#id_institution", str(inst.pk))
    page.fill("#id_content", "该药店让参保人用医保卡购买生活用品，时间是2024年5月。")
    page.fill("#id_reporter_name", "孙八")
    img = page.locator("img.captcha")
    img.wait_for()
    assert page.evaluate("(el) => el.complete && el.naturalWidth > 0", img.element_handle())  # served to the public
    key = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=key).response)
    page.get_by_role("button", name="提交举报").click()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert len(code) == 12
    report = Report.objects.get(tracking_code=code)
    assert "孙八" not in report.identity_encrypted

    page.get_by_role("link", name="查询办理进度").click()
    assert page.get_by_test_id("status").inner_text() == "已受理"

    # the bureau opens a case; the reporter sees the new status with the same code
    staff = make_user(Role.SUPERVISION)
    services.report_open_case(
        actor=staff,
        report_id=report.pk,
        registered_on=report.received_at.date(),
        violations=["swapping"],
        summary="核查药店串换",
        institution_id=inst.pk,
    )
    page.goto(f"{live_server.url}/supervision/public/report/status/")
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    assert page.get_by_test_id("status").inner_text() == "已立案调查"
    page.fill("#id_code", "WRONGCODE")
    page.get_by_role("button", name="查询").click()
    page.get_by_test_id("not-found").wait_for()

    # staff: the figures page with its charts (ECharts served locally)
    login_page(page, live_server, staff)
    year = report.received_at.astimezone().year
    page.goto(f"{live_server.url}/supervision/figures/?year={year}")
    page.locator("#chart-months canvas").wait_for()
    assert page.get_by_test_id("total-reports_received").inner_text() == "1"
    assert not errors, errors
