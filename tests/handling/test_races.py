"""Two real connections at once: an invoice is paid once; a point's tracking numbers stay distinct."""

import pytest
from django.core.exceptions import ValidationError

from claims.models import ManualClaim, Settlement
from claims.services import manual_claim_settle
from handling.models import Application
from handling.services import application_receive
from medinsure.accounts.models import Role
from tests.claims.claims_db_helpers import hospitals, load_policy
from tests.handling.factories import covered_resident, points
from tests.races import race, split

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]

LINES = [{"item_name": "床位费", "category": "b", "quantity": "4", "price": "1500"}]


def test_two_concurrent_submissions_of_one_invoice_pay_once(divisions, make_user):
    from datetime import date

    load_policy("guanxian-2018")
    h = hospitals(divisions)[2]
    resident = covered_resident(1, divisions.village_a1)
    clerk = make_user(Role.CLAIMS)

    def submit():
        return manual_claim_settle(
            actor=clerk,
            resident_id=resident.pk,
            institution_id=h.pk,
            invoice_number="INV-RACE",
            reason="remote",
            policy_code="guanxian-2018",
            kind="inpatient",
            hospital_level=2,
            admitted_on=date(2018, 3, 1),
            discharged_on=date(2018, 3, 5),
            lines=LINES,
        )

    results, errors = split(race(submit, submit))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and list(errors[0].message_dict) == ["invoice_number"]
    assert ManualClaim.objects.count() == 1 and Settlement.objects.count() == 1


def test_concurrent_receipts_at_one_point_get_distinct_numbers(divisions, make_user):
    point = points(divisions)["town_a"]
    resident = covered_resident(2, divisions.village_a1)
    clerks = [make_user(Role.TOWNSHIP, division=divisions.town_a) for _ in range(3)]

    def receive(clerk):
        return lambda: (
            application_receive(
                actor=clerk,
                point_id=point.pk,
                item_code="record_print",
                resident_id=resident.pk,
                applicant_name="本人",
                papers_received=["居民身份证或社会保障卡"],
            ).tracking_number
        )

    results, errors = split(race(*(receive(c) for c in clerks)))
    assert errors == [] and len(set(results)) == 3
    assert Application.objects.count() == 3
