from django.urls import path

from replies import views

app_name = "replies"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("import/", views.proposal_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/do/<str:action>/", views.case_action, name="case_action"),
    path("<int:pk>/commitments/<int:commitment_id>/progress/", views.commitment_progress, name="commitment_progress"),
    path("<int:pk>/letter/", views.letter_start, name="letter_start"),
    path("letters/<int:pk>/", views.letter_edit, name="letter_edit"),
    path("letters/<int:pk>/sections/", views.section_add, name="section_add"),
    path("letters/<int:pk>/sign/", views.letter_sign, name="letter_sign"),
    path("letters/<int:pk>/revise/", views.letter_revise, name="letter_revise"),
    path("letters/<int:pk>/publish/", views.letter_publish, name="letter_publish"),
    path("letters/<int:pk>/docx/", views.letter_docx_download, name="letter_docx"),
    path("letters/<int:pk>/print/", views.letter_print, name="letter_print"),
    path("sections/<int:section_id>/", views.section_save, name="section_save"),
    path("sections/<int:section_id>/delete/", views.section_delete, name="section_delete"),
    path("sections/<int:section_id>/move/<str:direction>/", views.section_move, name="section_move"),
    path("sections/<int:section_id>/figure/", views.figure_insert, name="figure_insert"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("reminders/", views.reminder_list, name="reminder_list"),
    path("stats/", views.stats, name="stats"),
    path("holidays/", views.holiday_list, name="holiday_list"),
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
