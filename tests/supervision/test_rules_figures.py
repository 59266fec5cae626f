from decimal import Decimal as D

import pytest

from supervision.rules.figures import (
    KEYS,
    AgreementRec,
    DecisionRec,
    EventRec,
    FlagRec,
    InspectionRec,
    yearly_figures,
)


def test_empty_year_has_every_key_at_zero():
    f = yearly_figures(2024)
    assert set(f.total) == set(KEYS)
    assert all(v == 0 for v in f.total.values())


def test_institutions_inspected_counts_distinct_institutions_per_period():
    f = yearly_figures(
        2024,
        inspections=[
            InspectionRec(1, "medical", 3),
            InspectionRec(1, "medical", 5),
            InspectionRec(1, "medical", 5),
            InspectionRec(2, "pharmacy", 5),
        ],
    )
    assert f.total["inspections"] == 4
    assert f.total["institutions_inspected"] == 2  # not 1 + 2 months
    assert f.by_month[3]["institutions_inspected"] == 1
    assert f.by_month[5]["institutions_inspected"] == 2
    assert f.by_kind["medical"]["institutions_inspected"] == 1
    assert f.by_kind["medical"]["inspections"] == 3


def test_report_figures_are_part_of_the_totals_not_added():
    decisions = [
        DecisionRec("medical", 4, True, D("100.00"), D("0"), D("200.00")),
        DecisionRec("pharmacy", 6, True, D("50.00"), D("5"), D("20.00"), from_report=True),
        DecisionRec("pharmacy", 6, False, D("0"), D("7"), D("0"), from_report=True),
    ]
    f = yearly_figures(2024, decisions=decisions)
    assert f.total["penalties_or_agreement_handlings"] == 2
    assert f.total["recovered"] == D("150.00")
    assert f.total["fines"] == D("220.00")
    assert f.total["reports_handled"] == 1
    assert f.total["reports_recovered"] == D("50.00")
    assert f.total["reports_fines"] == D("20.00")
    assert f.total["rejected"] == D("12")


def test_agreements_events_and_flags_by_kind_and_month():
    f = yearly_figures(
        2024,
        agreements=[
            AgreementRec("medical", 1, "terminate"),
            AgreementRec("pharmacy", 2, "terminate"),
            AgreementRec("pharmacy", 2, "suspend"),
        ],
        events=[
            EventRec("publicized", "medical", 3),
            EventRec("reports_received", "other", 3),
            EventRec("transferred_to_police", "person", 9),
        ],
        flags=[FlagRec("medical", 1, 10, 3, D("99.50")), FlagRec("pharmacy", 1, 5, 0)],
    )
    t = f.total
    assert (t["agreements_terminated"], t["agreements_suspended"]) == (2, 1)
    assert f.by_kind["pharmacy"]["agreements_terminated"] == 1
    assert f.by_month[2]["agreements_suspended"] == 1
    assert (t["publicized"], t["reports_received"], t["transferred_to_police"]) == (1, 1, 1)
    assert (t["flags_raised"], t["flags_confirmed"], t["rejected"]) == (15, 3, D("99.50"))
    # the months add up to the year for every summable key
    for key in KEYS:
        if key != "institutions_inspected":
            assert sum(f.by_month[m][key] for m in f.by_month) == t[key]
            assert sum(f.by_kind[k][key] for k in f.by_kind) == t[key]


@pytest.mark.parametrize(
    "bad",
    [AgreementRec("medical", 1, "pause"), AgreementRec("clinic", 1, "suspend"), AgreementRec("medical", 13, "suspend")],
)
def test_bad_records_are_refused(bad):
    with pytest.raises(ValueError):
        yearly_figures(2024, agreements=[bad])
