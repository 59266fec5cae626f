"""In real Chromium: a window clerk's day at a township centre (desktop), and a village worker filing an
application on a resident's behalf on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from handling.models import Application
from medinsure.accounts.models import Role
from tests.handling.factories import covered_resident, points
from tests.handling.helpers import accepted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_window_clerks_day(live_server, browser_page, make_user, login_page, divisions):
    p = points(divisions)
    clerk = make_user(Role.TOWNSHIP, division=divisions.town_a)
    resident = covered_resident(1, divisions.village_a1)
    late = accepted(clerk, p["town_a"], "record_print", covered_resident(2, divisions.village_a1))
    Application.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))

    page = login_page(browser_page, live_server, clerk)
    page.goto(f"{live_server.url}/handling/")
    assert page.get_by_test_id("point-name").inner_text() == "甲镇便民服务中心"
    assert page.get_by_test_id(f"row-{late.tracking_number}").get_attribute("class") == "table-danger"

    # receive: the papers checklist, one paper missing
    page.get_by_test_id("receive").click()
    page.get_by_test_id("item").select_option("cover_stop")
    page.wait_for_url("**item=cover_stop**")
    assert "停保原因证明" in page.get_by_test_id("papers-required").inner_text()
    page.fill("#id_id_number", resident.id_number)
    page.fill("#id_applicant_name", "张三")
    page.get_by_label("居民身份证或户口簿").check()
    page.fill("#id_stopped_on", "2025-07-01")
    page.fill("#id_reason", "出国定居")
    page.get_by_test_id("submit").click()
    receipt = page.get_by_test_id("receipt")
    receipt.wait_for()
    tracking = page.get_by_test_id("tracking").inner_text()
    assert tracking.startswith("B") and "停保原因证明" in page.get_by_test_id("missing").inner_text()

    # the application: accept once the missing paper is in, approve, finish
    page.get_by_role("link", name="查看申请").click()
    page.get_by_label("停保原因证明").check()
    page.get_by_test_id("accept").click()
    assert page.get_by_test_id("status").inner_text() == "已受理"
    assert page.get_by_test_id("due").inner_text() != "—"
    page.get_by_test_id("decide").click()
    assert page.get_by_test_id("status").inner_text() == "已批准"
    assert page.get_by_test_id("result").inner_text() == "自 2025-07-01 停保"
    page.get_by_test_id("finish").click()
    assert page.get_by_test_id("status").inner_text() == "已办结"

    # a resident quotes the number at the desk
    page.goto(f"{live_server.url}/handling/")
    page.get_by_test_id("find").fill(tracking)
    page.get_by_test_id("find").press("Enter")
    page.wait_for_url(f"**/handling/applications/{tracking}/")
    assert page.get_by_test_id("tracking").inner_text() == tracking


def test_a_village_worker_files_on_a_phone(live_server, phone_page, make_user, login_page, divisions):
    points(divisions)
    worker = make_user(Role.VILLAGE, division=divisions.village_a1)
    resident = covered_resident(3, divisions.village_a1)
    page = login_page(phone_page, live_server, worker)
    page.goto(f"{live_server.url}/handling/")
    assert page.get_by_test_id("point-name").inner_text() == "甲镇一村医保之窗"
    page.get_by_test_id("receive").click()
    options = page.get_by_test_id("item").locator("option").all_inner_texts()
    assert "参保信息变更登记（跨省通办）" in options and not any("零星" in o for o in options)  # village items only
    page.get_by_test_id("item").select_option("resident_change")
    page.wait_for_url("**item=resident_change**")
    assert page.locator("#id_channel").input_value() == "phone"
    page.fill("#id_id_number", resident.id_number)
    page.fill("#id_applicant_name", "李四")
    page.select_option("#id_applicant_relation", "子女")
    page.get_by_label("居民身份证或户口簿").check()
    page.get_by_label("变更事项证明材料").check()
    # the form fits the phone's width
    wide = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + e.getBoundingClientRect().right).slice(0, 15)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    page.get_by_test_id("submit").click()
    page.get_by_test_id("receipt").wait_for()
    assert page.get_by_test_id("missing").inner_text() == "材料齐全"
    a = Application.objects.get()
    assert (a.channel, a.applicant_relation, a.point.name) == ("phone", "子女", "甲镇一村医保之窗")
    assert page.get_by_test_id("tracking").inner_text() == a.tracking_number
