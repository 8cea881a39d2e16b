"""Who may do what with personal data: each action its own permission."""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_label_office


@rules.predicate
def is_the_person(user: Any, person: Any) -> bool:
    """The data is the asker's own: nobody asks for a copy of someone else's."""
    return bool(getattr(user, "is_authenticated", False) and person is not None and person.pk == user.pk)


@rules.predicate
def is_owner_of_export(user: Any, export: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and export is not None and export.user_id == user.pk)


rules.add_perm("privacy.request_export", is_the_person)
rules.add_perm("privacy.download_export", is_owner_of_export)
# The label office is the controller: it processes erasure requests.
rules.add_perm("privacy.view_erasures", is_label_office)
rules.add_perm("privacy.erase_person", is_label_office)
