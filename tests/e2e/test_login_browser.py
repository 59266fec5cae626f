"""A bureau person logs in, sees the home page in Chinese with their areas, and logs out."""

import pytest

from medinsure.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_home_logout(live_server, browser_page, make_user, login_page, divisions):
    user = make_user(Role.TOWNSHIP, divisions.town_a, last_name="吴芳")
    page = login_page(browser_page, live_server, user)
    assert page.url.rstrip("/") == live_server.url
    page.get_by_test_id("current-user").wait_for()
    assert "吴芳" in page.get_by_test_id("current-user").inner_text()
    assert "甲镇" in page.content()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator("#id_username").is_visible()


def test_wrong_password_is_answered_in_chinese(live_server, browser_page, make_user):
    user = make_user(Role.CLAIMS)
    browser_page.goto(f"{live_server.url}/accounts/login/")
    browser_page.fill("#id_username", user.username)
    browser_page.fill("#id_password", "wrong-password")
    browser_page.click("button[type=submit]")
    assert browser_page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")
