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
        ("v1,P1,2018-02-01,dental,2,100,,,,,,", "line 2, column kind: dental is not a kind"),
        ("v1,P1,2018-02-01,inpatient,5,100,,,,,,", "line 2, column hospital_level: 5 is not a hospital level 1–4"),
        ("v1,P1,2018-02-01,inpatient,2,12x,,,,,,", "line 2, column in_scope_cost: 12x is not a number"),
        ("v1,P1,2018-02-31,inpatient,2,100,,,,,,", "line 2, column date: 2018-02-31 is not a date"),
        ("v1,P1,2018-02-01,inpatient,2,100,,,maybe,,,", "line 2, column third_party: maybe is not 1 or 0"),
        ("v1,P1,2018-02-01,inpatient,2,100,,,,adult,,", "line 2, column group: adult is not a group"),
        ("v1,P1,2018-02-01,inpatient,2,100,200,,,,,", "line 2, column essential_drug_cost: is larger than"),
        ("v1,,2018-02-01,inpatient,2,100,,,,,,", "line 2, column person_id: is required"),
    ],
)
def test_bad_rows_name_the_line(row, expected):
    text = HEADER + "\n" + row + "\n"
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv(text)
    assert any(m.startswith(expected) for m in exc.value.render()), exc.value.render()


def test_error_on_later_line_names_it():
    text = HEADER + "\nv1,P1,2018-02-01,inpatient,2,100,,,,,,\nv2,P1,2018-02-01,inpatient,9,100,,,,,,\n"
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv(text)
    assert exc.value.render()[0].startswith("line 3, column hospital_level")


def test_missing_column():
    with pytest.raises(VisitsError) as exc:
        parse_visits_csv("visit_id,person_id,date,kind\nv1,P1,2018-01-01,inpatient\n")
    assert "line 1, column hospital_level: missing column" in exc.value.render()
