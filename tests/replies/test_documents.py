"""The .docx opens with python-docx and has the seeds' layout and the commitments table."""

import io
from datetime import date

import pytest
from docx import Document

from replies import selectors, services
from replies.documents import letter_docx, letter_plain_text

from .factories import director, office_user, register, signable_letter

pytestmark = [pytest.mark.django_db, pytest.mark.service]


@pytest.fixture
def signed():
    clerk, boss = office_user(), director()
    p = register(clerk)
    services.commitment_add(
        actor=clerk,
        proposal_id=p.pk,
        content="城乡居民基本医疗保险分多级缴费档次和报销比例的建议，我局将认真研究，积极向上级部门反映。",
        due_text="待国家和市局出台新的政策后，持续做好宣传落实。",
        unit="区医保局",
    )
    v = signable_letter(
        clerk,
        p,
        sections=(
            ("一、关于明确部门责任加强协作的建议", "第一段。\n第二段。"),
            ("二、关于加大医疗机构监管的建议", "监管正文。"),
        ),
    )
    services.version_update(actor=clerk, version_id=v.pk, issuing_office="重庆市江津区医疗保障局")
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=date(2025, 4, 15))
    v.refresh_from_db()
    return v


def test_docx_opens_and_holds_the_layout_and_commitments_table(signed):
    doc = Document(io.BytesIO(letter_docx(signed, selectors.version_commitments(signed))))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "A"  # classification, top right
    assert texts[1] == "重庆市江津区医疗保障局关于江津区第十八届人民代表大会第五次会议第166号建议的答复"
    assert texts[2] == "江医保函〔2025〕12号"
    assert "梁筱钟、况文凤代表：" in texts
    assert any(t.startswith("您提出的《关于全社会共同参与实现全民医保的建议》（第166号）收悉") for t in texts)
    assert (
        texts.index("一、关于明确部门责任加强协作的建议")
        < texts.index("第一段。")
        < texts.index("第二段。")
        < texts.index("二、关于加大医疗机构监管的建议")
    )
    assert any(t.startswith("此答复函已经重庆市江津区医疗保障局局长丁润清审签") for t in texts)
    assert "附件：承诺事项列表" in texts and "2025年4月15日" in texts and "联 系 人：王静" in texts
    assert "联系电话：023-47521234" in texts and "（此件主动公开）" in texts
    assert len(doc.tables) == 1
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["序号", "承诺事项具体内容（分项列出）", "承诺落实时间", "责任单位"]
    assert (
        rows[1][0] == "1" and rows[1][3] == "区医保局" and rows[1][1].startswith("城乡居民基本医疗保险分多级缴费档次")
    )
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_docx_download_and_print_page_are_audited(signed, client_as):
    from medinsure.audit.models import AuditLog

    c = client_as(office_user())
    r = c.get(f"/replies/letters/{signed.pk}/docx/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    Document(io.BytesIO(r.content))
    r = c.get(f"/replies/letters/{signed.pk}/print/")
    assert r.status_code == 200 and "承诺事项列表" in r.content.decode()
    assert AuditLog.objects.filter(action="export", object_id=str(signed.pk)).count() == 2


def test_plain_text_follows_the_same_order(signed):
    text = letter_plain_text(signed, signed.commitments_snapshot)
    assert (
        text.index("梁筱钟、况文凤代表：")
        < text.index("一、关于明确")
        < text.index("此答复函已经")
        < text.index("承诺事项列表\n")
    )
