from medinsure.accounts.scoping import is_bureau_wide
from medinsure.jobs.models import Job


def job_list(user):
    """A user sees the jobs they started; bureau-wide roles see all."""
    rows = Job.objects.all()
    return rows if is_bureau_wide(user) else rows.filter(owner=user)
