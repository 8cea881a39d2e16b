"""People in the admin.

The office reads accounts here; only a superuser adds, changes or deletes one,
sets a password, or gives admin access, superuser status, groups, permissions
or staff roles. A superuser's grants and revocations of staff roles go through
``accounts.services`` (checked and logged), not straight to the table.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.enums import StaffRole
from accounts.models import AssessorProfile, RoleGrant, User
from accounts.services import role_grant, role_revoke
from common.admin import is_superuser
from common.enums import Level
from common.errors import ActionRefused


class SuperuserOnlyGrants:
    """Staff roles: seen and given by a superuser only; a grant is kept as given
    (take the role away and give it again to change it)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)


class RoleGrantInline(SuperuserOnlyGrants, admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "note", "granted_at", "granted_by"]
    readonly_fields = ["granted_at", "granted_by"]


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "preferred_language"]


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


# What only a superuser sees and sets on an account.
ACCESS_FIELDS = ("password", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    inlines = [RoleGrantInline]
    list_display = ["email", "full_name", "preferred_language", "staff_roles", "is_active", "is_staff", "last_login"]
    list_filter = ["role_grants__role", "is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "preferred_language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "preferred_language", "password1", "password2"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request)

    # Also what the password page asks: only a superuser sets someone's password.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if is_superuser(request):
            return fieldsets
        return [
            (title, {**options, "fields": [name for name in options["fields"] if name not in ACCESS_FIELDS]})
            for title, options in fieldsets
        ]

    def get_list_display(self, request: HttpRequest) -> Any:
        hidden = () if is_superuser(request) else ("staff_roles", "is_staff")
        return [name for name in super().get_list_display(request) if name not in hidden]

    def get_list_filter(self, request: HttpRequest) -> Any:
        hidden = () if is_superuser(request) else ("role_grants__role", "is_staff", "is_superuser")
        return [name for name in super().get_list_filter(request) if name not in hidden]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("role_grants")

    @admin.display(description=_("staff roles"))
    def staff_roles(self, user: User) -> str:
        return ", ".join(str(grant.get_role_display()) for grant in user.role_grants.all())

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        # The admin lets only signed-in staff this far; the service checks the rest.
        try:
            for grant in formset.deleted_objects:
                role_revoke(user=form.instance, role=StaffRole(grant.role), by=cast(User, request.user))
            for grant in formset.new_objects:
                role_grant(user=form.instance, role=StaffRole(grant.role), by=cast(User, request.user), note=grant.note)
        except ActionRefused as refusal:
            raise PermissionDenied(str(refusal)) from refusal


@admin.register(RoleGrant)
class RoleGrantAdmin(SuperuserOnlyGrants, admin.ModelAdmin):
    list_display = ["user", "role", "granted_at", "granted_by"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "note"]
    autocomplete_fields = ["user"]
    fields = ["user", "role", "note", "granted_at", "granted_by"]
    readonly_fields = ["granted_at", "granted_by"]

    def save_model(self, request: HttpRequest, obj: RoleGrant, form: Any, change: bool) -> None:
        try:
            grant = role_grant(user=obj.user, role=StaffRole(obj.role), by=cast(User, request.user), note=obj.note)
        except ActionRefused as refusal:
            raise PermissionDenied(str(refusal)) from refusal
        # The admin goes on with the object it built: make it the grant the service saved.
        obj.pk, obj.granted_at, obj.granted_by = grant.pk, grant.granted_at, grant.granted_by
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: RoleGrant) -> None:
        self.delete_queryset(request, RoleGrant.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        try:
            for grant in queryset.select_related("user"):
                role_revoke(user=grant.user, role=StaffRole(grant.role), by=cast(User, request.user))
        except ActionRefused as refusal:
            raise PermissionDenied(str(refusal)) from refusal


class AssessorProfileForm(forms.ModelForm):
    certified_levels = forms.MultipleChoiceField(
        label=_("certified levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = AssessorProfile
        fields = [
            "user",
            "home_country",
            "countries",
            "languages",
            "sectors",
            "certified_levels",
            "is_active",
            "certified_since",
        ]


@admin.register(AssessorProfile)
class AssessorProfileAdmin(admin.ModelAdmin):
    form = AssessorProfileForm
    list_display = ["user", "home_country", "countries_display", "languages", "certified_levels", "is_active"]
    list_filter = ["is_active", "home_country", "sectors"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["sectors"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssessorProfile]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("countries"))
    def countries_display(self, profile: AssessorProfile) -> str:
        return ", ".join(country.code for country in profile.countries)
