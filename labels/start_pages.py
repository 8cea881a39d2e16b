from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.start_pages import StartPage, register


def register_labels_pages() -> None:
    register(StartPage("office", _("Label office"), "labels:office_start", rules.is_label_office, 50))
    register(StartPage("committee", _("Label committee"), "labels:committee_start", rules.is_label_committee, 60))
    register(StartPage("policy", _("Statistics"), "statistics:overview", rules.is_policy_reader, 70))
