"""factory_boy factories for the claims models a test builds by hand (the import pipeline and the
engine build the real ones: tests/claims/claims_db_helpers.py imports settlement files the way
hospitals send them).

A ``SettlementFactory`` row keeps the table's checks: personal paid is the rest of the in-scope cost,
only inpatient kinds have a discharge date.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from claims.models import Policy, PolicyVersion, Recalculation, Settlement, SettlementImport, SettlementLine
from claims.policies import digest, normalise, read_policy_file
from tests.factories import InstitutionFactory

INPATIENT = ("inpatient", "inpatient_accident")


class PolicyFactory(factory.django.DjangoModelFactory):
    """A policy row (its code names a shipped file when its versions need a real document)."""

    class Meta:
        model = Policy
        django_get_or_create = ["code"]

    code = "guanxian-2018"
    name = factory.LazyAttribute(lambda o: f"政策 {o.code}")
    scheme = "resident"
    year = 2018


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    """A version of the policy; the document is the shipped file of its code (or ``{}`` when none is)."""

    class Meta:
        model = PolicyVersion
        django_get_or_create = ["policy", "number"]

    policy = factory.SubFactory(PolicyFactory)
    number = 1
    document = factory.LazyAttribute(lambda o: _shipped_document(o.policy.code))
    digest = factory.LazyAttribute(lambda o: digest(o.document))
    note = ""


def _shipped_document(code: str) -> dict:
    try:
        return normalise(read_policy_file(code))
    except LookupError:
        return {}


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settlement

    number = factory.Sequence(lambda n: f"F{n:08d}")
    institution = factory.SubFactory(InstitutionFactory)
    id_number = "500116197005050012"
    name = "张三"
    sex = "M"
    birth_date = date(1970, 5, 5)
    division = None
    scheme = "resident"
    kind = "inpatient"
    hospital_level = 2
    settled_on = date(2018, 3, 10)
    admitted_on = factory.LazyAttribute(
        lambda o: o.settled_on - timedelta(days=5) if o.kind in INPATIENT else o.settled_on
    )
    discharged_on = factory.LazyAttribute(lambda o: o.settled_on if o.kind in INPATIENT else None)
    total_cost = Decimal("8000.00")
    in_scope_cost = factory.LazyAttribute(lambda o: o.total_cost)
    deductible = Decimal("0.00")
    fund_paid = Decimal("0.00")
    critical_paid = Decimal("0.00")
    personal_paid = factory.LazyAttribute(lambda o: o.in_scope_cost - o.fund_paid - o.critical_paid)
    policy_version = factory.SubFactory(PolicyVersionFactory)


class SettlementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SettlementLine

    settlement = factory.SubFactory(SettlementFactory)
    item_code = factory.Sequence(lambda n: f"X{n:03d}")
    item_name = factory.LazyAttribute(lambda o: f"项目{o.item_code}")
    category = SettlementLine.Category.B
    quantity = Decimal("1")
    price = Decimal("100.00")
    amount = factory.LazyAttribute(lambda o: (o.quantity * o.price).quantize(Decimal("0.01")))
    charged_on = factory.LazyAttribute(lambda o: o.settlement.settled_on)


class SettlementImportFactory(factory.django.DjangoModelFactory):
    """An import batch in any status (the file itself is not read unless the batch is written)."""

    class Meta:
        model = SettlementImport

    file_name = "settlements.csv"
    raw = b""
    policy = factory.SubFactory(PolicyFactory)
    status = SettlementImport.Status.PREVIEW


class RecalculationFactory(factory.django.DjangoModelFactory):
    """A batch recalculation in any status (no chunks, no report)."""

    class Meta:
        model = Recalculation

    policy_version = factory.SubFactory(PolicyVersionFactory, number=2)
    year = 2018
    status = Recalculation.Status.COMPUTING
    # an approved or applied run has a second person's approval (a database check)
    approved_by = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status in (Recalculation.Status.APPROVED, Recalculation.Status.APPLIED)),
        yes_declaration=factory.SubFactory("tests.factories.UserFactory", role="director"),
        no_declaration=None,
    )
