"""Reads every app shares: the history of a record."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from common.models import ActivityLog


def history_of(obj: models.Model) -> QuerySet[ActivityLog]:
    """Everything recorded about ``obj``, newest first."""
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=obj.pk
    )
