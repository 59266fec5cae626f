from django.shortcuts import render

from medinsure.jobs.access import access_job_by_id


def job_detail(request, job_id):
    job = access_job_by_id(request.user, job_id)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})
