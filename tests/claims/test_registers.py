"""claims.services.registers on their own: overlapping registrations refused on the field, revocations,
an invoice paid once (also across two people), one audit row per change."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from claims import services
from claims.models import DiseaseRegistration, RemoteCareFiling
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from tests.claims.claims_db_helpers import hospitals, load_policy
from tests.handling.factories import covered_resident

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_an_overlapping_registration_is_refused_and_a_revocation_ends_it(divisions, make_user):
    clerk = make_user(Role.CLAIMS)
    r = covered_resident(1, divisions.village_a1)
    reg = services.disease_register(
        actor=clerk,
        resident_id=r.pk,
        disease="糖尿病",
        kind="chronic",
        valid_from=date(2025, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        services.disease_register(
            actor=clerk, resident_id=r.pk, disease="糖尿病", kind="chronic", valid_from=date(2026, 1, 1)
        )
    assert list(exc.value.message_dict) == ["disease"]
    services.disease_revoke(actor=clerk, registration_id=reg.pk, on=date(2025, 6, 1))
    assert DiseaseRegistration.objects.get(pk=reg.pk).revoked_on == date(2025, 6, 1)
    with pytest.raises(ValidationError) as exc:
        services.disease_revoke(actor=clerk, registration_id=reg.pk, on=date(2025, 7, 1))
    assert list(exc.value.message_dict) == ["registration"]
    assert AuditLog.objects.filter(object_type="claims.diseaseregistration", object_id=str(reg.pk)).count() == 2


def test_filings_refusals_and_scope(divisions, make_user):
    clerk = make_user(Role.CLAIMS)
    other = make_user(Role.TOWNSHIP, division=divisions.town_b)
    r = covered_resident(2, divisions.village_a1)
    with pytest.raises(ValidationError) as exc:
        services.remote_filing_create(
            actor=clerk, resident_id=r.pk, kind="referral", destination=" ", valid_from=date(2025, 1, 1)
        )
    assert list(exc.value.message_dict) == ["destination"]
    with pytest.raises(Http404):
        services.remote_filing_create(
            actor=other, resident_id=r.pk, kind="referral", destination="上海", valid_from=date(2025, 1, 1)
        )
    f = services.remote_filing_create(
        actor=clerk, resident_id=r.pk, kind="referral", destination="上海", valid_from=date(2025, 1, 1)
    )
    services.remote_filing_revoke(actor=clerk, filing_id=f.pk, on=date(2025, 2, 1))
    assert RemoteCareFiling.objects.get(pk=f.pk).revoked_on == date(2025, 2, 1)


def test_an_invoice_is_paid_once_even_when_claimed_for_another_person(divisions, make_user):
    load_policy("guanxian-2018")
    h = hospitals(divisions)[2]
    clerk = make_user(Role.CLAIMS)
    a, b = covered_resident(3, divisions.village_a1), covered_resident(4, divisions.village_a1)
    kw = dict(
        institution_id=h.pk,
        invoice_number="INV-9",
        reason="system_failure",
        policy_code="guanxian-2018",
        kind="inpatient",
        hospital_level=2,
        admitted_on=date(2018, 3, 1),
        discharged_on=date(2018, 3, 5),
        lines=[{"item_name": "床位费", "category": "b", "quantity": "2", "price": "1000"}],
    )
    services.manual_claim_settle(actor=clerk, resident_id=a.pk, **kw)
    with pytest.raises(ValidationError) as exc:
        services.manual_claim_settle(actor=clerk, resident_id=b.pk, **kw)
    assert list(exc.value.message_dict) == ["invoice_number"]
    with pytest.raises(ValidationError) as exc:
        services.manual_claim_settle(
            actor=clerk, resident_id=b.pk, **{**kw, "invoice_number": "INV-10", "policy_code": "nope"}
        )
    assert list(exc.value.message_dict) == ["policy"]
    with pytest.raises(ValidationError) as exc:
        services.manual_claim_settle(actor=clerk, resident_id=b.pk, **{**kw, "invoice_number": "INV-10", "lines": []})
    assert list(exc.value.message_dict) == ["lines"]
