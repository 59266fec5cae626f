"""English is available for the interface; the letter itself stays Chinese."""

import io
from datetime import date

import pytest
from django.utils import translation
from docx import Document

from replies import selectors, services
from replies.documents import letter_docx

from .factories import director, office_user, register, signable_letter

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_interface_in_english_letter_in_chinese(client_as):
    clerk, boss = office_user(), director()
    p = register(clerk)
    services.commitment_add(actor=clerk, proposal_id=p.pk, content="研究", due_text="2025年底", unit="区医保局")
    v = signable_letter(clerk, p)
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=date(2025, 4, 15))
    c = client_as(clerk)
    c.post("/i18n/setlang/", {"language": "en", "next": "/replies/"})
    html = c.get(f"/replies/{p.pk}/").content.decode()
    assert "Open this round's letter" in html and "Signed" in html and "Return of a wrongly assigned" not in html
    with translation.override("en"):
        v.refresh_from_db()
        doc = Document(io.BytesIO(letter_docx(v, selectors.version_commitments(v))))
        assert any(par.text.startswith("此答复函已经") for par in doc.paragraphs)
        assert any(par.text == "（此件主动公开）" for par in doc.paragraphs)
        assert any(
            par.text == "附件：承诺事项列表" for par in doc.paragraphs
        )  # translated in the UI, not in the letter
        assert doc.tables[0].rows[0].cells[0].text == "序号"
