"""One visit builder for the engine: a stored settlement, a named row, a file's checked row and the
calculator's input give the same Visit; the visit id is spelt in one place."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from claims.rules import Visit
from claims.visits import visit_from_settlement, visit_id

ROW = {
    "number": "JS001",
    "institution_id": 42,
    "id_number": "500116197005050012",
    "settled_on": date(2018, 3, 10),
    "kind": "inpatient",
    "hospital_level": 2,
    "in_scope_cost": Decimal("8000.00"),
    "essential_drug_cost": Decimal("10.00"),
    "disease": "糖尿病",
    "third_party": False,
    "group": "student",
    "employment": "",
    "continuous_years": 3,
    "tier": 2,
    "poor": True,
}


def test_visit_id_format():
    assert visit_id(date(2018, 3, 10), 42, "JS001") == "20180310-00000042-JS001"


def test_mapping_and_object_give_the_same_visit():
    expected = Visit(
        visit_id="20180310-00000042-JS001",
        person_id="500116197005050012",
        date=date(2018, 3, 10),
        kind="inpatient",
        hospital_level=2,
        in_scope_cost=Decimal("8000.00"),
        essential_drug_cost=Decimal("10.00"),
        disease="糖尿病",
        third_party=False,
        group="student",
        employment="",
        continuous_years=3,
        tier=2,
        poor=True,
    )
    assert visit_from_settlement(ROW) == expected
    assert visit_from_settlement(SimpleNamespace(**ROW)) == expected


def test_missing_optional_fields_take_the_engines_defaults_and_an_explicit_id_wins():
    row = {k: ROW[k] for k in ("id_number", "settled_on", "kind", "hospital_level", "in_scope_cost")}
    v = visit_from_settlement(row, visit_id="01")
    assert v == Visit(
        visit_id="01",
        person_id=ROW["id_number"],
        date=ROW["settled_on"],
        kind="inpatient",
        hospital_level=2,
        in_scope_cost=Decimal("8000.00"),
    )
