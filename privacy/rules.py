"""Who may do what with personal data: each action its own permission."""

from __future__ import annotations

import rules

from accounts.rules import is_label_office

# Everyone signed in may see and ask for a copy of their own data; the
# services check that the person is the data's owner.
rules.add_perm("privacy.view_own_data", rules.is_authenticated)
rules.add_perm("privacy.request_export", rules.is_authenticated)
rules.add_perm("privacy.download_export", rules.is_authenticated)
# The label office is the controller: it processes erasure requests.
rules.add_perm("privacy.view_erasures", is_label_office)
rules.add_perm("privacy.erase_person", is_label_office)
