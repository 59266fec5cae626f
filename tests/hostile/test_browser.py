"""In Chromium: script tags and attribute breakers typed into a reply case and its letter (a normal
form, then htmx fragments swapped into the page) are stored as the text they are and shown as
text on every page that shows them; no alert() ever runs."""

import pytest

from medinsure.accounts.models import Role
from replies.models import Proposal
from tests.hostile.test_forms import ATTRIBUTE, SCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hostile_text_is_shown_as_text_and_never_runs(live_server, browser_page, make_user, login_page):
    dialogs = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    clerk = make_user(Role.OFFICE, last_name="周文")
    page = login_page(browser_page, live_server, clerk)

    page.goto(f"{live_server.url}/replies/new/")
    page.select_option("#id_kind", "npc")
    page.fill("#id_session", ATTRIBUTE)
    page.fill("#id_number", "166")
    page.fill("#id_title", SCRIPT)
    page.fill("#id_proposers", "'; DROP TABLE replies_proposal; --")
    page.fill("#id_assigned_on", "2025-03-10")
    page.get_by_role("button", name="登记").click()
    page.get_by_test_id("due-on").wait_for()
    case = Proposal.objects.get(number="166")
    assert case.title == SCRIPT and case.session == ATTRIBUTE  # legal text, stored as it is
    assert SCRIPT in page.locator("body").inner_text()  # shown as text, not as markup
    assert page.locator("img[src=x]").count() == 0

    page.goto(f"{live_server.url}/replies/")
    assert SCRIPT in page.locator("body").inner_text()

    page.goto(f"{live_server.url}/replies/{case.pk}/")
    page.get_by_test_id("open-letter").click()
    page.wait_for_url(f"{live_server.url}/replies/letters/**")
    page.fill("#id_heading", ATTRIBUTE)
    page.fill("#id_body", SCRIPT)
    page.get_by_test_id("add-section").click()  # answered by an htmx fragment
    page.get_by_test_id("section").first.wait_for()
    page.locator("[data-testid=section] textarea[name=body]").fill(SCRIPT + ATTRIBUTE)
    page.get_by_test_id("save-section").click()
    page.get_by_test_id("saved").wait_for()
    page.reload()
    page.get_by_test_id("section").first.wait_for()
    assert page.locator("img[src=x]").count() == 0
    assert SCRIPT + ATTRIBUTE in page.locator("[data-testid=section] textarea[name=body]").input_value()

    assert dialogs == []
