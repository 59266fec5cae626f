from django.shortcuts import get_object_or_404

from medinsure.jobs.selectors import job_list


def access_job_by_id(user, job_id):
    return get_object_or_404(job_list(user), pk=job_id)
