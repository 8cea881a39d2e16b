"""Storage limitation (GDPR article 5): what has been kept long enough is deleted, by itself.

Run daily by the beat (task ``privacy.retention``) and on demand with
``manage.py retention [--dry-run]``. The periods are ``PRIVACY_RETENTION_DAYS``
and ``PRIVACY_EXPORT_HOURS`` in the settings (README, "Personal data").
Every deletion leaves one history row naming the kind and id of what went
(the append-only history itself is never deleted, and refers to records by
kind and id only, so it stays readable when they are gone). Idempotent: a
second run the same day finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from assessments.enums import ApplicationState
from assessments.models import Application, Evidence
from billing.models import Quote
from common.files import private_storage
from common.models import Notification
from common.services import history_record_many
from labels.models import Label
from labels.validity import renewal_window_end
from privacy.models import DataExport

ACTION = "retention.deleted"
BATCH = 1000


@dataclass(frozen=True)
class Doomed:
    """One kind of data past its period: what it is, why it goes, and the rows."""

    kind: str
    rule: str
    rows: models.QuerySet[Any]
    delete: Callable[[models.QuerySet[Any]], int]


def _days(name: str) -> int:
    return int(settings.PRIVACY_RETENTION_DAYS[name])


def _lapsed_label_applications(today: date) -> list[int]:
    """Applications whose label has lapsed, its renewal window closed, and the period after it passed."""
    days = _days("evidence_after_window")
    # The window is a year or so: only labels that expired before today minus the period can qualify.
    candidates = Label.objects.filter(application__isnull=False, valid_until__lt=today - timedelta(days=days))
    return [
        label.application_id
        for label in candidates.only("level", "valid_until", "application_id")
        if label.application_id is not None
        and renewal_window_end(level=label.level, valid_until=label.valid_until) + timedelta(days=days) < today
    ]


def _abandoned_drafts(now: datetime) -> models.QuerySet[Application]:
    """Drafts (and drafts archived for being idle, where that state exists) untouched for the period."""
    cutoff = now - timedelta(days=_days("abandoned_draft"))
    # Another change adds an "archived" state for idle drafts; count it once it exists.
    archived = getattr(ApplicationState, "ARCHIVED", None)
    states = [ApplicationState.DRAFT, *([archived] if archived else [])]
    return (
        # A draft with an invoice is not abandoned paperwork: invoices are kept by law (README, "Personal data").
        Application.objects.filter(state__in=states, created_at__lt=cutoff, invoices__isnull=True)
        .annotate(last_answer=Max("answers__updated_at"), last_file=Max("evidence__uploaded_at"))
        .filter(Q(last_answer__isnull=True) | Q(last_answer__lt=cutoff))
        .filter(Q(last_file__isnull=True) | Q(last_file__lt=cutoff))
    )


def _axes_models() -> Iterator[type[models.Model]]:
    from axes import models as axes_models

    for name in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        if hasattr(axes_models, name):
            yield getattr(axes_models, name)


def doomed(now: datetime | None = None) -> list[Doomed]:
    """Everything retention would delete now, by kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = settings.PRIVACY_RETENTION_DAYS
    found = [
        Doomed(
            "evidence",
            f"label lapsed, renewal window closed, then {days['evidence_after_window']} days",
            Evidence.objects.filter(application_id__in=_lapsed_label_applications(today)),
            _delete_with_files("file"),
        ),
        Doomed(
            "abandoned draft",
            f"a draft untouched for {days['abandoned_draft']} days",
            Application.objects.filter(pk__in=[a.pk for a in _abandoned_drafts(now)]),
            _delete_drafts,
        ),
        Doomed(
            "notification",
            f"older than {days['notification']} days",
            Notification.objects.filter(created_at__lt=now - timedelta(days=days["notification"])),
            _delete_plain,
        ),
        Doomed(
            "data export",
            f"downloaded, or offered for {settings.PRIVACY_EXPORT_HOURS} hours and expired",
            DataExport.objects.filter(Q(downloaded_at__isnull=False) | Q(expires_at__lt=now)).exclude(file=""),
            _delete_with_files("file"),
        ),
    ]
    for model in _axes_models():
        found.append(
            Doomed(
                f"login record ({model._meta.verbose_name})",
                f"older than {days['login_attempt']} days",
                model._default_manager.filter(attempt_time__lt=now - timedelta(days=days["login_attempt"])),
                _delete_plain,
            )
        )
    return found


def retention_preview(now: datetime | None = None) -> list[tuple[str, str, int]]:
    """The dry run: (kind, rule, id) of every row that would go, deleting nothing."""
    return [(d.kind, d.rule, pk) for d in doomed(now) for pk in d.rows.order_by("pk").values_list("pk", flat=True)]


def retention_run(now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its period; return how many of each kind went.

    Side effects: one history row per deleted row (``retention.deleted``, by
    the system, with the kind, id and rule), written in the transaction of
    the deletion; files are removed from the private store after commit.
    """
    counts = {}
    for item in doomed(now):
        ids = list(item.rows.order_by("pk").values_list("pk", flat=True))
        deleted = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                batch = item.rows.model._default_manager.filter(pk__in=ids[start : start + BATCH])
                history_record_many(objs=list(batch), action=ACTION, by=None, data=_logged(item))
                deleted += item.delete(batch)
        counts[item.kind] = deleted
    return counts


def _logged(item: Doomed) -> Callable[[Any], dict[str, Any]]:
    """The values of a deletion's history row: the kind and id of what went (it is gone after), and the rule."""

    def values(obj: Any) -> dict[str, Any]:
        return {"kind": item.kind, "id": obj.pk, "rule": item.rule}

    return values


def _delete_plain(rows: models.QuerySet[Any]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    rows.model._default_manager.filter(pk__in=ids).delete()
    return len(ids)


def _files_delete_on_commit(names: list[str]) -> None:
    def remove() -> None:
        for name in names:
            private_storage.delete(name)

    transaction.on_commit(remove)


def _delete_with_files(field: str) -> Callable[[models.QuerySet[Any]], int]:
    def delete(rows: models.QuerySet[Any]) -> int:
        ids = list(rows.values_list("pk", flat=True))
        names = [name for name in rows.values_list(field, flat=True) if name]
        rows.model._default_manager.filter(pk__in=ids).delete()
        _files_delete_on_commit(names)
        return len(ids)

    return delete


def _delete_drafts(rows: models.QuerySet[Application]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    names = [name for name in Evidence.objects.filter(application_id__in=ids).values_list("file", flat=True) if name]
    # The quote written when the draft was started goes with it (it was never invoiced).
    Quote.objects.filter(application_id__in=ids).delete()
    Application.objects.filter(pk__in=ids).delete()
    _files_delete_on_commit(names)
    return len(ids)
