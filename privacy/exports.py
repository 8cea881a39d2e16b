"""A person's copy of their data (GDPR articles 15 and 20): requested from the
profile, built by the worker, offered for ``PRIVACY_EXPORT_HOURS``, downloaded once.

The ZIP holds ``data.json`` (the account, roles, assessor profile,
memberships, partner roles, declarations, clarifications, notifications and
the history rows where the person acted) and ``files/``: the evidence they
uploaded, as uploaded.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
import zipfile
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AssessorProfile, RoleGrant, User
from assessments.models import Assignment, Clarification, Evidence
from clusters.models import Membership, PartnerStaff
from common.models import ActivityLog, Notification
from common.notify import notify
from common.services import history_record
from privacy.models import DataExport


class ExportGone(Exception):
    """The export was downloaded already, has expired, or is not built yet."""


def _rows(queryset: models.QuerySet[Any], *fields: str) -> list[dict[str, Any]]:
    return list(queryset.values(*fields))


def export_data(user: User) -> dict[str, Any]:
    """Everything the portal holds about ``user``, as plain JSON-able values."""
    return {
        "account": _rows(
            User.objects.filter(pk=user.pk),
            "id",
            "email",
            "full_name",
            "preferred_language",
            "is_active",
            "date_joined",
            "last_login",
            "email_confirmed_at",
        )[0],
        "roles": _rows(RoleGrant.objects.filter(user=user), "role", "granted_at", "note"),
        "assessor_profile": [
            {
                "home_country": str(p.home_country),
                "countries": [str(c) for c in p.countries],
                "languages": p.languages,
                "certified_levels": p.certified_levels,
                "certified_since": p.certified_since,
                "is_active": p.is_active,
            }
            for p in AssessorProfile.objects.filter(user=user)
        ],
        "memberships": _rows(
            Membership.objects.filter(user=user), "organisation__name", "role", "joined_at", "left_at"
        ),
        "partner_roles": _rows(PartnerStaff.objects.filter(user=user), "partner__name"),
        "declarations": _rows(
            Assignment.objects.filter(assessor=user),
            "application_id",
            "application__organisation__name",
            "application__level",
            "assigned_at",
            "state",
            "declared_at",
            "decline_reason",
            "scores_submitted_at",
        ),
        "clarifications_asked": _rows(
            Clarification.objects.filter(asked_by=user), "application_id", "question", "asked_at", "due_on"
        ),
        "clarifications_answered": _rows(
            Clarification.objects.filter(answered_by=user), "application_id", "answer", "answered_at"
        ),
        "notifications": _rows(Notification.objects.filter(user=user), "title", "body", "created_at", "read_at"),
        "history": _rows(
            ActivityLog.objects.filter(actor=user).order_by("at", "id"),
            "at",
            "action",
            "content_type__model",
            "object_id",
            "data",
            "reason",
        ),
        "uploaded_files": _rows(
            Evidence.objects.filter(uploaded_by=user),
            "id",
            "application_id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
        ),
    }


def export_request(*, user: User, by: Any) -> DataExport:
    """A person asks for their data; the worker builds it after commit.

    Side effects: a history row (``data_export.requested``); the build task.
    An export still being built is returned instead of a second one.
    """
    if not by.has_perm("privacy.request_export", user):
        raise PermissionDenied
    pending = DataExport.objects.filter(user=user, ready_at__isnull=True).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(user=user, token=secrets.token_urlsafe(32))
    history_record(obj=export, action="data_export.requested", by=by)
    transaction.on_commit(lambda: build_export.delay(export.pk))
    return export


def export_build_by_id(export_id: int) -> None:
    export = DataExport.objects.filter(pk=export_id, ready_at__isnull=True).first()
    if export is not None:
        export_build(export=export)


@transaction.atomic
def export_build(*, export: DataExport) -> DataExport:
    """Write the ZIP and offer it. Idempotent: a built export is left as it is.

    Side effects: a private file ``exports/…``; a history row (``data_export.built``, by the system);
    after commit, the person is told (notification and e-mail) with a link to their data page.
    """
    export = DataExport.objects.select_for_update().select_related("user").get(pk=export.pk)
    if export.ready_at is not None:
        return export
    with tempfile.TemporaryFile() as scratch:
        with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "data.json", json.dumps(export_data(export.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
            )
            for evidence in Evidence.objects.filter(uploaded_by=export.user).exclude(file=""):
                with evidence.file.open("rb") as source:
                    archive.writestr(f"files/{evidence.pk}-{evidence.original_name}", source.read())
        scratch.seek(0)
        digest = hashlib.sha256(scratch.read()).hexdigest()
        scratch.seek(0)
        export.file.save(f"{secrets.token_hex(16)}.zip", File(scratch), save=False)
    now = timezone.now()
    export.ready_at, export.sha256 = now, digest
    export.expires_at = now + timedelta(hours=settings.PRIVACY_EXPORT_HOURS)
    export.save(update_fields=["file", "ready_at", "sha256", "expires_at"])
    history_record(obj=export, action="data_export.built", by=None, data={"sha256": digest})
    # The mail links to the person's data page, never to the download itself: a mailbox is not a session.
    person = export.user
    transaction.on_commit(
        lambda: notify(
            people=[person],
            template="privacy/email/export_ready",
            context={"hours": settings.PRIVACY_EXPORT_HOURS},
            url=reverse("privacy:my_data"),
        )
    )
    return export


@shared_task(name="privacy.build_export", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_export(export_id: int) -> None:
    """Build a person's data export; quietly nothing if it is gone or already built."""
    export_build_by_id(export_id)


def export_download(*, token: str, by: Any) -> DataExport:
    """Hand the export over once: the first download spends the link.

    Raises ``PermissionDenied`` for anyone but its owner (before saying
    anything about its state) and ``ExportGone`` once downloaded or expired.
    Side effects: a history row (``data_export.downloaded``).
    """
    export = DataExport.objects.filter(token=token).first()
    if export is None or not by.has_perm("privacy.download_export", export):
        raise PermissionDenied
    now = timezone.now()
    # One conditional update: of two simultaneous clicks, one wins.
    spent = DataExport.objects.filter(
        pk=export.pk, downloaded_at__isnull=True, ready_at__isnull=False, expires_at__gt=now
    ).update(downloaded_at=now)
    if not spent or not export.file:
        raise ExportGone
    history_record(obj=export, action="data_export.downloaded", by=by)
    export.downloaded_at = now
    return export
