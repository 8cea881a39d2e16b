from django.utils.translation import gettext_lazy as _

from accounts.start_pages import FirstStep, StartPage, register, register_first_step
from clusters import rules


def register_clusters_pages() -> None:
    register(StartPage("manager", _("My organisation"), "clusters:manager_start", rules.is_cluster_manager, 10))
    register(StartPage("partner", _("National partner"), "clusters:partner_start", rules.is_partner_staff, 20))
    register_first_step(
        FirstStep(
            _("Register your cluster organisation"),
            _("Managing a cluster? Register its organisation; your national partner or the label office validates it."),
            "clusters:organisation_register",
        )
    )
