"""Four eyes on a settlement file that disagrees with amounts already paid (issue 15).

What the importer does with stored settlements: it never rewrites them — a settlement already stored
(same institution and number) is skipped, and new ones are settled with the person's stored ones counted.
So an import never changes a paid amount; a file that holds a stored settlement with other costs is a
correction or an error. Such a file ``needs_approval``: the uploader cannot accept it, a role without
``Power.SETTLEMENT_IMPORT_APPROVE`` is refused (403), and a second person (director/leader) approves it,
which queues the write of its new settlements (the stored ones stay as paid). Files of new settlements
only are accepted by the uploader as before."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.models import Settlement, SettlementImport
from claims.services import (
    settlement_import_accept,
    settlement_import_apply,
    settlement_import_approve,
    settlement_import_create,
)
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.jobs.models import OutboxMessage
from tests.claims.claims_db_helpers import csv_bytes, hospitals, load_policy, person, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(divisions, make_user):
    policy, h = load_policy("guanxian-2018"), hospitals(divisions)
    staff = make_user(Role.CLAIMS)
    first = [row("S1", h[2], person(11), divisions.village_a1, settled="2018-02-01", cost="8000", lines=4)]
    batch = settlement_import_create(actor=staff, policy=policy, file_name="jan.csv", content=csv_bytes(first))
    SettlementImport.objects.filter(pk=batch.pk).update(status=SettlementImport.Status.ACCEPTING)
    settlement_import_apply(import_id=batch.pk)
    paid = Settlement.objects.get(number="S1")
    return policy, h, divisions, staff, paid


def _disagreeing_file(world):
    policy, h, d, staff, _paid = world
    rows = [
        row("S1", h[2], person(11), d.village_a1, settled="2018-02-01", cost="9000", lines=4),  # other costs
        row("S2", h[2], person(12), d.village_a1, settled="2018-03-01", cost="800", lines=2),  # new
    ]
    return settlement_import_create(actor=staff, policy=policy, file_name="fix.csv", content=csv_bytes(rows))


def test_a_file_of_new_settlements_only_is_accepted_by_the_uploader(world):
    policy, h, d, staff, _paid = world
    again = [
        row("S1", h[2], person(11), d.village_a1, settled="2018-02-01", cost="8000", lines=4),  # same as paid
        row("S3", h[1], person(13), d.village_b1, kind="outpatient_general", settled="2018-03-05", cost="100"),
    ]
    batch = settlement_import_create(actor=staff, policy=policy, file_name="feb.csv", content=csv_bytes(again))
    assert not batch.needs_approval and batch.summary["changed"] == 0 and batch.summary["existing"] == 1
    assert settlement_import_accept(actor=staff, import_id=batch.pk).status == SettlementImport.Status.ACCEPTING


def test_a_file_disagreeing_with_paid_amounts_waits_for_a_second_person(world, make_user, client_as, api_as):
    _policy, _h, _d, staff, paid = world
    batch = _disagreeing_file(world)
    assert batch.needs_approval and batch.summary["changed"] == 1
    assert batch.summary["changed_sample"][0]["number"] == "S1"

    # the uploader may not accept it alone, nor approve it
    with pytest.raises(ValidationError) as exc:
        settlement_import_accept(actor=staff, import_id=batch.pk)
    assert list(exc.value.message_dict) == ["approved_by"]
    leader_who_uploaded = make_user(Role.LEADER)
    SettlementImport.objects.filter(pk=batch.pk).update(created_by=leader_who_uploaded)
    with pytest.raises(ValidationError) as exc:
        settlement_import_approve(actor=leader_who_uploaded, import_id=batch.pk)
    assert list(exc.value.message_dict) == ["approved_by"]
    # a role that may not approve: 403
    other_staff = make_user(Role.CLAIMS)
    with pytest.raises(PermissionDenied):
        settlement_import_approve(actor=other_staff, import_id=batch.pk)
    assert api_as(other_staff).post(f"/api/v1/claims/imports/{batch.pk}/approve/").status_code == 403
    assert SettlementImport.objects.get(pk=batch.pk).status == SettlementImport.Status.PREVIEW

    # a second person approves (page): the write is queued, audited
    director = make_user(Role.DIRECTOR)
    page = client_as(director).get(f"/claims/imports/{batch.pk}/")
    assert 'data-testid="approve"' in page.content.decode()
    r = client_as(director).post(f"/claims/imports/{batch.pk}/approve/")
    assert r.status_code == 302
    batch.refresh_from_db()
    assert batch.status == SettlementImport.Status.ACCEPTING and batch.approved_by == director
    assert OutboxMessage.objects.filter(task="claims.settlement_import_apply", args=[str(batch.pk)]).exists()
    assert AuditLog.objects.filter(
        object_type="claims.settlementimport", object_id=str(batch.pk), actor=director
    ).exists()
    # the write adds the new settlement and leaves the paid one as it was
    assert settlement_import_apply(import_id=batch.pk) == {"created": 1, "skipped": 1}
    assert Settlement.objects.get(number="S1").fund_paid == paid.fund_paid


def test_the_api_approves_as_a_second_person(world, make_user, api_as):
    batch = _disagreeing_file(world)
    leader = make_user(Role.LEADER)
    r = api_as(leader).post(f"/api/v1/claims/imports/{batch.pk}/approve/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepting" and r.json()["approved_by"] == leader.get_username()
    # approving twice is refused on status
    r = api_as(make_user(Role.DIRECTOR)).post(f"/api/v1/claims/imports/{batch.pk}/approve/")
    assert r.status_code == 400 and "status" in r.json()


def test_a_file_without_differences_needs_no_approval(world, make_user):
    policy, h, d, staff, _paid = world
    rows = [row("S9", h[2], person(19), d.village_a1, settled="2018-03-01", cost="800", lines=2)]
    batch = settlement_import_create(actor=staff, policy=policy, file_name="new.csv", content=csv_bytes(rows))
    with pytest.raises(ValidationError) as exc:
        settlement_import_approve(actor=make_user(Role.DIRECTOR), import_id=batch.pk)
    assert list(exc.value.message_dict) == ["approved_by"]
