"""The reimburse CSV contract as pure functions: good files, bad lines named."""

import pytest

from claims.rules import VisitsError, parse_visits_csv, reimburse_csv
from tests.claims.claims_rules_helpers import load_policy

GX = load_policy("guanxian-2018")
HEADER = "visit_id,person_id,date,kind,hospital_level,in_scope_cost,essential_drug_cost,disease,third_party,group,employment,continuous_years"


def test_good_file_in_input_order_with_extra_columns():
    text = (
        HEADER + ",note\n"
        "v2,P1,2018-03-01,inpatient,2,8000,,,,,,,second\n"
        "v9,P2,2018-01-05,outpatient_general,1,100,,,0,resident,,,\n"
        "v1,P1,2018-02-01,inpatient,2,8000,,,,,,,first\n"
        "v3,P3,2018-02-01,outpatient_chronic,2,1000,,糖尿病,,,,3,\n"
        "v4,P4,2018-02-01,outpatient_accident,1,300,,,1,student,,,\n"
    )
    assert reimburse_csv(GX, text) == (
        "visit_id,deductible,fund_paid,critical_paid,personal_paid\n"
        "v2,250.00,5425.00,0.00,2575.00\n"
        "v9,0.00,50.00,0.00,50.00\n"
        "v1,500.00,5250.00,0.00,2750.00\n"
        "v3,0.00,650.00,0.00,350.00\n"
        "v4,0.00,0.00,0.00,300.00\n"
    )


def test_bom_and_blank_lines_are_tolerated():
    text = "\ufeff" + HEADER + "\nv1,P1,2018-02-01,inpatient,1,1000,400,,,,,\n\n"
    assert reimburse_csv(GX, text).splitlines()[1] == "v1,200.00,672.00,0.00,328.00"


@pytest.mark.parametrize(
    "row, expected",
    [
        ("v1,P1,2018-02-01,dental,2,100,,,,,,", "第 2 行，kind 列：dental 不是有效的就诊类别"),
        ("v1,P1,2018-02-01,inpatient,5,100,,,,,,", "第 2 行，hospital_level 列：5 不是 1–4 级医院等级"),
        ("v1,P1,2018-02-01,inpatient,2,12x,,,,,,", "第 2 行，in_scope_cost 列：12x 不是数字"),
        ("v1,P1,2018-02-31,inpatient,2,100,,,,,,", "第 2 行，date 列：2018-02-31 不是日期"),
        ("v1,P1,2018-02-01,inpatient,2,100,,,maybe,,,", "第 2 行，third_party 列：maybe 不是 1 或 0"),
        ("v1,P1,2018-02-01,inpatient,2,100,,,,adult,,", "第 2 行，group 列：adult 不是有效的人群"),
        ("v1,P1,2018-02-01,inpatient,2,100,200,,,,,", "第 2 行，essential_drug_cost 列：大于政策范围内费用"),
        ("v1,,2018-02-01,inpatient,2,100,,,,,,", "第 2 行，person_id 列：必填"),
    ],
)
def test_bad_rows_name_the_line(row, expected):
    text = HEADER + "\n" + row + "\n"
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv(text)
    assert any(m.startswith(expected) for m in exc.value.render()), exc.value.render()


def test_spreadsheet_style_level_is_accepted_but_not_a_fraction():
    text = HEADER + "\nv1,P1,2018-02-01,inpatient,2.0,8000,,,,,,\n"
    assert reimburse_csv(GX, text).splitlines()[1] == "v1,500.00,5250.00,0.00,2750.00"
    with pytest.raises(VisitsError):
        parse_visits_csv(HEADER + "\nv1,P1,2018-02-01,inpatient,2.5,8000,,,,,,\n")


def test_error_on_later_line_names_it():
    text = HEADER + "\nv1,P1,2018-02-01,inpatient,2,100,,,,,,\nv2,P1,2018-02-01,inpatient,9,100,,,,,,\n"
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv(text)
    assert exc.value.render()[0].startswith("第 3 行，hospital_level 列")


def test_missing_column():
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv("visit_id,person_id,date,kind\nv1,P1,2018-01-01,inpatient\n")
    assert "第 1 行，hospital_level 列：缺少该列" in exc.value.render()
