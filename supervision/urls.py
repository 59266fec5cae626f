from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("institutions/", views.institutions, name="institutions"),
    path("institutions/import/", views.institution_import, name="institution_import"),
    path("institutions/import/template.xlsx", views.institution_import_template, name="institution_import_template"),
    path(
        "institutions/import/<str:token>/errors.xlsx", views.institution_import_errors, name="institution_import_errors"
    ),
    path("institutions/new/", views.institution_edit, name="institution_new"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("cases/", views.cases, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("cases/<int:pk>/publish/", views.case_publish, name="case_publish"),
    path("cases/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/reveal/", views.report_reveal, name="report_reveal"),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule"),
    path("self-inspections/", views.self_inspections, name="self_inspections"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_excel, name="figures_excel"),
    # public pages (no login)
    path("public/report/", views.public_report, name="public_report"),
    path("public/report/status/", views.public_report_status, name="public_report_status"),
    path("public/cases/", views.public_cases, name="public_cases"),
]
