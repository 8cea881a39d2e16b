from django.utils.translation import gettext_lazy as _

from accounts.start_pages import StartPage, register
from clusters import rules


def register_clusters_pages() -> None:
    register(StartPage("manager", _("My organisation"), "clusters:manager_start", rules.is_cluster_manager, 10))
    register(StartPage("partner", _("National partner"), "clusters:partner_start", rules.is_partner_staff, 20))
