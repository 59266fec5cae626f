from django.urls import path

from medinsure.jobs import views

app_name = "jobs"
urlpatterns = [path("<uuid:job_id>/", views.job_detail, name="detail")]
