from django.urls import path

from . import views

app_name = "fundbudget"

urlpatterns = [
    path("", views.execution_page, name="execution"),
    path("report/", views.report_page, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/new/", views.statement_form, name="statement_form"),
    path("statements/import/", views.statement_import, name="statement_import"),
    path("statements/import/template.xlsx", views.import_template_xlsx, name="import_template"),
    path("statements/import/<uuid:import_id>/", views.import_preview, name="import_preview"),
    path("statements/import/<uuid:import_id>/apply/", views.import_apply, name="import_apply"),
    path("statements/import/<uuid:import_id>/errors.xlsx", views.import_errors_xlsx, name="import_errors"),
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/<str:fund>/<int:year>/", views.budget_form, name="budget_form"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/rules/", views.rule_list, name="rule_list"),
    path("notices/", views.notice_list, name="notice_list"),
]
