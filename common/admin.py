from django.contrib import admin

from common.models import Notification, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    ordering = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at"]
    list_filter = ["read_at", "created_at"]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]
