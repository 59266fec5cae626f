from django.urls import path

from medinsure.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.division_index, name="index"),
    path("<str:code>/", views.division_detail, name="detail"),
]
