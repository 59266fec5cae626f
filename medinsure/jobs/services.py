"""Progress of long work. Progress updates are single UPDATEs that commit on their own, so a page
polling the job sees them while the work's own transaction is still open elsewhere."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from medinsure.jobs.models import Job


def job_create(*, actor, kind: str, title: str, total: int = 0) -> Job:
    return Job.objects.create(
        owner=actor if getattr(actor, "is_authenticated", False) else None, kind=kind, title=title, total=total
    )


def job_start(job_id, *, total: int | None = None) -> None:
    fields = {"status": Job.Status.RUNNING, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_progress(job_id, *, done: int, total: int | None = None, message: str | None = None) -> None:
    fields = {"status": Job.Status.RUNNING, "done": done, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message is not None:
        fields["message"] = message[:500]
    Job.objects.filter(pk=job_id).update(**fields)


def job_advance(job_id, *, by: int) -> None:
    Job.objects.filter(pk=job_id).update(done=F("done") + by, status=Job.Status.RUNNING, updated_at=timezone.now())


def job_finish(job_id, *, result: dict | None = None, message: str = "") -> None:
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        job.status = Job.Status.DONE
        job.done = max(job.done, job.total)
        job.result = result or {}
        job.message = message[:500]
        job.finished_at = now
        job.save()


def job_fail(job_id, *, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message[:500], finished_at=timezone.now(), updated_at=timezone.now()
    )
