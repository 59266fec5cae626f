"""The pages: list sorted by due date with the overdue in red, forms naming the field, the editor,
permissions (a township worker and other departments see nothing), the public page."""

from datetime import date

import pytest

from medinsure.accounts.models import Role
from replies import services
from replies.models import HolidayYear, Proposal, Status

from .factories import director, office_user, register, signable_letter

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_case_list_sorted_by_due_with_overdue_in_red(client_as):
    clerk = office_user()
    late = register(clerk, number="1", assigned_on=date(2024, 1, 10))
    soon = register(clerk, number="2", assigned_on=date(2026, 11, 1), urgent=True)
    far = register(clerk, number="3", assigned_on=date(2026, 11, 24))
    html = client_as(clerk).get("/replies/").content.decode()
    assert html.index(f"/replies/{late.pk}/") < html.index(f"/replies/{soon.pk}/") < html.index(f"/replies/{far.pk}/")
    row = html[html.rindex("<tr", 0, html.index(f"/replies/{late.pk}/")) : html.index(f"/replies/{late.pk}/")]
    assert 'class="table-danger"' in row and 'data-overdue="1"' in row
    far_row = html[html.rindex("<tr", 0, html.index(f"/replies/{far.pk}/")) : html.index(f"/replies/{far.pk}/")]
    assert 'data-overdue="0"' in far_row and "临时" in far_row


def test_create_form_names_the_bad_field(client_as):
    c = client_as(office_user())
    r = c.post(
        "/replies/new/",
        {
            "kind": "npc",
            "session": "第四次会议",
            "number": "第136号",
            "title": "关于…的建议",
            "proposers": "李孝艳",
            "assigned_on": "2025-03-10",
            "handler_role": "lead",
        },
    )
    assert r.status_code == 200 and 'data-testid="error-number"' in r.content.decode()
    r = c.post(
        "/replies/new/",
        {
            "kind": "npc",
            "session": "第四次会议",
            "number": "136",
            "title": "关于…的建议",
            "proposers": "梁筱钟、况文凤",
            "assigned_on": "2025-03-10",
            "handler_role": "lead",
        },
    )
    p = Proposal.objects.get()
    assert r.status_code == 302 and p.proposers == ["梁筱钟", "况文凤"] and p.due_on == date(2025, 6, 10)


def test_case_detail_shows_provisional_reason(client_as):
    clerk = office_user()
    p = register(clerk, assigned_on=date(2026, 11, 24))
    html = client_as(clerk).get(f"/replies/{p.pk}/").content.decode()
    assert "2027-02-24" in html and "2027年放假安排尚未录入" in html


def test_html_actions_flow(client_as):
    clerk, boss = office_user(), director()
    p = register(clerk)
    c = client_as(clerk)
    r = c.post(f"/replies/{p.pk}/do/assign/", {"department": "enrollment", "drafter": clerk.pk})
    assert r.status_code == 302
    c.post(
        f"/replies/{p.pk}/do/contact/",
        {"contacted_on": "2025-03-20", "stage": "before", "method": "meeting", "person": "梁筱钟", "summary": "面商"},
    )
    c.post(f"/replies/{p.pk}/do/commitment/", {"content": "积极向上级反映", "due_text": "2025年底", "unit": "区医保局"})
    p.refresh_from_db()
    assert p.status == Status.HANDLING and p.contacts.count() == 1 and p.commitments.count() == 1
    r = c.post(f"/replies/{p.pk}/letter/")
    version_url = r["Location"]
    section_r = c.post(f"{version_url}sections/", {"heading": "一、关于明确部门责任加强协作的建议", "body": "正文"})
    assert section_r.status_code == 302
    v = p.letters.get().versions.get()
    s = v.sections.get()
    r = c.post(f"/replies/sections/{s.pk}/", {"heading": s.heading, "body": "改过的正文"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-testid="saved"' in r.content.decode()
    # a clerk cannot sign; the page shows what is missing
    html = c.get(version_url).content.decode()
    assert 'data-testid="sign"' not in html and 'data-testid="problems"' in html
    c.post(
        version_url,
        {
            "addressee": v.addressee,
            "opening": v.opening,
            "closing": v.closing,
            "classification": "A",
            "publication": "public",
            "document_number": "江医保函〔2025〕12号",
            "issuing_office": "重庆市江津区医疗保障局",
            "contact_person": "王静",
            "contact_phone": "023-1",
        },
    )
    r = c.post(f"/replies/letters/{v.pk}/sign/")
    v.refresh_from_db()
    assert v.state == "draft"
    b = client_as(boss)
    b.post(f"/replies/letters/{v.pk}/sign/")
    v.refresh_from_db()
    assert v.state == "signed"
    r = b.post(f"/replies/sections/{s.pk}/", {"heading": "x", "body": "signed text must not change"})
    s.refresh_from_db()
    assert s.body == "改过的正文"


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.CLAIMS, Role.ENROLLMENT])
def test_other_roles_cannot_use_the_pages(client_as, make_user, divisions, role):
    p = register(office_user())
    v = signable_letter(office_user(), p)
    c = client_as(make_user(role, divisions.town_a if role == Role.TOWNSHIP else None))
    for url in (
        "/replies/",
        f"/replies/{p.pk}/",
        f"/replies/letters/{v.pk}/",
        f"/replies/letters/{v.pk}/docx/",
        "/replies/holidays/",
    ):
        assert c.get(url).status_code == 403


def test_missing_case_is_404(client_as):
    assert client_as(office_user()).get("/replies/999999/").status_code == 404


def test_public_page_without_login_shows_the_redacted_copy(client):
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(clerk, p, sections=(("一、关于监管的建议", "投诉人电话13912345678已回访。"),))
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=date(2025, 5, 20))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=date(2025, 5, 20))
    pub = services.letter_publish(actor=clerk, version_id=v.pk)
    assert pub.title in client.get("/replies/public/").content.decode()
    html = client.get(f"/replies/public/{pub.pk}/").content.decode()
    assert "13912345678" not in html and "■■■" in html
    assert client.get("/replies/").status_code == 302  # the rest needs a login


def test_holiday_year_form(client_as):
    c = client_as(office_user())
    r = c.post(
        "/replies/holidays/",
        {"year": 2027, "note": "国办发明电", "holidays": "2027-01-01 元旦\n2027-1-2", "workdays": ""},
    )
    assert r.status_code == 200 and "第2行" in r.content.decode()
    r = c.post(
        "/replies/holidays/",
        {"year": 2027, "note": "国办发明电", "holidays": "2027-01-01 元旦\n2027-02-24 春节", "workdays": "2027-02-20"},
    )
    assert r.status_code == 302 and HolidayYear.objects.get(year=2027).days.count() == 3


def test_stats_page(client_as, make_user):
    register(office_user())
    html = client_as(make_user(Role.LEADER)).get("/replies/stats/?year=2025").content.decode()
    assert 'data-testid="total">1<' in html


def test_case_page_shows_the_other_clocks(client_as):
    clerk, boss = office_user(), director()
    p = register(clerk, assigned_on=date(2025, 3, 10))
    html = client_as(clerk).get(f"/replies/{p.pk}/").content.decode()
    assert 'data-testid="clock-return">2025-03-24' in html and 'data-testid="clock-co_handler">2025-04-10' in html
    services.letter_sign(actor=boss, version_id=signable_letter(clerk, p).pk, signed_on=date(2025, 9, 26))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=date(2025, 9, 26))
    html = client_as(clerk).get(f"/replies/{p.pk}/").content.decode()
    assert 'data-testid="clock-feedback">2025-10-23' in html and "clock-return" not in html


def test_insert_a_figure_from_the_editor(client_as):
    from replies.models import FrozenFigure

    boss = director()
    p = register(boss)
    v = services.letter_start(actor=boss, proposal_id=p.pk)
    s = services.section_add(actor=boss, version_id=v.pk, heading="三、关于门诊共济的建议", body="")
    c = client_as(boss)
    r = c.post(
        f"/replies/sections/{s.pk}/figure/", {"source": "policy_summary", "code": "sanming-employee-outpatient-2022"}
    )
    assert r.status_code == 302
    f = FrozenFigure.objects.get(section=s)
    s.refresh_from_db()
    assert s.body == f.text and "起付线700元" in s.body
    html = c.get(f"/replies/letters/{v.pk}/").content.decode()
    assert 'data-testid="frozen-figure"' in html and "sanming-employee-outpatient-2022" in html
    r = c.post(
        f"/replies/sections/{s.pk}/figure/",
        {"source": "fund_execution", "fund": "employee", "year": "2024"},
        follow=True,
    )
    assert "month" in r.content.decode() and FrozenFigure.objects.count() == 1


def test_list_queries_do_not_grow_with_cases(client_as, django_assert_max_num_queries):
    clerk = office_user()
    for n in range(30):
        register(clerk, number=str(n))
    c = client_as(clerk)
    c.get("/replies/")
    with django_assert_max_num_queries(12):
        assert c.get("/replies/?open=0").status_code == 200


def test_sign_off_problems_are_named_in_chinese(client_as):
    clerk = office_user()
    p = register(clerk)
    v = services.letter_start(actor=clerk, proposal_id=p.pk)
    services.section_add(actor=clerk, version_id=v.pk, heading="一、", body="")
    html = client_as(clerk).get(f"/replies/letters/{v.pk}/").content.decode()
    assert "第1段 正文：不能为空" in html and "文号：不能为空" in html and "document_number：" not in html


def test_classes_offered_follow_the_setting(client_as, settings):
    settings.REPLIES_CLASSES = ("A", "B", "C", "D")
    clerk = office_user()
    v = services.letter_start(actor=clerk, proposal_id=register(clerk).pk)
    assert 'value="D"' in client_as(clerk).get(f"/replies/letters/{v.pk}/").content.decode()
    settings.REPLIES_CLASSES = ("A", "B", "C")
    assert 'value="D"' not in client_as(clerk).get(f"/replies/letters/{v.pk}/").content.decode()


def test_public_page_shows_the_feedback(client):
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(clerk, p)
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=date(2025, 5, 20))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=date(2025, 5, 20))
    pub = services.letter_publish(actor=clerk, version_id=v.pk)
    services.receipt_record(actor=clerk, proposal_id=p.pk, opinion="basic", received_on=date(2025, 6, 3))
    html = client.get(f"/replies/public/{pub.pk}/").content.decode()
    assert "基本满意" in html and 'data-testid="feedback"' in html


def test_reminder_and_commitment_pages(client_as):
    clerk = office_user()
    p = register(clerk, assigned_on=date(2025, 3, 10))
    services.proposal_assign(actor=clerk, proposal_id=p.pk, department="office", drafter=clerk)
    services.commitment_add(
        actor=clerk,
        proposal_id=p.pk,
        content="研究门诊共济",
        due_text="2025年6月",
        unit="区医保局",
        due_on=date(2025, 6, 30),
    )
    services.reminders_run(as_of=date(2025, 6, 11))
    c = client_as(clerk)
    html = c.get("/replies/reminders/").content.decode()
    assert "已超过答复期限（2025-06-10）" in html and "table-danger" in html
    html = c.get("/replies/commitments/").content.decode()
    assert "研究门诊共济" in html and "2025-06-30" in html
    other = client_as(office_user()).get("/replies/reminders/").content.decode()
    assert "暂无提醒" in other and "已超过答复期限" not in other  # reminders are personal


def test_holiday_year_prefilled_for_correction(client_as):
    html = client_as(office_user()).get("/replies/holidays/?year=2026").content.decode()
    assert "2026-02-15 春节" in html and "2026-02-14" in html and 'value="2026"' in html


@pytest.mark.parametrize("url", ["/replies/?year=99999", "/replies/stats/?year=99999", "/replies/holidays/?year=99999"])
def test_year_out_of_range_is_not_a_500(client_as, make_user, url):
    # A year past 9999 used to reach the ORM's year lookup (date(99999, 1, 1)) and crash with a 500.
    r = client_as(make_user(Role.LEADER) if "stats" in url else office_user()).get(url)
    assert r.status_code == 200


def test_api_case_list_year_out_of_range_is_not_a_500(api_as):
    r = api_as(office_user()).get("/api/v1/replies/proposals/?year=99999")
    assert r.status_code in (200, 400)


def test_unknown_commitment_action_or_section_is_404(client_as):
    # Same 404 whether missing or out of reach (was a 403 for an unknown commitment or action).
    clerk = office_user()
    p = register(clerk, number="404")
    c = client_as(clerk)
    assert c.post(f"/replies/{p.pk}/commitments/999999/progress/", {}).status_code == 404
    assert c.post(f"/replies/{p.pk}/do/nonsense/", {}).status_code == 404
    assert c.post("/replies/sections/999999/delete/", {}).status_code == 404
