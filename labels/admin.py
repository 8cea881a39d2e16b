"""The labels' records in the admin: shown, never written.

Labels are written by ``labels.services`` only, which keep the supersede chain,
the one-current-label rule and the label's events (who, when, why); jobs,
reminders and digests by the tasks that run them. Corrections and revocations
go through the label's pages in the portal.
"""

from django.contrib import admin

from common.admin import RecordAdmin
from labels.models import (
    AgendaItem,
    CertificateJob,
    ImportJob,
    Label,
    LabelReminder,
    Meeting,
    ReminderDigest,
    StoredFigure,
)


@admin.register(Label)
class LabelAdmin(RecordAdmin):
    list_display = ["code", "organisation", "level", "source", "assessed_on", "valid_from", "valid_until", "score"]
    list_filter = ["level", "source", "organisation__country", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "organisation__name", "organisation__acronym"]
    list_select_related = ["organisation"]
    date_hierarchy = "valid_until"


@admin.register(ImportJob)
class ImportJobAdmin(RecordAdmin):
    list_display = ["file", "uploaded_by", "created_at", "state", "dry_run", "total", "processed"]
    list_filter = ["state", "dry_run"]
    search_fields = ["file", "uploaded_by__email", "uploaded_by__full_name"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "created_at"


@admin.register(CertificateJob)
class CertificateJobAdmin(RecordAdmin):
    list_display = ["created_at", "created_by", "state", "total", "processed", "rendered"]
    list_filter = ["state"]
    search_fields = ["created_by__email"]


# Reminders are written by the sweep only; the admin shows what went to whom.
@admin.register(LabelReminder)
class LabelReminderAdmin(RecordAdmin):
    list_display = ["label", "kind", "due_on", "state", "sent_at", "note"]
    list_filter = ["state", "kind", "label__organisation__country"]
    search_fields = ["label__code", "label__organisation__name"]
    list_select_related = ["label__organisation"]
    date_hierarchy = "due_on"


@admin.register(ReminderDigest)
class ReminderDigestAdmin(RecordAdmin):
    list_display = ["week", "sent_at"]
    list_filter = ["sent_at"]
    search_fields = ["recipients"]
    date_hierarchy = "week"


# Derived data, written by ``labels.figures.figures_refresh`` only: read here, never edited.
@admin.register(StoredFigure)
class StoredFigureAdmin(RecordAdmin):
    list_display = ["name", "scope", "day", "computed_at"]
    list_filter = ["name", "day"]
    search_fields = ["name", "scope"]


# The board's meetings and their agenda are written by ``labels.board`` only (through the door).
@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["held_on", "state", "quorum", "scheduled_by"]
    list_filter = ["state"]
    search_fields = ["scheduled_by__email"]
    date_hierarchy = "held_on"


@admin.register(AgendaItem)
class AgendaItemAdmin(RecordAdmin):
    list_display = ["meeting", "application", "state", "outcome", "rapporteur", "approved_by"]
    list_filter = ["state", "outcome"]
    search_fields = ["application__organisation__name", "rapporteur__email", "approved_by__email"]
    list_select_related = ["meeting", "application__organisation", "rapporteur", "approved_by"]
