"""The letter as the seeds lay it out: .docx (python-docx) and plain text (print and publication)."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from replies.models import LetterVersion, Publication

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
COMMITMENT_HEADERS = ("序号", "承诺事项具体内容（分项列出）", "承诺落实时间", "责任单位")


def chinese(func):
    """An official letter is written in Chinese whatever the reader's interface language."""
    from functools import wraps

    @wraps(func)
    def wrapped(*args, **kwargs):
        with translation.override("zh-hans"):
            return func(*args, **kwargs)

    return wrapped


@chinese
def letter_title(version: LetterVersion) -> str:
    p = version.letter.proposal
    kind = _("建议") if p.kind == "npc" else _("提案")
    return _("%(office)s关于%(session)s第%(number)s号%(kind)s的答复") % {
        "office": version.issuing_office,
        "session": p.session,
        "number": p.number,
        "kind": kind,
    }


def date_cn(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def signing_sentence(version: LetterVersion) -> str:
    if not version.signer_name:
        return ""
    body = _("区人大常委会代表工委") if version.letter.proposal.kind == "npc" else _("区政协提案委员会")
    return _("此答复函已经%(office)s局长%(name)s审签。对以上答复有什么意见，请通过填写回执及时反馈%(body)s。") % {
        "office": version.issuing_office,
        "name": version.signer_name,
        "body": body,
    }


def publication_note(version: LetterVersion) -> str:
    return "（" + _("此件%(status)s") % {"status": Publication(version.publication).label} + "）"


@chinese
def letter_blocks(version: LetterVersion, commitments: list[dict]) -> dict:
    """The letter's parts in order; the one source of the .docx, the print page and publication."""
    sections = list(version.sections.order_by("order"))
    return {
        "classification": version.classification,
        "title": letter_title(version),
        "document_number": version.document_number,
        "addressee": version.addressee + "：",
        "opening": version.opening,
        "sections": [(s.heading, [p for p in s.body.splitlines() if p.strip()]) for s in sections],
        "withheld": [s.withheld for s in sections],
        "closing": version.closing,
        "signing": signing_sentence(version),
        "attachment_note": _("附件：承诺事项列表") if commitments else "",
        "office": version.issuing_office,
        "date": date_cn(version.issued_on),
        "contact": _("联 系 人：%(name)s") % {"name": version.contact_person} if version.contact_person else "",
        "phone": _("联系电话：%(phone)s") % {"phone": version.contact_phone} if version.contact_phone else "",
        "publication": publication_note(version),
        "commitments": commitments,
    }


@chinese
def letter_plain_text(version: LetterVersion, commitments: list[dict], *, for_publication: bool = False) -> str:
    """The letter as text; ``for_publication`` leaves out the sections marked not for publication."""
    b = letter_blocks(version, commitments)
    lines = [b["title"], b["document_number"], "", b["addressee"], b["opening"]]
    for (heading, paragraphs), withheld in zip(b["sections"], b["withheld"], strict=True):
        if heading:
            lines.append(heading)
        if withheld and for_publication:
            lines.append(_("（此部分内容不予公开）"))
            continue
        lines.extend(paragraphs)
    lines += [
        b["closing"],
        b["signing"],
        b["attachment_note"],
        "",
        b["office"],
        b["date"],
        b["contact"],
        b["phone"],
        b["publication"],
    ]
    if commitments:
        lines += ["", _("附件"), _("承诺事项列表"), " | ".join(COMMITMENT_HEADERS)]
        lines += [f"{c['number']} | {c['content']} | {c['due_text']} | {c['unit']}" for c in commitments]
    return "\n".join(line for line in lines if line is not None).strip() + "\n"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, font=BODY_FONT, size=16, bold=False, align=None, indent=True):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent and align is None:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(text), font, size, bold)
    return p


@chinese
def letter_docx(version: LetterVersion, commitments: list[dict]) -> bytes:
    """GB/T 9704 page (A4, margins 37/35/28/26 mm), 三号仿宋 body, 二号小标宋 title."""
    b = letter_blocks(version, commitments)
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    if b["classification"]:
        _para(doc, b["classification"], font=HEADING_FONT, size=16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, b["title"], font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    if b["document_number"]:
        _para(doc, b["document_number"], align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "", indent=False)
    _para(doc, b["addressee"], indent=False)
    _para(doc, b["opening"])
    for heading, paragraphs in b["sections"]:
        if heading:
            _para(doc, heading, font=HEADING_FONT)
        for text in paragraphs:
            _para(doc, text)
    for key in ("closing", "signing", "attachment_note"):
        if b[key]:
            _para(doc, b[key])
    _para(doc, "", indent=False)
    for key in ("office", "date"):
        _para(doc, b[key], align=WD_ALIGN_PARAGRAPH.RIGHT)
    for key in ("contact", "phone"):
        if b[key]:
            _para(doc, b[key], indent=False)
    _para(doc, b["publication"], indent=False)
    if commitments:
        p = doc.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)
        _para(doc, _("附件"), font=HEADING_FONT, indent=False)
        _para(doc, _("承诺事项列表"), font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, COMMITMENT_HEADERS, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 12, True)
        for c in commitments:
            row = table.add_row().cells
            for cell, text in zip(row, (str(c["number"]), c["content"], c["due_text"], c["unit"]), strict=True):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
