"""The published copy's redaction (replies/rules/redaction.py), as a table: every way a letter writes a
phone or an ID number is masked, and every figure a reply letter cites is left as written."""

import pytest

from replies.rules.redaction import MASK, redact

# (text, what must disappear) — every one is masked once, and the words around it stay.
POSITIVE = [
    ("13812345678", "mobile, plain"),
    ("138-1234-5678", "mobile, hyphens"),
    ("138 1234 5678", "mobile, spaces"),
    ("138.1234.5678", "mobile, dots"),
    ("1381234 5678", "mobile, one space"),
    ("138－1234－5678", "mobile, full-width hyphens"),
    ("+8613812345678", "mobile, +86"),
    ("+86 138 1234 5678", "mobile, +86 and spaces"),
    ("+86-138-1234-5678", "mobile, +86 and hyphens"),
    ("0086 13812345678", "mobile, 0086"),
    ("008613812345678", "mobile, 0086 glued"),
    ("8613812345678", "mobile, 86 glued"),
    ("86-13812345678", "mobile, 86 and hyphen"),
    ("(+86)13812345678", "mobile, (+86)"),
    ("（+86）138 1234 5678", "mobile, full-width parentheses"),
    ("19912345678", "mobile, 199"),
    ("500381199001011234", "ID, 18 digits"),
    ("50038119900101123X", "ID, 18 digits with X"),
    ("50038119900101123x", "ID, 18 digits with x"),
    ("500381 19900101 1234", "ID, 18 digits grouped"),
    ("500381900101123", "ID, 15 digits"),
    ("023-47521234", "landline, 3-digit area code"),
    ("02347521234", "landline, glued"),
    ("(023)47521234", "landline, parentheses"),
    ("（023）4752 1234", "landline, full-width parentheses and a space"),
    ("023 4752 1234", "landline, spaces"),
    ("0598-8299160", "landline, 4-digit area code, 7 digits"),
    ("0598 8299160", "landline, 4-digit area code, space"),
    ("010-62345678", "landline, Beijing, 8 digits"),
    ("023-47521234-8001", "landline with extension"),
    ("023-47521234转8001", "landline with 转 extension"),
    ("023-47521234 ext. 12", "landline with ext."),
    ("0086-023-47521234", "landline, 0086"),
    ("zhang.san@example.com", "e-mail"),
]

# Figures a reply letter cites: never masked.
NEGATIVE = [
    "追回医保基金1234567.89元",
    "结余12,345,678元",
    "基金支出13812345678.12元",  # eleven digits that look like a mobile, but an amount with decimals
    "基金收入13812345678元",  # …and an amount in 元
    "参保13800人",
    "参保人数138123456人",
    "2024年",
    "截至2024-06-30",
    "2024年6月30日",
    "2024.06.30",
    "2023—2025年",
    "增长13.8%",
    "占比0.13812345678",
    "完成率138.12％",
    "渝医保发〔2024〕12号",
    "江津府办发〔2023〕138号",
    "区划代码500116100000",  # a 12-digit statistical code
    "网格代码500116100001001",  # a grid: village code + 3 digits
    "652.98万元",
    "137.82万人",
    "共1381234户",
    "12345678901234567890",  # a long run of digits is not a phone
    "第0231号",
    "床位1380张",
    "邮编402260",
    "合计 1,023,456.78 元",
    "1,381,234,567元",
    "13812345678,123元",  # an amount in thousands groups
]


@pytest.mark.parametrize("number, why", POSITIVE, ids=[why for _n, why in POSITIVE])
def test_masked(number, why):
    out = redact(f"经核实，联系方式：{number}，已回复。")
    assert out.text == f"经核实，联系方式：{MASK}，已回复。", why
    assert out.count == 1


@pytest.mark.parametrize("number, why", POSITIVE[:16], ids=[why for _n, why in POSITIVE[:16]])
def test_masked_mobile_glued_to_chinese_text(number, why):
    out = redact(f"电话{number}或")
    assert out.text == f"电话{MASK}或"


@pytest.mark.parametrize("text", NEGATIVE)
def test_figures_are_left_alone(text):
    out = redact(f"据统计，{text}。")
    assert (out.text, out.count) == (f"据统计，{text}。", 0)


def test_the_table_is_big_enough():
    assert len(POSITIVE) >= 20 and len(NEGATIVE) >= 20


@pytest.mark.parametrize(
    "written, kept",
    [
        ("023-4752 1234", "023-47521234"),
        ("(023)47521234", "023-47521234"),
        ("+86 191 2286 5531", "19122865531"),
        ("191-2286-5531", "19122865531"),
    ],
)
def test_the_bureaus_own_number_is_kept_however_it_is_written(written, kept):
    out = redact(f"联系电话：{written}；举报人电话13912345678", keep=(kept,))
    assert out.text == f"联系电话：{written}；举报人电话{MASK}"
    assert out.count == 1


def test_several_numbers_in_one_list():
    out = redact("13812345678,13912345678、023-47521234;500381199001011234")
    assert out.text == f"{MASK},{MASK}、{MASK};{MASK}"
    assert out.count == 4
