from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/load/", views.policy_load_files, name="policy_load_files"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/edit/", views.policy_edit, name="policy_edit"),
    path("settlements/", views.settlement_list, name="settlement_list"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
]
