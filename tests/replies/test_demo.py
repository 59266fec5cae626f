"""The demo holds the three seed letters as cases split into sections, with Jiangjin's commitments."""

import io

import pytest
from docx import Document

from medinsure.accounts.models import Role
from replies import demo, selectors
from replies.documents import letter_docx
from replies.models import LetterVersion, Proposal, PublishedReply
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_demo_loads_the_seed_letters_once():
    UserFactory(username="office", role=Role.OFFICE)
    UserFactory(username="director", role=Role.DIRECTOR, last_name="李局长")
    demo.load()
    counts = (Proposal.objects.count(), LetterVersion.objects.count(), PublishedReply.objects.count())
    demo.load()
    assert (Proposal.objects.count(), LetterVersion.objects.count(), PublishedReply.objects.count()) == counts

    jj = Proposal.objects.get(number="166")
    v = jj.letters.get().versions.get()
    assert v.state == "signed" and v.signer_name == "丁润清" and v.issued_on.isoformat() == "2025-04-15"
    assert [s.heading for s in v.sections.order_by("order")] == [
        "一、关于明确部门责任加强协作的建议",
        "二、关于加大医疗机构监管的建议",
        "三、关于优化城乡居民基本医疗保险参保考核的建议",
        "四、关于激发居民参保主动性的建议",
        "五、关于建立合理使用医保基金库机制的建议",
    ]
    assert "追回医保基金652.98万元" in v.sections.get(order=2).body
    assert jj.commitments.get().unit == "区医保局" and v.commitments_snapshot[0]["number"] == 1
    assert not jj.overdue and jj.status == "replied"
    doc = Document(io.BytesIO(letter_docx(v, selectors.version_commitments(v))))
    assert doc.tables[0].rows[1].cells[3].text == "区医保局"
    assert any("此答复函已经重庆市江津区医疗保障局局长丁润清审签" in p.text for p in doc.paragraphs)

    ts = Proposal.objects.get(number="136")
    assert ts.letters.get().versions.get().sections.count() == 3
    sm = Proposal.objects.get(number="2023200000038")
    smv = sm.letters.get().versions.get()
    assert sm.kind == "cppcc" and smv.document_number == "明医保函〔2023〕20号" and smv.addressee == "范纯文委员"
    assert (
        PublishedReply.objects.filter(version__letter__proposal__number__in=["166", "136", "2023200000038"]).count()
        == 3
    )
    assert Proposal.objects.filter(overdue=True).count() == 1  # the open case assigned 100 days ago
