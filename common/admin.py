"""The admin's guard rails, shared by every app, and the admin of common's models.

The admin is where the label office reads everything; it is not where records
are written. Records (states, results, scores, decisions, transitions, the log,
label dates and events) are written by the portal's services, which check who
may act, take a reason and keep the history: an edit here would go round all
three. ``RecordAdmin`` and ``RecordInline`` show such a model and refuse every
add, change and delete, superusers included. ``SuperuserWritesAdmin`` is for
what gives people access (roles, partners' countries): the office reads it,
only a superuser writes it. Private files have no URL: every admin here shows
their name, never a link, and never takes an upload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from common.files import PrivateStorage
from common.models import ActivityLog, Notification, Sector


def is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def private_file_fields(model: type[models.Model]) -> list[models.FileField]:
    """The model's file fields stored privately (``common.files.private_storage``)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField) and isinstance(field.storage, PrivateStorage)
    ]


def _without_delete_selected(actions: dict[str, Any]) -> dict[str, Any]:
    # "Delete selected" deletes by queryset: keep it away even if a permission slips.
    actions.pop("delete_selected", None)
    return actions


class PrivateFilesAdmin(admin.ModelAdmin):
    """Shows a private file as its name, read-only.

    Django's admin draws a file as a link to its URL, and a private file has
    none (``PrivateStorage.url`` refuses): the page would fail. Each private
    file field is replaced, wherever the admin names it (fields, fieldsets,
    read-only fields, list columns), by a display of its name; the field itself
    is never in the form, so no upload goes round the upload checks.
    """

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        self.private_files: dict[str, str] = {}
        for field in private_file_fields(model):
            alias = f"{field.name}_file_name"
            self.private_files[field.name] = alias
            setattr(self, alias, self._file_name_display(field))

    def _file_name_display(self, field: models.FileField) -> Callable[[models.Model], str]:
        @admin.display(description=field.verbose_name)
        def file_name(obj: models.Model) -> str:
            stored = getattr(obj, field.name)
            return str(stored.name) if stored else str(self.get_empty_value_display())

        return file_name

    def _swap(self, names: Sequence[Any]) -> list[Any]:
        swapped: list[Any] = []
        for name in names:
            if isinstance(name, (list, tuple)):  # fields shown on one line
                name = tuple(self.private_files.get(item, item) for item in name)
            else:
                name = self.private_files.get(name, name)
            if name not in swapped:
                swapped.append(name)
        return swapped

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self._swap(super().get_fields(request, obj))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            (title, {**options, "fields": self._swap(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The real names keep the fields out of the form; the aliases are what is shown.
        names = [*super().get_readonly_fields(request, obj), *self.private_files, *self.private_files.values()]
        return list(dict.fromkeys(names))

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._swap(super().get_list_display(request))


class RecordAdmin(PrivateFilesAdmin):
    """A record, shown and never written: no add, no change, no delete, for anyone.

    Fixes go through the portal's pages, which call a service and leave a reason.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_delete_selected(super().get_actions(request))


class RecordInline(admin.TabularInline):
    """The rows of a record shown inside another page, never written."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuperuserWritesAdmin(PrivateFilesAdmin):
    """What gives people access: the office may read it, only a superuser adds, changes or deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_delete_permission(request, obj)


class SuperuserWritesInline(admin.TabularInline):
    """The inline form of ``SuperuserWritesAdmin``."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_delete_permission(request, obj)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    ordering = ["position"]
    prepopulated_fields = {"slug": ["name"]}


# What the portal told a person and when they read it: a record, not a message box.
@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    list_display = ["title", "user", "created_at", "read_at"]
    list_filter = ["read_at", "created_at"]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]


# The one history: read here, written only by the services, refused any change by the database.
@admin.register(ActivityLog)
class ActivityLogAdmin(RecordAdmin):
    list_display = ["at", "action", "content_type", "object_id", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "reason", "actor__email"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "at"
