"""Questionnaire pages, included by ``assessments.urls`` (namespace ``assessments``)."""

from django.urls import path

from assessments import views_questionnaires

urlpatterns = [
    path(
        "questionnaires/<int:pk>/preview/",
        views_questionnaires.questionnaire_preview,
        name="questionnaire_preview",
    ),
    path(
        "questionnaires/<int:pk>/translations/",
        views_questionnaires.questionnaire_translations,
        name="questionnaire_translations",
    ),
]
