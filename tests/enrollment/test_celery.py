"""Large imports and the nightly job run in a real Celery worker (not eager mode)."""

import csv
import io
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment import services
from enrollment.models import ImportBatch, MobilisationTask, ProgressDaily, Resident
from medinsure.jobs.models import Job
from medinsure.rules.id_numbers import make_id_number
from tests.enrollment.factories import make_campaign

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_large_import_runs_in_celery_with_progress(divisions, make_user, settings, celery_worker):
    settings.ENROLLMENT_IMPORT_SYNC_MAX_BYTES = 1000
    settings.ENROLLMENT_IMPORT_SYNC_MAX_ROWS = 10
    make_campaign(2025)
    staff = make_user("enrollment")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["身份证号", "姓名", "户籍地区划代码"])
    for i in range(300):
        w.writerow(
            [
                make_id_number("500116", date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i),
                f"人{i}",
                divisions.village_a1.code,
            ]
        )
    w.writerow(["500116196001010000", "坏", divisions.village_a1.code])
    content = buf.getvalue().encode()
    batch = services.import_upload(actor=staff, source="police", uploaded_file=SimpleUploadedFile("big.csv", content))
    assert batch.status == ImportBatch.Status.CHECKING and batch.job_id
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEW)
    batch.refresh_from_db()
    assert (batch.valid_rows, batch.error_rows) == (300, 1)
    assert Job.objects.get(pk=batch.job_id).status == Job.Status.DONE
    assert Resident.objects.count() == 0
    batch = services.import_accept(actor=staff, batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.ACCEPTING
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE)
    assert Resident.objects.count() == 300
    job = Job.objects.get(pk=ImportBatch.objects.get(pk=batch.pk).job_id)
    assert job.status == Job.Status.DONE and job.result["new"] == 300
    # the merge queued the to-do sync and the progress refresh: the worker runs them
    assert wait_for(lambda: MobilisationTask.objects.count() == 300)
    assert wait_for(lambda: ProgressDaily.objects.exists())
    # running the merge task again (a redelivery) changes nothing
    from enrollment.tasks import import_merge_task

    import_merge_task.delay(batch.pk).get(timeout=30)
    assert Resident.objects.count() == 300


def test_nightly_task_in_worker(divisions, make_user, celery_worker):
    make_campaign(2025)
    Resident.objects.create(
        id_number=make_id_number("500116", date(1970, 1, 1), 1),
        name="甲",
        sex="F",
        birth_date=date(1970, 1, 1),
        hukou_division=divisions.village_b2,
    )
    from enrollment.tasks import nightly_task

    result = nightly_task.delay().get(timeout=60)
    assert result["added"] == 1 and result["progress_rows"] > 0
    assert nightly_task.delay().get(timeout=60)["added"] == 0
