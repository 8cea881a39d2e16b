from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import AssessorProfile, RoleGrant, User
from common.enums import Level


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_at", "granted_by", "note"]
    readonly_fields = ["granted_at"]
    autocomplete_fields = ["granted_by"]


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "preferred_language"]


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("role_grants")

    @admin.display(description=_("staff roles"))
    def staff_roles(self, user: User) -> str:
        return ", ".join(str(grant.get_role_display()) for grant in user.role_grants.all())


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "granted_at", "granted_by"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "note"]
    autocomplete_fields = ["user", "granted_by"]


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
