from django.urls import include, path

from assessments import views, views_deadlines, views_pipeline, views_silver, views_workflow

app_name = "assessments"

urlpatterns = [
    path("new/<slug:slug>/", views.application_new, name="application_new"),
    path("a/<int:pk>/", views.application_detail, name="application_detail"),
    path("a/<int:pk>/s/<str:code>/", views.application_section, name="application_section"),
    path("a/<int:pk>/answers/<int:indicator_pk>/", views.answer_save, name="answer_save"),
    path("a/<int:pk>/evidence/<int:indicator_pk>/", views.evidence_upload, name="evidence_upload"),
    path("a/<int:pk>/evidence/file/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("a/<int:pk>/evidence/file/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("a/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("a/<int:pk>/improvement-areas/", views_silver.improvement_areas, name="improvement_areas"),
    path(
        "a/<int:pk>/improvement-areas/validate/",
        views_silver.improvement_areas_validate,
        name="improvement_areas_validate",
    ),
    path("a/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("a/<int:pk>/score/<str:code>/", views_workflow.case_scoring, name="case_scoring"),
    path("a/<int:pk>/own-scores/", views_workflow.own_scores_submit, name="own_scores_submit"),
    path("a/<int:pk>/agreed/confirm/", views_workflow.agreed_confirm, name="agreed_confirm"),
    path("a/<int:pk>/agreed/disagreement/", views_workflow.disagreement_state, name="disagreement_state"),
    path("a/<int:pk>/clarifications/", views_workflow.clarification_ask, name="clarification_ask"),
    path(
        "a/<int:pk>/clarifications/<int:clarification_pk>/answer/",
        views_workflow.clarification_answer,
        name="clarification_answer",
    ),
    path("a/<int:pk>/complete/", views_workflow.case_complete, name="case_complete"),
    path("a/<int:pk>/assign/", views_workflow.case_assign, name="case_assign"),
    path("a/<int:pk>/quality/<str:to_state>/", views_workflow.case_quality, name="case_quality"),
    path("assignments/<int:pk>/declare/", views_workflow.assignment_declare, name="assignment_declare"),
    path("office/", views_workflow.office_cases, name="office_cases"),
    path("pipeline/", views_pipeline.partner_pipeline, name="partner_pipeline"),
    path("office/late/", views_deadlines.late_steps_list, name="late_steps"),
    path("assignments/<int:pk>/remove/", views_deadlines.assignment_remove, name="assignment_remove"),
    path(
        "a/<int:pk>/clarifications/<int:clarification_pk>/extend/",
        views_deadlines.clarification_extend,
        name="clarification_extend",
    ),
    path(
        "a/<int:pk>/clarifications/<int:clarification_pk>/close/",
        views_deadlines.clarification_close,
        name="clarification_close",
    ),
    path("declarations/", views_deadlines.standing_declarations, name="standing_declarations"),
    path(
        "declarations/<int:pk>/withdraw/",
        views_deadlines.standing_declaration_withdraw,
        name="standing_declaration_withdraw",
    ),
    path("a/<int:pk>/report.pdf", views_workflow.report_download, name="report_download"),
    path("", include("assessments.urls_questionnaires")),
]
