"""Batch recalculation: difference report, approval, apply; twice or after a half-way death gives
the same rows; a real Celery worker runs it end to end."""

import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims import services
from claims.models import Recalculation, RecalculationChunk, RecalculationDiff, Settlement
from claims.policies import read_policy_file
from medinsure.accounts.models import Role
from tests.claims.claims_db_helpers import hospitals, import_rows, load_policy, person, row


def _scenario(divisions, n_persons=7):
    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    rows = []
    for i in range(n_persons):
        p = person(100 + i)
        rows.append(row(f"R{i}a", h[2], p, divisions.village_a1, settled="2018-02-01", cost=str(8000 + i)))
        rows.append(row(f"R{i}b", h[2], p, divisions.village_b1, settled="2018-05-01", cost="8000"))
        rows.append(
            row(f"R{i}c", h[1], p, divisions.village_b1, kind="outpatient_general", settled="2018-06-01", cost="100")
        )
    import_rows(policy, rows)
    doc = read_policy_file("guanxian-2018")
    doc["benefits"]["inpatient"]["ratio"] = {1: 0.8, 2: 0.75, 3: 0.6}
    version, created = services.policy_version_create(actor=None, document=doc, note="县级住院提高到75%")
    assert created and version.number == 2
    return policy, version


def _queued(rc) -> list[str]:
    """The task names in the outbox for this recalculation, in the order they were queued."""
    from medinsure.jobs.models import OutboxMessage

    return list(OutboxMessage.objects.filter(args=[str(rc.pk)]).order_by("id").values_list("task", flat=True))


def _figures():
    return list(
        Settlement.objects.order_by("number").values_list(
            "number", "deductible", "fund_paid", "critical_paid", "personal_paid", "policy_version__number"
        )
    )


def _report(rc):
    rc.refresh_from_db()
    return rc.totals, sorted(
        RecalculationDiff.objects.filter(recalculation=rc).values_list(
            "settlement__number", "new_deductible", "new_fund_paid", "new_critical_paid", "delta"
        )
    )


@pytest.mark.django_db
def test_report_approve_apply_and_twice_changes_nothing(
    divisions, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services.recalculation, "CHUNK_PERSONS", 3)  # several chunks
    _policy, version = _scenario(divisions)
    staff = make_user(Role.CLAIMS)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        rc = services.recalculation_start(actor=staff, version=version, year=2018)
    assert len(queued) == 1
    assert _queued(rc) == ["claims.recalculation_compute"]
    services.recalculation_compute(recalculation_id=rc.pk)
    totals, diffs = _report(rc)
    assert rc.status == Recalculation.Status.READY
    assert RecalculationChunk.objects.filter(recalculation=rc).count() == 3
    # level-2 stays: (8000-500)*5% more on the first, (8000-250)*5% on the second; outpatient unchanged
    assert totals["levels"]["2"]["count"] == 14 and totals["levels"]["2"]["more"] == 14
    assert totals["levels"]["1"]["count"] == 7 and totals["levels"]["1"]["more"] == 0
    assert ("R0a", Decimal("500.00"), Decimal("5625.00"), Decimal("0.00"), Decimal("375.00")) in diffs
    assert ("R0b", Decimal("250.00"), Decimal("5812.50"), Decimal("0.00"), Decimal("387.50")) in diffs
    assert Decimal(totals["total"]["delta"]) == sum(d[4] for d in diffs)

    # computing again changes nothing
    services.recalculation_compute(recalculation_id=rc.pk)
    assert _report(rc) == (totals, diffs)

    approver = make_user(Role.DIRECTOR)  # a second person with an approving role (issue 15)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.recalculation_approve(actor=approver, recalculation_id=rc.pk)
    assert len(queued) == 1
    assert _queued(rc) == ["claims.recalculation_compute", "claims.recalculation_apply"]
    services.recalculation_apply(recalculation_id=rc.pk)
    rc.refresh_from_db()
    assert rc.status == Recalculation.Status.APPLIED
    after = _figures()
    assert {f[5] for f in after} == {2}
    s = Settlement.objects.get(number="R0b")
    assert (s.fund_paid, s.personal_paid) == (Decimal("5812.50"), Decimal("2187.50"))
    assert "75%" in str(s.explanation["steps"])
    services.recalculation_apply(recalculation_id=rc.pk)  # twice: same rows
    assert _figures() == after


@pytest.mark.django_db
def test_a_worker_dying_half_way_gives_the_same_report(divisions, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services.recalculation, "CHUNK_PERSONS", 2)
    _policy, version = _scenario(divisions)
    with django_capture_on_commit_callbacks(execute=False):
        clean = services.recalculation_start(actor=None, version=version, year=2018)
    services.recalculation_compute(recalculation_id=clean.pk)
    clean_totals, clean_diffs = _report(clean)
    Recalculation.objects.filter(pk=clean.pk).update(status=Recalculation.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=False):
        rc = services.recalculation_start(actor=None, version=version, year=2018)
    real = services.recalculation._compute_chunk
    calls = {"n": 0}

    def dying(rc_, index):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(rc_, index)

    monkeypatch.setattr(services.recalculation, "_compute_chunk", dying)
    with pytest.raises(SystemExit):
        services.recalculation_compute(recalculation_id=rc.pk)
    assert RecalculationChunk.objects.filter(recalculation=rc, computed=True).count() == 2
    monkeypatch.setattr(services.recalculation, "_compute_chunk", real)
    services.recalculation_compute(recalculation_id=rc.pk)  # the task is delivered again
    totals, diffs = _report(rc)
    assert (totals, [d[1:] for d in diffs]) == (clean_totals, [d[1:] for d in clean_diffs])


@pytest.mark.django_db
def test_apply_refuses_when_settlements_changed_since_the_report(
    divisions, make_user, django_capture_on_commit_callbacks
):
    _policy, version = _scenario(divisions, n_persons=2)
    with django_capture_on_commit_callbacks(execute=False):
        rc = services.recalculation_start(actor=None, version=version, year=2018)
    services.recalculation_compute(recalculation_id=rc.pk)
    with django_capture_on_commit_callbacks(execute=False):
        services.recalculation_approve(actor=make_user(Role.DIRECTOR), recalculation_id=rc.pk)
    Settlement.objects.filter(number="R0a").update(third_party=True, kind="inpatient_accident")
    before = _figures()
    with pytest.raises(ValidationError, match="在生成差异报告后发生了变化"):
        services.recalculation_apply(recalculation_id=rc.pk)
    assert _figures() == before


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_real_celery_worker_runs_report_and_apply(divisions, make_user, celery_worker):
    _policy, version = _scenario(divisions, n_persons=3)
    staff = make_user(Role.CLAIMS)
    rc = services.recalculation_start(actor=staff, version=version, year=2018)
    deadline = time.time() + 60
    while time.time() < deadline:
        rc.refresh_from_db()
        if rc.status != Recalculation.Status.COMPUTING:
            break
        time.sleep(0.2)
    assert rc.status == Recalculation.Status.READY, rc.message
    rc.job.refresh_from_db()
    assert rc.job.status == "done" and rc.job.done == 9
    services.recalculation_approve(actor=make_user(Role.LEADER), recalculation_id=rc.pk)
    deadline = time.time() + 60
    while time.time() < deadline:
        rc.refresh_from_db()
        if rc.status != Recalculation.Status.APPROVED:
            break
        time.sleep(0.2)
    assert rc.status == Recalculation.Status.APPLIED, rc.message
    assert set(Settlement.objects.values_list("policy_version__number", flat=True)) == {2}


@pytest.mark.django_db
def test_pages_and_api_of_a_recalculation(divisions, make_user, client_as, api_as, django_capture_on_commit_callbacks):
    _policy, version = _scenario(divisions, n_persons=2)
    staff = make_user(Role.CLAIMS)
    client = client_as(staff)
    with django_capture_on_commit_callbacks(execute=False):
        r = client.post("/claims/policies/guanxian-2018/recalculate/", {"version": version.pk, "year": 2018})
    assert r.status_code == 302
    rc = Recalculation.objects.get()
    services.recalculation_compute(recalculation_id=rc.pk)
    html = client.get(r["Location"]).content.decode()
    assert "待审批" in html and "R0a" in html
    data = api_as(staff).get(f"/api/v1/claims/recalculations/{rc.pk}/").json()
    assert data["status"] == "ready" and data["totals"]["levels"]["2"]["count"] == 4
    # the starter is not offered the approval; a director is (issue 15: four eyes)
    assert 'data-testid="approve"' not in html
    director = make_user(Role.DIRECTOR)
    assert 'data-testid="approve"' in client_as(director).get(r["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client_as(director).post(f"/claims/recalculations/{rc.pk}/approve/")
    assert len(queued) == 1
    assert _queued(rc) == ["claims.recalculation_compute", "claims.recalculation_apply"]
    rc.refresh_from_db()
    assert rc.status == Recalculation.Status.APPROVED and rc.approved_by == director
    # a second recalculation of the same year is refused while this one is not applied
    with django_capture_on_commit_callbacks(execute=False):
        r = client.post("/claims/policies/guanxian-2018/recalculate/", {"version": version.pk, "year": 2018})
    assert r.status_code == 200 and "已有进行中的批量重算" in r.content.decode()
    other = make_user(Role.TOWNSHIP, division=divisions.town_b)
    assert client_as(other).get(f"/claims/recalculations/{rc.pk}/").status_code == 403


@pytest.mark.django_db
def test_imports_wait_while_a_report_is_open_and_discard_frees_them(divisions, django_capture_on_commit_callbacks):
    from claims.models import SettlementImport
    from tests.claims.claims_db_helpers import csv_bytes

    policy, version = _scenario(divisions, n_persons=1)
    with django_capture_on_commit_callbacks(execute=False):
        rc = services.recalculation_start(actor=None, version=version, year=2018)
    services.recalculation_compute(recalculation_id=rc.pk)
    h = hospitals(divisions)
    batch = services.settlement_import_create(
        actor=None,
        policy=policy,
        file_name="late.csv",
        content=csv_bytes([row("LATE", h[2], person(900), divisions.village_a1)]),
    )
    with pytest.raises(ValidationError, match="尚未完成的批量重算"):
        services.settlement_import_accept(actor=None, import_id=batch.pk)
    services.recalculation_discard(actor=None, recalculation_id=rc.pk)
    with django_capture_on_commit_callbacks(execute=False):
        services.settlement_import_accept(actor=None, import_id=batch.pk)
    assert SettlementImport.objects.get(pk=batch.pk).status == SettlementImport.Status.ACCEPTING
    with pytest.raises(ValidationError):
        services.settlement_import_accept(actor=None, import_id=batch.pk)  # accepted once only
