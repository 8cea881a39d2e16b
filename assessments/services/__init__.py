"""The writes of assessments, one module per stage.

``applications``: start, answers, evidence, submission, and the door every
state change goes through (``application_transition``). ``assessing``: from
assignment to quality check (impartiality, scoring, clarifications,
completion). The committee's decision is ``labels.decisions``.
"""
