from django.contrib import admin

from clusters.models import (
    ClusterOrganisation,
    EligibilityWaiver,
    Invitation,
    Membership,
    NationalPartner,
    OrganisationTransition,
    PartnerStaff,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined_at", "left_at"]


@admin.register(ClusterOrganisation)
class ClusterOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "country", "city", "state", "created_at"]
    list_filter = ["state", "country", "sectors"]
    search_fields = ["name", "acronym", "slug", "city"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sectors"]
    inlines = [MembershipInline]
    date_hierarchy = "created_at"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "joined_at", "left_at"]
    list_filter = ["role", "organisation__country"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


class PartnerStaffInline(admin.TabularInline):
    model = PartnerStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(NationalPartner)
class NationalPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "countries_display", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnerStaffInline]

    @admin.display(description="countries")
    def countries_display(self, partner: NationalPartner) -> str:
        return ", ".join(country.code for country in partner.countries)


@admin.register(PartnerStaff)
class PartnerStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "added_at"]
    list_filter = ["partner"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
    list_select_related = ["user", "partner"]


@admin.register(OrganisationTransition)
class OrganisationTransitionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "from_state", "to_state", "by", "at"]
    list_filter = ["to_state", "from_state"]
    search_fields = ["organisation__name", "note", "by__email"]
    list_select_related = ["organisation", "by"]
    date_hierarchy = "at"


@admin.register(EligibilityWaiver)
class EligibilityWaiverAdmin(admin.ModelAdmin):
    list_display = ["organisation", "criterion", "waived_by", "waived_at"]
    list_filter = ["criterion"]
    search_fields = ["organisation__name", "reason"]
    autocomplete_fields = ["organisation", "waived_by"]
    list_select_related = ["organisation", "waived_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "state", "created_at", "accepted_at"]
    list_filter = ["state", "role"]
    search_fields = ["email", "organisation__name"]
    autocomplete_fields = ["organisation", "invited_by", "accepted_by"]
    list_select_related = ["organisation"]
