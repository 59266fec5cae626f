from django.urls import path

from enrollment.api import views

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="enrollment-campaigns"),
    path("progress/", views.ProgressView.as_view(), name="enrollment-progress"),
    path("progress/bulletin/", views.BulletinView.as_view(), name="enrollment-progress-bulletin"),
    path("reminders/receipts/", views.ReminderReceiptsView.as_view(), name="enrollment-reminder-receipts"),
    path("reminders/summary/", views.ReminderSummaryView.as_view(), name="enrollment-reminder-summary"),
    path("tasks/summary/", views.TaskSummaryView.as_view(), name="enrollment-task-summary"),
    path("progress/series/", views.ProgressSeriesView.as_view(), name="enrollment-progress-series"),
    path("guideline-tasks/", views.GuidelineTasksView.as_view(), name="enrollment-guideline-tasks"),
    path("residents/", views.ResidentListView.as_view(), name="enrollment-residents"),
    path("residents/search/", views.ResidentSearchView.as_view(), name="enrollment-resident-search"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="enrollment-resident"),
    path("tasks/", views.TaskListView.as_view(), name="enrollment-tasks"),
    path("tasks/<int:pk>/outcome/", views.TaskOutcomeView.as_view(), name="enrollment-task-outcome"),
]
