"""Two real connections at once: policy edits get distinct version numbers; an import is accepted once."""

import pytest
from django.core.exceptions import ValidationError

from claims.models import PolicyVersion, Settlement, SettlementImport
from claims.policies import read_policy_file
from claims.services import policy_version_create, settlement_import_accept, settlement_import_create
from tests.claims.claims_db_helpers import csv_bytes, hospitals, load_policy, person, row
from tests.races import race, split

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]


def test_concurrent_policy_edits_get_distinct_versions():
    policy_version_create(actor=None, document=read_policy_file("xx-district-2021"))

    def edit(ratio):
        def go():
            doc = read_policy_file("xx-district-2021")
            doc["benefits"]["outpatient_general"]["ratio"] = ratio
            return policy_version_create(actor=None, document=doc, note=str(ratio))[0].number

        return go

    results, errors = split(race(edit(0.6), edit(0.65), edit(0.7)))
    assert errors == []
    assert sorted(results) == [2, 3, 4]
    assert sorted(PolicyVersion.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_an_import_is_accepted_and_written_once(divisions, celery_worker):
    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    batch = settlement_import_create(
        actor=None,
        policy=policy,
        file_name="r.csv",
        content=csv_bytes([row("RC1", h[2], person(1), divisions.village_a1)]),
    )
    results, errors = split(
        race(
            lambda: settlement_import_accept(actor=None, import_id=batch.pk),
            lambda: settlement_import_accept(actor=None, import_id=batch.pk),
        )
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], ValidationError)
    import time

    deadline = time.time() + 60
    while time.time() < deadline and SettlementImport.objects.get(pk=batch.pk).status != "done":
        time.sleep(0.2)
    assert SettlementImport.objects.get(pk=batch.pk).created == 1
    assert Settlement.objects.filter(number="RC1").count() == 1
