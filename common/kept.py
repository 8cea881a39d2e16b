"""What a person's page shows, drawn once and kept until the data changes.

A start page reads every open case of the person's kinds, counts the
organisations by state and draws it all, yet between two changes anywhere in
the portal it draws the same HTML each time it is asked. ``{% kept "name" %}``
(``common.templatetags.kept``) keeps a part of a page under the reader, the
address (its query string), the language, the day and the **history version**:
the newest row of the one history (``common.models.ActivityLog``), which every
service that writes adds to in the same transaction. Any change to a case, an
organisation, a label, a role or a membership therefore draws the part afresh
for everyone; the five minutes it is kept at most are only a safety net (for a
change whose history row commits after a newer one's, say).

Only parts of a page without forms go in (a CSRF token is the reader's browser's),
and nothing read from elsewhere than the history's records: the stored figures
(``labels.figures``) are drawn live beside them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone, translation

from common.models import ActivityLog
from common.request_cache import cached

KEPT_SECONDS = 300


def history_version() -> int:
    """The id of the newest history row: read once per request, again after a write."""

    def newest() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {ActivityLog._meta.db_table}")
            row = cursor.fetchone()
        return int(row[0] or 0) if row else 0

    return cached(("common.history_version",), newest, depends_on=("common.ActivityLog",))


def kept_key(name: str, request: HttpRequest, vary: Iterable[object] = ()) -> str:
    """Where the part ``name`` of this request's page is kept: per reader, address, language,
    day and history version (and whatever else the page names in ``vary``)."""
    user = getattr(request, "user", None)
    reader = str(user.pk) if user is not None and user.is_authenticated else "-"
    parts = [
        name,
        reader,
        request.path,
        request.GET.urlencode(),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        str(history_version()),
        *(str(value) for value in vary),
    ]
    return "kept:" + hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
