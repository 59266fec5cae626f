from django.urls import path

from handling import views

app_name = "handling"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("receive/", views.receive, name="receive"),
    path("find/", views.find, name="find"),
    path("items/", views.items, name="items"),
    path("chronic/", views.chronic_round, name="chronic_round"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("residents/<int:pk>/", views.resident_applications, name="resident"),
    path("applications/<str:tracking>/", views.detail, name="detail"),
    path("applications/<str:tracking>/receipt/", views.receipt, name="receipt"),
    path("applications/<str:tracking>/<slug:action>/", views.act, name="act"),
]
