from django.contrib import admin

from assessments import admin_questionnaires  # noqa: F401  (questionnaire admin lives there)
from assessments.models import Answer, Application, ApplicationTransition, Evidence


class TransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "by", "at", "note"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
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
