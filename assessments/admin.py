from django.contrib import admin
from django.http import HttpRequest

from assessments import admin_questionnaires  # noqa: F401  (questionnaire admin lives there)
from assessments.models import (
    Answer,
    Application,
    ApplicationTransition,
    AssessmentReport,
    Assignment,
    BenchmarkingReport,
    Clarification,
    Decision,
    Evidence,
    Score,
)


class TransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "by", "at", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: states change through the portal's one door, not here."""

    list_display = ["organisation", "level", "state", "version", "created_at", "submitted_at"]
    list_filter = ["level", "state", "organisation__country"]
    search_fields = ["organisation__name"]
    readonly_fields = [
        "organisation",
        "level",
        "version",
        "state",
        "renewal_of",
        "created_by",
        "created_at",
        "submitted_at",
    ]
    list_select_related = ["organisation", "version__questionnaire"]
    inlines = [TransitionInline]


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(admin.ModelAdmin):
    list_display = ["application", "from_state", "to_state", "by", "at"]
    list_filter = ["to_state"]
    search_fields = ["application__organisation__name", "note"]
    list_select_related = ["application__organisation", "by"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["application", "indicator", "revision", "updated_at", "updated_by"]
    list_filter = ["application__level"]
    search_fields = ["application__organisation__name", "indicator__code"]
    readonly_fields = ["application", "indicator", "value", "previous_value", "revision", "updated_at", "updated_by"]
    list_select_related = ["application__organisation", "indicator", "updated_by"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "application", "indicator", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "application__organisation__name", "sha256"]
    readonly_fields = [
        "application",
        "indicator",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["application__organisation", "indicator"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["application", "assessor", "state", "assigned_at", "declared_at", "scores_submitted_at"]
    list_filter = ["state", "application__level"]
    search_fields = ["application__organisation__name", "assessor__email", "assessor__full_name"]
    list_select_related = ["application__organisation", "assessor"]
    readonly_fields = [
        "application",
        "assessor",
        "assigned_by",
        "assigned_at",
        "state",
        "declared_at",
        "decline_reason",
    ]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["application", "indicator", "assignment", "met", "points", "updated_at"]
    list_filter = ["met", "application__level"]
    search_fields = ["application__organisation__name", "indicator__code", "comment"]
    list_select_related = ["application__organisation", "indicator", "assignment__assessor"]


@admin.register(Clarification)
class ClarificationAdmin(admin.ModelAdmin):
    list_display = ["application", "indicator", "due_on", "asked_at", "answered_at"]
    list_filter = ["due_on"]
    search_fields = ["application__organisation__name", "question", "answer"]
    list_select_related = ["application__organisation", "indicator"]


@admin.register(AssessmentReport)
class AssessmentReportAdmin(admin.ModelAdmin):
    list_display = ["application", "score_percent", "passed", "completed_at"]
    list_filter = ["passed"]
    search_fields = ["application__organisation__name", "summary"]
    list_select_related = ["application__organisation"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Read-only: decisions are taken by the committee in the portal, once."""

    list_display = ["application", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    search_fields = ["application__organisation__name", "reason"]
    list_select_related = ["application__organisation", "decided_by"]

    def has_change_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BenchmarkingReport)
class BenchmarkingReportAdmin(admin.ModelAdmin):
    """Read-only: the PDF is rendered by a task whenever the figures it shows change."""

    list_display = ["application", "rendered_at", "fingerprint"]
    list_filter = ["rendered_at"]
    search_fields = ["application__organisation__name"]
    list_select_related = ["application__organisation"]
    readonly_fields = ["application", "pdf", "fingerprint", "rendered_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
