from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("calculator/file/", views.calculator_file, name="calculator_file"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/load/", views.policy_load_files, name="policy_load_files"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<slug:code>/recalculate/", views.recalculation_start, name="recalculation_start"),
    path("settlements/", views.settlement_list, name="settlement_list"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/template.xlsx", views.import_template_xlsx, name="import_template"),
    path("imports/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/accept/", views.import_accept, name="import_accept"),
    path("imports/<uuid:pk>/approve/", views.import_approve, name="import_approve"),
    path("imports/<uuid:pk>/errors.xlsx", views.import_errors_xlsx, name="import_errors"),
    path("recalculations/", views.recalculation_list, name="recalculation_list"),
    path("recalculations/<uuid:pk>/", views.recalculation_detail, name="recalculation_detail"),
    path("recalculations/<uuid:pk>/approve/", views.recalculation_approve, name="recalculation_approve"),
    path("recalculations/<uuid:pk>/discard/", views.recalculation_discard, name="recalculation_discard"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
]
