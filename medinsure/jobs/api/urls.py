from django.urls import path

from medinsure.jobs.api.views import JobDetail

urlpatterns = [path("<uuid:job_id>/", JobDetail.as_view(), name="job-detail")]
