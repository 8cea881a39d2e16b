"""Erasures and data exports are records: the admin shows them, the services write them."""

from __future__ import annotations

from django.contrib import admin

from common.admin import RecordAdmin
from privacy.models import DataExport, Erasure


@admin.register(Erasure)
class ErasureAdmin(RecordAdmin):
    list_display = ["pseudonym", "legal_basis", "processed_at", "processed_by"]
    list_filter = ["processed_at"]
    search_fields = ["pseudonym", "legal_basis", "reason"]


@admin.register(DataExport)
class DataExportAdmin(RecordAdmin):
    list_display = ["user", "requested_at", "ready_at", "expires_at", "downloaded_at"]
    list_filter = ["requested_at"]
    search_fields = ["user__full_name"]
    exclude = ["token"]
