"""Shared set-up for handling's database tests."""

from __future__ import annotations

from handling.models import HandlingItem
from handling.services import application_accept, application_receive

CLAIM_DETAILS = {
    "institution_code": "H50011600902",
    "invoice_number": "INV-0001",
    "reason": "remote",
    "policy_code": "guanxian-2018",
    "kind": "inpatient",
    "hospital_level": 2,
    "admitted_on": "2018-03-01",
    "discharged_on": "2018-03-05",
    "lines": [
        {"item_name": "床位费", "category": "b", "quantity": "4", "price": "1500"},
        {"item_name": "自费药", "category": "self", "quantity": "1", "price": "300"},
    ],
}


def papers(code: str) -> list[str]:
    return list(HandlingItem.objects.get(code=code).papers)


def received(actor, point, code, resident, **kw):
    kw.setdefault("papers_received", papers(code))
    kw.setdefault("applicant_name", resident.name)
    return application_receive(actor=actor, point_id=point.pk, item_code=code, resident_id=resident.pk, **kw)


def accepted(actor, point, code, resident, **kw):
    a = received(actor, point, code, resident, **kw)
    return application_accept(actor=actor, application_id=a.pk)
