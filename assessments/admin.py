"""The assessments' records in the admin: shown, never written.

Applications move through the one door (``application_transition``), answers,
evidence, scores, reports and decisions are written by the services behind the
portal's pages, which check who may act and keep the timeline. The admin shows
them to the office and refuses every change, superusers included. Questionnaire
authoring, which the office does here, lives in ``admin_questionnaires``.
"""

from django.contrib import admin

from assessments import admin_questionnaires  # noqa: F401  (questionnaire admin lives there)
from assessments.models import (
    Answer,
    Application,
    AssessmentReport,
    Assignment,
    BenchmarkingReport,
    Clarification,
    DeadlineReminder,
    Decision,
    Evidence,
    Score,
    SilverImprovementArea,
    StandingDeclaration,
)
from common.admin import RecordAdmin


@admin.register(Application)
class ApplicationAdmin(RecordAdmin):
    """States change through the portal's one door, not here."""

    list_display = ["organisation", "level", "state", "version", "created_at", "submitted_at"]
    list_filter = ["level", "state", "organisation__country"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "version__questionnaire"]


@admin.register(Answer)
class AnswerAdmin(RecordAdmin):
    list_display = ["application", "indicator", "revision", "updated_at", "updated_by"]
    list_filter = ["application__level"]
    search_fields = ["application__organisation__name", "indicator__code"]
    list_select_related = ["application__organisation", "indicator", "updated_by"]


@admin.register(Evidence)
class EvidenceAdmin(RecordAdmin):
    list_display = ["original_name", "application", "indicator", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "application__organisation__name", "sha256"]
    list_select_related = ["application__organisation", "indicator"]


@admin.register(Assignment)
class AssignmentAdmin(RecordAdmin):
    list_display = ["application", "assessor", "state", "assigned_at", "declared_at", "scores_submitted_at"]
    list_filter = ["state", "application__level"]
    search_fields = ["application__organisation__name", "assessor__email", "assessor__full_name"]
    list_select_related = ["application__organisation", "assessor"]


@admin.register(Score)
class ScoreAdmin(RecordAdmin):
    list_display = ["application", "indicator", "assignment", "met", "points", "updated_at"]
    list_filter = ["met", "application__level"]
    search_fields = ["application__organisation__name", "indicator__code", "comment"]
    list_select_related = ["application__organisation", "indicator", "assignment__assessor"]


@admin.register(SilverImprovementArea)
class SilverImprovementAreaAdmin(RecordAdmin):
    """Chosen by the manager and validated by the auditor in the portal."""

    list_display = ["application", "position", "source", "validated", "gold_criterion", "validated_at"]
    list_filter = ["validated"]
    search_fields = ["application__organisation__name", "recommendation"]
    list_select_related = ["application__organisation"]


@admin.register(Clarification)
class ClarificationAdmin(RecordAdmin):
    list_display = ["application", "indicator", "due_on", "asked_at", "answered_at"]
    list_filter = ["due_on"]
    search_fields = ["application__organisation__name", "question", "answer"]
    list_select_related = ["application__organisation", "indicator"]


@admin.register(AssessmentReport)
class AssessmentReportAdmin(RecordAdmin):
    list_display = ["application", "score_percent", "passed", "completed_at"]
    list_filter = ["passed"]
    search_fields = ["application__organisation__name", "summary"]
    list_select_related = ["application__organisation"]


@admin.register(Decision)
class DecisionAdmin(RecordAdmin):
    """Decisions are taken by the committee in the portal, once."""

    list_display = ["application", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    search_fields = ["application__organisation__name", "reason"]
    list_select_related = ["application__organisation", "decided_by"]


@admin.register(BenchmarkingReport)
class BenchmarkingReportAdmin(RecordAdmin):
    """The PDF is rendered by a task whenever the figures it shows change."""

    list_display = ["application", "rendered_at", "fingerprint"]
    list_filter = ["rendered_at"]
    search_fields = ["application__organisation__name"]
    list_select_related = ["application__organisation"]


@admin.register(StandingDeclaration)
class StandingDeclarationAdmin(RecordAdmin):
    """An expert's links to organisations: written by the expert on their page, kept with their history."""

    list_display = ["assessor", "organisation", "kind", "declared_at", "withdrawn_at"]
    list_filter = ["kind"]
    search_fields = ["assessor__email", "assessor__full_name", "organisation__name"]
    list_select_related = ["assessor", "organisation"]


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(RecordAdmin):
    """Each reminder of a late step, once per deadline: the row is what keeps it once."""

    list_display = ["step", "record_id", "deadline", "sent_at"]
    list_filter = ["step"]
    search_fields = ["step", "recipients"]
