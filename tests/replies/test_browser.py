"""In Chromium: a new case registered, a letter drafted section by section, the director signs it and
it is locked; the .docx downloads."""

import io

import pytest
from docx import Document

from medinsure.accounts.models import Role
from replies.models import LetterVersion, Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_case_to_signed_letter(live_server, browser_page, make_user, login_page):
    clerk = make_user(Role.OFFICE, last_name="周文")
    boss = make_user(Role.DIRECTOR, last_name="丁润清")
    page = login_page(browser_page, live_server, clerk)

    page.goto(f"{live_server.url}/replies/new/")
    page.select_option("#id_kind", "npc")
    page.fill("#id_session", "江津区第十八届人民代表大会第五次会议")
    page.fill("#id_number", "166")
    page.fill("#id_title", "关于全社会共同参与实现全民医保的建议")
    page.fill("#id_proposers", "梁筱钟、况文凤")
    page.fill("#id_assigned_on", "2025-03-10")
    page.get_by_role("button", name="登记").click()
    page.get_by_test_id("due-on").wait_for()
    assert "2025-06-10" in page.get_by_test_id("due-on").inner_text()
    case = Proposal.objects.get(number="166")

    page.get_by_test_id("open-letter").click()
    page.wait_for_url(f"{live_server.url}/replies/letters/**")
    page.fill("#id_heading", "一、关于明确部门责任加强协作的建议")
    page.fill("#id_body", "2024年以来，我区积极探索，以开发应用“医保全民参保一件事”为契机，进一步完善工作机制。")
    page.get_by_test_id("add-section").click()
    page.get_by_test_id("section").first.wait_for()
    # edit the section in place (htmx, served by the portal itself)
    page.locator("[data-testid=section] textarea[name=body]").fill(
        "2024年以来，我区积极探索，进一步完善工作机制，加强部门协作。"
    )
    page.get_by_test_id("save-section").click()
    page.get_by_test_id("saved").wait_for()
    page.select_option("#id_classification", "A")
    page.fill("#id_document_number", "江医保函〔2025〕12号")
    page.fill("#id_contact_person", "王静")
    page.fill("#id_contact_phone", "023-47521234")
    page.get_by_test_id("save-header").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("problems").count() == 0
    assert page.get_by_test_id("sign").count() == 0  # the clerk may not sign
    letter_url = page.url

    page.context.clear_cookies()
    login_page(page, live_server, boss)
    page.goto(letter_url)
    page.get_by_test_id("sign").click()
    page.get_by_test_id("locked").wait_for()
    assert "丁润清" in page.get_by_test_id("locked").inner_text()
    assert page.locator("textarea[name=body]").count() == 0  # nothing editable any more
    v = LetterVersion.objects.get(letter__proposal=case)
    assert v.state == "signed" and v.signer_name == "丁润清"

    with page.expect_download() as download:
        page.get_by_test_id("docx").click()
    doc = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    assert any("一、关于明确部门责任加强协作的建议" == p.text for p in doc.paragraphs)
    assert any(p.text == "2024年以来，我区积极探索，进一步完善工作机制，加强部门协作。" for p in doc.paragraphs)
    assert any(p.text.startswith("此答复函已经") and "丁润清" in p.text for p in doc.paragraphs)

    page.goto(f"{live_server.url}/replies/{case.pk}/")
    assert page.get_by_test_id("case-status").inner_text().startswith("已审签")
