from django.contrib import admin

from common.models import Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    ordering = ["position"]
    prepopulated_fields = {"slug": ["name"]}
