"""The one bridge from a settlement to the engine's input (claims.rules.Visit).

``visit_id`` is the one spelling of a settlement's visit id (settlement date, institution, number);
``visit_from_settlement`` builds the engine's ``Visit`` from anything shaped like a settlement: a
``Settlement`` row, a named ``values_list`` row, or a mapping with the settlement's field names (an
imported file's checked row, the calculator's cleaned input). Import, recalculation and the
calculator build their visits here and nowhere else; other apps that need a settlement's visit id
(supervision's audit) take it from here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from claims.rules import Visit

_ZERO = Decimal(0)


def visit_id(settled_on: date, institution_id: int, number: str) -> str:
    """A settlement's visit id: ``YYYYMMDD-<institution id, 8 digits>-<settlement number>``."""
    return f"{settled_on:%Y%m%d}-{institution_id:08d}-{number}"


def visit_from_settlement(row, *, visit_id: str | None = None) -> Visit:
    """The engine's visit for a settlement-shaped ``row`` (its date is the settlement date). Without
    ``visit_id`` the id is built from the row's settlement date, institution and number."""
    if isinstance(row, Mapping):
        get = row.get
    else:

        def get(name, default=None):
            return getattr(row, name, default)

    settled_on = get("settled_on")
    return Visit(
        visit_id=visit_id if visit_id is not None else _visit_id(settled_on, get("institution_id"), get("number")),
        person_id=get("id_number"),
        date=settled_on,
        kind=get("kind"),
        hospital_level=get("hospital_level"),
        in_scope_cost=get("in_scope_cost"),
        essential_drug_cost=_or(get("essential_drug_cost"), _ZERO),
        disease=_or(get("disease"), ""),
        third_party=_or(get("third_party"), False),
        group=_or(get("group"), "resident"),
        employment=_or(get("employment"), ""),
        continuous_years=_or(get("continuous_years"), 0),
        tier=_or(get("tier"), 1),
        poor=_or(get("poor"), False),
    )


_visit_id = visit_id  # the parameter of visit_from_settlement shadows the function's name


def _or(value, default):
    """A missing field (None) stands for the engine's default."""
    return default if value is None else value
