"""Placeholder until the questionnaire admin lands."""
