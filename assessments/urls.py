from django.urls import include, path

from assessments import views

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
    path("a/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("", include("assessments.urls_questionnaires")),
]
