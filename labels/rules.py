import rules

from accounts.rules import is_label_committee, is_label_office, is_policy_reader

rules.add_perm("labels.view_office_start", is_label_office)
rules.add_perm("labels.view_committee_start", is_label_committee)
# The office reads the statistics too: it answers policy makers' questions.
rules.add_perm("labels.view_statistics", is_policy_reader | is_label_office)
rules.add_perm("labels.import_labels", is_label_office)
rules.add_perm("labels.revoke_label", is_label_office)
