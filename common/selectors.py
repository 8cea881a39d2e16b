"""Reads every app shares: the history of a record, a person's notifications."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from common.models import ActivityLog, Notification


def history_of(obj: models.Model) -> QuerySet[ActivityLog]:
    """Everything recorded about ``obj``, newest first."""
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=obj.pk
    )


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The person's own notifications, newest first: the one scope of the notifications page and its count."""
    return Notification.objects.filter(user=user)
