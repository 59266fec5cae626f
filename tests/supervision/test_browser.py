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

    # the code is shown once: the look-up is a POST form (no code in any URL)
    page.get_by_role("link", name="查询办理进度").click()
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    assert page.get_by_test_id("status").inner_text() == "已受理"
    assert code not in page.url

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


def test_case_to_termination_and_flag_answer_in_the_browser(live_server, browser_page, make_user, login_page):
    from datetime import date

    from supervision.models import Agreement, Flag

    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    pharmacy = f.institution(kind="pharmacy", name="民泰大药房")
    hospital = f.institution(name="白沙镇卫生院")
    f.settlement(
        hospital,
        id_number="500116199002020021",
        sex="F",
        settled_on=date(2024, 5, 10),
        lines=[("311100001", "前列腺按摩", "1", "80", None)],
    )
    services.audit_rules_ensure_defaults()  # a transactional test starts from a flushed database
    services.audit_run(kind="daily", start=date(2024, 5, 10), end=date(2024, 5, 10))

    # the institution's staff answer their flag
    login_page(page, live_server, f.institution_user(hospital))
    page.goto(f"{live_server.url}/supervision/flags/")
    page.get_by_test_id("flags").locator("tbody a").first.click()
    page.fill("#id_answer", "性别登记错误，已在HIS中更正")
    page.get_by_role("button", name="提交答复").click()
    assert page.get_by_test_id("flag-status").inner_text() == "机构已答复"
    page.get_by_role("button", name="退出").click()

    # supervision staff: register, investigate, decide with termination
    login_page(page, live_server, make_user(Role.SUPERVISION))
    page.goto(f"{live_server.url}/supervision/cases/new/")
    page.select_option("#id_source", "on_site")
    page.select_option("#id_target_kind", "institution")
    page.select_option("#id_institution", str(pharmacy.pk))
    page.get_by_label("串换诊疗项目").check()
    page.fill("#id_summary", "现场检查发现串换药品")
    page.fill("#id_inspected_on", "2024-06-03")
    page.get_by_role("button", name="立案").click()
    assert page.get_by_test_id("case-status").inner_text() == "已立案"
    page.select_option("[data-testid=transition-target]", "investigating")
    page.get_by_role("button", name="提交").click()
    assert page.get_by_test_id("case-status").inner_text() == "调查中"
    page.get_by_role("link", name="录入处理决定").click()
    page.fill("#id_decided_on", "2024-06-20")
    page.check("#id_agreement_handling")
    page.fill("#id_recovered", "32000")
    page.select_option("#id_fine_basis", "agreement")
    page.fill("#id_fine_amount", "50000")
    page.select_option("#id_agreement_action", "terminate")
    page.fill("#id_action_from", "2024-06-25")
    page.get_by_role("button", name="保存决定").click()
    assert page.get_by_test_id("case-status").inner_text() == "已作出处理决定"
    assert Agreement.objects.get(institution=pharmacy).status == "terminated"
    page.goto(f"{live_server.url}/supervision/institutions/{pharmacy.pk}/")
    assert "解除" in page.get_by_test_id("agreement-status").inner_text()
    assert Flag.objects.get().status == "answered"
    assert not errors, errors
