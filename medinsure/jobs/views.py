from django.shortcuts import render
from django.views.decorators.http import require_safe

from medinsure.jobs.access import access_job_by_id


@require_safe
def job_detail(request, job_id):
    job = access_job_by_id(request.user, job_id)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})
