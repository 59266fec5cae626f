from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("imports/templates/<str:source>.<str:fmt>", views.import_template, name="import_template"),
    path("guideline/", views.guideline, name="guideline"),
    path("tasks/", views.task_split, name="task_split"),
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/outcome/", views.task_outcome, name="task_outcome"),
    path("reminders/", views.reminders, name="reminders"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:year>/edit/", views.campaign_edit, name="campaign_edit"),
]
