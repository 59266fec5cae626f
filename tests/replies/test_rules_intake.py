"""The assigning office's list: every row checked, errors naming the line and the column."""

from datetime import date

import pytest

from replies.rules.intake import IntakeError, IntakeRow, missing_columns, parse_row, parse_rows

GOOD = {
    "类别": "人大代表建议",
    "会议届次": "第四次会议",
    "编号": "136",
    "标题": "《关于加强城乡居民基本医疗保险几点建议》",
    "提出人": "李孝艳",
    "交办日期": "2025-03-10",
    "急件": "否",
}


def test_good_row():
    assert parse_row(GOOD, 2) == IntakeRow(
        2,
        "npc",
        "第四次会议",
        "136",
        "关于加强城乡居民基本医疗保险几点建议",
        ("李孝艳",),
        date(2025, 3, 10),
        False,
        False,
    )


@pytest.mark.parametrize(
    "change, errors",
    [
        ({"类别": "党派"}, [IntakeError(3, "类别", "invalid", "党派")]),
        ({"编号": "第136号"}, []),
        ({"编号": "A-1"}, [IntakeError(3, "编号", "invalid", "A-1")]),
        ({"交办日期": "2025-02-30"}, [IntakeError(3, "交办日期", "invalid", "2025-02-30")]),
        ({"交办日期": "2025年3月10日"}, []),
        ({"急件": "也许"}, [IntakeError(3, "急件", "invalid", "也许")]),
        ({"标题": "", "提出人": ""}, [IntakeError(3, "标题", "missing"), IntakeError(3, "提出人", "missing")]),
    ],
)
def test_row_errors(change, errors):
    result = parse_row({**GOOD, **change}, 3)
    assert (list(result) if isinstance(result, tuple) else []) == errors


def test_proposers_and_flags():
    row = parse_row({**GOOD, "提出人": "梁筱钟、况文凤", "类别": "提案", "急件": "是", "涉及面广难度大": "是"}, 2)
    assert row.proposers == ("梁筱钟", "况文凤") and row.kind == "cppcc" and row.urgent and row.hard


def test_duplicates_inside_the_file_and_blank_lines():
    rows, errors = parse_rows([GOOD, {k: "" for k in GOOD}, dict(GOOD)])
    assert len(rows) == 1 and errors == (IntakeError(4, "编号", "duplicate", "136（第2行）"),)


def test_missing_columns():
    assert missing_columns(["类别", "编号", "标题"]) == ("会议届次", "提出人", "交办日期")


@pytest.mark.parametrize(
    "change, column",
    [
        ({"标题": "长" * 301}, "标题"),
        ({"会议届次": "会" * 101}, "会议届次"),
        ({"编号": "1" * 31}, "编号"),
        ({"提出人": "名" * 51}, "提出人"),
    ],
)
def test_too_long_values_are_named(change, column):
    result = parse_row({**GOOD, **change}, 7)
    assert [(e.line, e.column, e.code) for e in result] == [(7, column, "too_long")]
