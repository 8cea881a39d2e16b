"""The clusters' models in the admin.

Organisations, their state changes, waivers, memberships and invitations are
records: the portal's pages change them through ``clusters.services``, which
check who may act, keep the transition rows and take a reason; here they are
shown and never written. National partners and their staff decide who sees a
country's organisations: the office reads them, only a superuser writes them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clusters.models import (
    ClusterOrganisation,
    EligibilityWaiver,
    Invitation,
    Membership,
    NameChangeRequest,
    NationalPartner,
    PartnerStaff,
)
from common.admin import RecordAdmin, RecordInline, SuperuserWritesAdmin, SuperuserWritesInline


class MembershipInline(RecordInline):
    model = Membership
    fields = ["user", "role", "joined_at", "left_at"]


@admin.register(ClusterOrganisation)
class ClusterOrganisationAdmin(RecordAdmin):
    list_display = ["name", "acronym", "country", "city", "state", "created_at"]
    list_filter = ["state", "country", "sectors"]
    search_fields = ["name", "acronym", "slug", "city"]
    inlines = [MembershipInline]
    date_hierarchy = "created_at"


@admin.register(Membership)
class MembershipAdmin(RecordAdmin):
    list_display = ["user", "organisation", "role", "joined_at", "left_at"]
    list_filter = ["role", "organisation__country"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]


class PartnerStaffInline(SuperuserWritesInline):
    model = PartnerStaff
    autocomplete_fields = ["user"]


@admin.register(NationalPartner)
class NationalPartnerAdmin(SuperuserWritesAdmin):
    list_display = ["name", "countries_display", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnerStaffInline]

    @admin.display(description=_("countries"))
    def countries_display(self, partner: NationalPartner) -> str:
        return ", ".join(country.code for country in partner.countries)


@admin.register(PartnerStaff)
class PartnerStaffAdmin(SuperuserWritesAdmin):
    list_display = ["user", "partner", "added_at"]
    list_filter = ["partner"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
    list_select_related = ["user", "partner"]


@admin.register(EligibilityWaiver)
class EligibilityWaiverAdmin(RecordAdmin):
    list_display = ["organisation", "criterion", "waived_by", "waived_at"]
    list_filter = ["criterion"]
    search_fields = ["organisation__name", "reason"]
    list_select_related = ["organisation", "waived_by"]


@admin.register(Invitation)
class InvitationAdmin(RecordAdmin):
    list_display = ["email", "organisation", "role", "state", "created_at", "accepted_at"]
    list_filter = ["state", "role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(NameChangeRequest)
class NameChangeRequestAdmin(RecordAdmin):
    list_display = ["organisation", "current_name", "new_name", "state", "requested_at", "decided_at"]
    list_filter = ["state", "organisation__country"]
    search_fields = ["organisation__name", "current_name", "new_name"]
    list_select_related = ["organisation"]
