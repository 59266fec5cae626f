"""A Celery worker killed (SIGKILL) half-way through an enrollment import, a claims recalculation and
a supervision audit run: the database holds nothing half-written, the task is delivered again
(acks_late, a short visibility timeout), and a new worker finishes it with the same result as an
uninterrupted run on the same input."""

import csv
import io
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medinsure.accounts.models import Role
from medinsure.jobs.models import Job
from tests.faults.conftest import wait_for

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]

# small chunks in the worker, so that a modest input has many steps to die between
WORKER_ENV = {"CLAIMS_RECALC_CHUNK_PERSONS": 40, "SUPERVISION_AUDIT_CHUNK_SETTLEMENTS": 60}


def _kill_half_way(worker, job_id, *, timeout=60):
    """SIGKILL the worker as soon as its job shows progress, before it is finished."""

    def half_way():
        job = Job.objects.get(pk=job_id)
        assert job.status != Job.Status.DONE, "the work finished before the worker could be killed"
        return job.status == Job.Status.RUNNING and 0 < job.done < job.total

    assert wait_for(half_way, timeout=timeout, step=0.02), worker.output()
    worker.kill9()
    return Job.objects.get(pk=job_id)


def _police_file(divisions, rows: int) -> bytes:
    from medinsure.rules.id_numbers import make_id_number

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["身份证号", "姓名", "户籍地区划代码"])
    for i in range(rows):
        born = date(1940 + i % 60, 1 + i % 12, 1 + i % 28)
        w.writerow([make_id_number("500116", born, i % 997), f"人{i}", divisions.village_a1.code])
    return buf.getvalue().encode()


def _settlements(divisions, persons: int):
    from claims.policies import read_policy_file
    from claims.services import policy_version_create
    from tests.claims.claims_db_helpers import hospitals, import_rows, load_policy, person, row

    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    rows = []
    for i in range(persons):
        p = person(1000 + i)
        rows.append(row(f"R{i}a", h[2], p, divisions.village_a1, settled="2018-02-01", cost=str(8000 + i)))
        rows.append(row(f"R{i}b", h[3], p, divisions.village_b1, settled="2018-02-03", cost=str(900 + i)))
        rows.append(
            row(f"R{i}c", h[1], p, divisions.village_b1, kind="outpatient_general", settled="2018-02-06", cost="100")
        )
    import_rows(policy, rows)
    doc = read_policy_file("guanxian-2018")
    doc["benefits"]["inpatient"]["ratio"] = {1: 0.8, 2: 0.75, 3: 0.6}
    version, _created = policy_version_create(actor=None, document=doc, note="县级住院提高到75%")
    return version


def test_killed_workers_leave_nothing_half_written_and_the_retries_match_clean_runs(
    worker_process, divisions, make_user, settings, monkeypatch
):
    from claims import services as claims
    from claims.models import Recalculation, RecalculationDiff, Settlement
    from enrollment import services as enrollment
    from enrollment.models import ImportBatch, Resident
    from supervision import services as supervision
    from supervision.models import AuditRun, Flag

    settings.ENROLLMENT_IMPORT_SYNC_MAX_BYTES = 1000
    staff = make_user(Role.ADMIN)

    # --- enrollment: validating a large file, killed half-way ---------------------------------
    content = _police_file(divisions, 120_000)  # progress is reported every 50,000 rows
    clean = enrollment.import_upload(actor=staff, source="police", uploaded_file=SimpleUploadedFile("a.csv", content))
    enrollment.import_validate(batch_id=clean.pk)  # the uninterrupted run, in this process
    clean.refresh_from_db()
    assert clean.status == ImportBatch.Status.PREVIEW and clean.valid_rows > 0

    worker = worker_process(**WORKER_ENV)
    batch = enrollment.import_upload(actor=staff, source="police", uploaded_file=SimpleUploadedFile("b.csv", content))
    job = _kill_half_way(worker, batch.job_id)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKING and batch.valid_rows == 0  # nothing half-written
    assert job.status == Job.Status.RUNNING

    # --- a new worker: the import is delivered again and finishes like the clean run ----------
    worker = worker_process(**WORKER_ENV)
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEW, 90), (
        worker.output()
    )
    batch.refresh_from_db()
    fields = ("total_rows", "valid_rows", "error_rows", "new_rows", "changed_rows", "unchanged_rows")
    assert [getattr(batch, f) for f in fields] == [getattr(clean, f) for f in fields]
    assert Job.objects.get(pk=batch.job_id).status == Job.Status.DONE

    # --- enrollment: accepting it, the merge killed while it writes -----------------------------
    batch = enrollment.import_accept(actor=staff, batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.ACCEPTING and batch.job_id
    assert wait_for(lambda: Job.objects.get(pk=batch.job_id).status == Job.Status.RUNNING, 60, 0.02)
    time.sleep(0.2)  # inside the merge (one transaction over 100,000 rows)
    worker.kill9()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.ACCEPTING  # killed before the end
    assert Resident.objects.count() == 0  # the merge rolled back whole: nothing half-written
    worker = worker_process(**WORKER_ENV)
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE, 90), worker.output()
    batch.refresh_from_db()
    # the same as the preview said an uninterrupted import would do
    assert (batch.new_rows, batch.changed_rows) == (clean.new_rows, clean.changed_rows)
    assert Resident.objects.count() == clean.new_rows

    # --- claims: a recalculation's difference report, killed half-way --------------------------
    version = _settlements(divisions, 400)
    first = claims.recalculation_start(actor=staff, version=version, year=2018)
    job = _kill_half_way(worker, first.job_id)
    first.refresh_from_db()
    assert first.status == Recalculation.Status.COMPUTING and first.totals in ({}, None)
    worker = worker_process(**WORKER_ENV)
    assert wait_for(lambda: Recalculation.objects.get(pk=first.pk).status == Recalculation.Status.READY, 90), (
        worker.output()
    )
    first.refresh_from_db()
    killed_totals = first.totals
    killed_diffs = sorted(
        RecalculationDiff.objects.filter(recalculation=first).values_list(
            "settlement__number", "new_deductible", "new_fund_paid", "new_critical_paid", "delta"
        )
    )
    # the uninterrupted run on the same input, for comparison
    Recalculation.objects.filter(pk=first.pk).update(status=Recalculation.Status.FAILED)
    monkeypatch.setattr(
        claims.recalculation, "CHUNK_PERSONS", WORKER_ENV["CLAIMS_RECALC_CHUNK_PERSONS"]
    )  # the same chunks
    uninterrupted = claims.recalculation_start(actor=staff, version=version, year=2018)
    claims.recalculation_compute(recalculation_id=uninterrupted.pk)
    uninterrupted.refresh_from_db()
    assert killed_totals == uninterrupted.totals
    assert killed_diffs == sorted(
        RecalculationDiff.objects.filter(recalculation=uninterrupted).values_list(
            "settlement__number", "new_deductible", "new_fund_paid", "new_critical_paid", "delta"
        )
    )

    # --- claims: applying the approved report, killed half-way -----------------------------------
    rc = claims.recalculation_approve(actor=make_user(Role.DIRECTOR), recalculation_id=uninterrupted.pk)
    _kill_half_way(worker, rc.apply_job_id)
    assert Recalculation.objects.get(pk=rc.pk).status == Recalculation.Status.APPROVED
    worker = worker_process(**WORKER_ENV)
    assert wait_for(lambda: Recalculation.objects.get(pk=rc.pk).status == Recalculation.Status.APPLIED, 90), (
        worker.output()
    )
    # every settlement carries the figures of the approved report, each written once, on the new version
    expected = {
        number: (ded, fund, crit)
        for number, ded, fund, crit, _delta in RecalculationDiff.objects.filter(recalculation=rc).values_list(
            "settlement__number", "new_deductible", "new_fund_paid", "new_critical_paid", "delta"
        )
    }
    stored = {
        number: (ded, fund, crit)
        for number, ded, fund, crit in Settlement.objects.filter(number__in=expected).values_list(
            "number", "deductible", "fund_paid", "critical_paid"
        )
    }
    assert expected and stored == expected
    assert set(Settlement.objects.filter(policy_version__isnull=False).values_list("policy_version", flat=True)) == {
        version.pk
    }

    # --- supervision: an audit run, killed half-way --------------------------------------------
    supervision.audit_rules_ensure_defaults()
    from tests.claims.claims_db_helpers import person
    from tests.supervision import factories as f

    clinic = f.institution()
    for i in range(80):  # a male-only item charged to a woman: one flag each, spread over the chunks
        f.settlement(
            clinic,
            id_number=person(1000 + i * 5, born=date(1990, 2, 2)),
            sex="F",
            settled_on=date(2018, 2, 10),
            lines=[("311100001", "前列腺按摩", "1", "80", None)],
        )
    job = supervision.audit_run_request(actor=make_user(Role.SUPERVISION), kind="monthly", month="2018-02")
    job = _kill_half_way(worker, job.pk)
    worker = worker_process(**WORKER_ENV)
    assert wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE, 90), worker.output()
    job.refresh_from_db()
    killed = {k: job.result[k] for k in ("settlements", "lines", "hits", "new_flags")}
    flags = sorted(Flag.objects.values_list("rule__code", "settlement_id", "key", "amount"))
    assert not AuditRun.objects.filter(finished_at__isnull=True).exists()  # no run left half-way
    # the uninterrupted run on the same input: the same figures, the same flags
    Flag.objects.all().delete()
    run = supervision.audit_run(kind="monthly", start=date(2018, 2, 1), end=date(2018, 2, 28), chunk_settlements=60)
    assert run.settlements == 1280 and run.hits >= 80
    assert killed == {"settlements": run.settlements, "lines": run.lines, "hits": run.hits, "new_flags": run.new_flags}
    assert flags == sorted(Flag.objects.values_list("rule__code", "settlement_id", "key", "amount"))
