"""Reads every app shares: the history of a record, a person's notifications."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from common.models import ActivityLog, Notification
from common.person_reads import PersonRead, person_read, register


def history_of(obj: models.Model) -> QuerySet[ActivityLog]:
    """Everything recorded about ``obj``, newest first."""
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=obj.pk
    )


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The person's own notifications, newest first: the one scope of the notifications page and its count."""
    return Notification.objects.filter(user=user)


def _unread_select() -> str:
    return f"SELECT '' AS t, COUNT(*) AS n FROM {Notification._meta.db_table} WHERE user_id = %s AND read_at IS NULL"


# Shown in every page's header: read with the person's roles (common.person_reads).
register(
    PersonRead(
        "common.unread_notifications",
        _unread_select,
        lambda pk: (pk,),
        lambda rows: int(rows[0][1]) if rows else 0,
        ("common.Notification",),
    )
)


def unread_count_of(user: Any) -> int:
    """How many of the person's notifications are unread (``notifications_of``, unread)."""
    count: int = person_read("common.unread_notifications", user.pk)
    return count
