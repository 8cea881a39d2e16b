from django.contrib import admin
from django.http import HttpRequest

from labels.models import CertificateJob, ImportJob, Label, LabelEvent, LabelReminder, ReminderDigest


# Read-only: labels are written by labels.services only, which keep the
# supersede chain and the one-current-label rule; an edit here would bypass them.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ["code", "organisation", "level", "source", "assessed_on", "valid_from", "valid_until", "score"]
    list_filter = ["level", "source", "organisation__country", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "organisation__name", "organisation__acronym"]
    list_select_related = ["organisation"]
    date_hierarchy = "valid_until"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["file", "uploaded_by", "created_at", "state", "dry_run", "total", "processed"]
    list_filter = ["state", "dry_run"]
    search_fields = ["file", "uploaded_by__email", "uploaded_by__full_name"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "created_at"


@admin.register(LabelEvent)
class LabelEventAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "by", "at"]
    list_filter = ["kind"]
    search_fields = ["label__code", "label__organisation__name", "reason"]
    list_select_related = ["label__organisation", "by"]

    def has_change_permission(self, request: HttpRequest, obj: LabelEvent | None = None) -> bool:
        return False


@admin.register(CertificateJob)
class CertificateJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "created_by", "state", "total", "processed", "rendered"]
    list_filter = ["state"]
    search_fields = ["created_by__email"]

    def has_change_permission(self, request: HttpRequest, obj: CertificateJob | None = None) -> bool:
        return False


# Reminders are written by the sweep only; the admin shows what went to whom.
@admin.register(LabelReminder)
class LabelReminderAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "due_on", "state", "sent_at", "note"]
    list_filter = ["state", "kind", "label__organisation__country"]
    search_fields = ["label__code", "label__organisation__name"]
    list_select_related = ["label__organisation"]
    date_hierarchy = "due_on"


@admin.register(ReminderDigest)
class ReminderDigestAdmin(ReadOnlyAdmin):
    list_display = ["week", "sent_at"]
    list_filter = ["sent_at"]
    search_fields = ["recipients"]
    date_hierarchy = "week"
