"""The one import vocabulary (medinsure.core.imports): the error report masks personal numbers by the
viewer's role and neutralises formulas; the template carries drop-down lists for choice columns."""

import io

import openpyxl
import pytest

from medinsure.accounts.models import Role
from medinsure.core.imports import RowError, TemplateColumn, error_report_xlsx, template_xlsx

ERRORS = [
    RowError(2, "身份证号", "500116199001011234", "校验位错误"),
    RowError(3, "联系电话", "13812345678", "号码已被他人使用"),
    RowError(4, "姓名", "=HYPERLINK(1)", "姓名含非法字符"),
]


def _rows(data: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.values)


@pytest.mark.django_db
def test_error_report_masks_numbers_unless_the_viewer_may_see_them(make_user, divisions):
    masked = _rows(error_report_xlsx(ERRORS, viewer=make_user(Role.TOWNSHIP, divisions.town_a), title="a.xlsx"))
    assert masked[0][0] == "a.xlsx" and masked[1] == ("行号", "列", "值", "错误说明")
    assert masked[2] == (2, "身份证号", "500116********1234", "校验位错误")
    assert masked[3][2] == "138****5678"
    assert masked[4][2] == "'=HYPERLINK(1)"  # text, never a formula
    shown = _rows(error_report_xlsx(ERRORS, viewer=make_user(Role.ENROLLMENT)))
    assert shown[1][2] == "500116199001011234" and shown[2][2] == "13812345678"


def test_template_has_headings_example_and_dropdowns():
    long_choices = tuple(f"选项{i:03d}" for i in range(80))  # past Excel's 255 characters: a hidden sheet
    data = template_xlsx(
        [
            TemplateColumn("类别", choices=("人大代表建议", "政协提案")),
            TemplateColumn("编号"),
            TemplateColumn("镇街", choices=long_choices),
        ],
        sheet="建议提案",
        example=["人大代表建议", "166", "选项001"],
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["建议提案"]
    assert list(ws.values) == [("类别", "编号", "镇街"), ("人大代表建议", "166", "选项001")]
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules["A2:A10000"] == '"人大代表建议,政协提案"'
    assert rules["C2:C10000"] == "_lists!$C$1:$C$80"
    assert wb["_lists"].sheet_state == "hidden" and wb["_lists"]["C80"].value == "选项079"


def test_template_text_columns_and_notes_sheet():
    data = template_xlsx(
        [
            TemplateColumn("身份证号", text=True, required=True, note="18位身份证号"),
            TemplateColumn("性别", choices=("男", "女")),
        ],
        sheet="户籍",
        notes=True,
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["户籍"]["A2"].number_format == "@" and wb["户籍"]["B2"].number_format != "@"
    assert list(wb["填写说明"].values) == [
        ("列名", "是否必填", "说明"),
        ("身份证号", "是", "18位身份证号"),
        ("性别", "否", "可选值（可从下拉列表选择）：男、女"),
    ]
