"""Placeholder until the questionnaire pages land."""

urlpatterns: list = []
