"""Real Chromium: a village worker on a phone records an outcome; staff upload a file with errors and see the report."""

from datetime import date

import pytest

from enrollment import services
from enrollment.models import MobilisationTask
from medinsure.rules.id_numbers import make_id_number
from tests.enrollment.factories import ResidentFactory, make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_worker_on_a_phone_records_an_outcome(live_server, phone_page, make_user, login_page, divisions):
    make_campaign(2025)
    worker = make_user("village", divisions.village_a1, last_name="冯婷")
    ResidentFactory(hukou_division=divisions.village_a1, name="待动员甲", phone="13811112222")
    ResidentFactory(hukou_division=divisions.village_b1, name="乙镇居民", phone="13822223333")
    services.tasks_sync(year=2025)
    services.tasks_split(
        actor=make_user("township", divisions.town_a), year=2025, plan=services.SplitPlan(mode="by_village")
    )
    page = login_page(phone_page, live_server, worker)
    page.goto(f"{live_server.url}/enrollment/tasks/mine/?year=2025")
    card = page.get_by_test_id("task-card").first
    assert "待动员甲" in card.inner_text()
    assert "乙镇居民" not in page.content()
    assert card.get_by_test_id("call").get_attribute("href") == "tel:13811112222"
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # fits the phone screen
    card.get_by_label("处理结果").select_option("promised")
    card.get_by_label("备注").fill("月底前缴费")
    card.get_by_role("button", name="保存").click()
    page.get_by_test_id("task-outcome").first.wait_for()
    assert "承诺缴费" in page.get_by_test_id("task-outcome").first.inner_text()
    t = MobilisationTask.objects.get(resident__name="待动员甲")
    assert (t.status, t.outcome, t.note, t.outcome_by_id) == ("follow_up", "promised", "月底前缴费", worker.pk)


def test_staff_upload_a_file_with_errors_and_see_the_report(
    live_server, browser_page, make_user, login_page, divisions, tmp_path
):
    make_campaign(2025)
    staff = make_user("enrollment", last_name="张敏")
    good = make_id_number("500116", date(1980, 2, 3), 17)
    f = tmp_path / "户籍.csv"
    f.write_bytes(
        (
            "身份证号,姓名,户籍地区划代码\n"
            f"{good},好人,{divisions.village_a1.code}\n"
            f"{good[:17]}{'0' if good[17] != '0' else '1'},坏号,{divisions.village_a1.code}\n"
            f"{good},重复,{divisions.village_a1.code}\n"
        ).encode("gbk")
    )
    page = login_page(browser_page, live_server, staff)
    page.goto(f"{live_server.url}/enrollment/imports/")
    page.get_by_label("数据来源").select_option("police")
    page.set_input_files("input[type=file]", str(f))
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_test_id("error-table").wait_for()
    assert page.get_by_test_id("error-rows").inner_text() == "2"
    table = page.get_by_test_id("error-table").inner_text()
    assert "校验位" in table and "与第 2 行重复" in table
    with page.expect_download() as dl:
        page.get_by_test_id("errors-xlsx").click()
    assert dl.value.suggested_filename.endswith("errors.xlsx")
    page.get_by_test_id("accept").click()
    page.get_by_role("alert").first.wait_for()
    assert "已导入" in page.content()


def test_a_worker_searches_an_id_number_without_it_reaching_the_url(
    live_server, browser_page, make_user, login_page, divisions
):
    """Issue 15: the search box posts the number; the page lists the resident with the masked number and
    the age, and neither the address bar nor the audit log holds the number."""
    from medinsure.audit.models import AuditLog

    number = make_id_number("500116", date(1942, 7, 11), 0)
    r = ResidentFactory(id_number=number, hukou_division=divisions.village_a1, name="王老汉")
    ResidentFactory(hukou_division=divisions.village_a1, name="李四")
    worker = make_user("village", divisions.village_a1)
    page = login_page(browser_page, live_server, worker)
    page.goto(f"{live_server.url}/enrollment/residents/")
    page.get_by_label("身份证号或姓名").fill(number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    body = page.content()
    assert "王老汉" in body and "李四" not in body
    assert "500116********" + number[-4:] in body and "1942-07-11" not in body and number not in body
    assert number not in page.url
    assert not AuditLog.objects.filter(path__contains=number).exists() and r.pk
