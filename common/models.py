"""Shared reference data, and the shapes every app's records take (abstract models)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.enums import JobState


class BackgroundJob(models.Model):
    """Work a person started and a Celery task works through, with its progress.

    ``total`` and ``processed`` count the job's items (rows, certificates), so
    a page can draw a progress bar while the worker runs.
    """

    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(_("items"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0


class Sector(models.Model):
    """A comparative portfolio: what organisations and assessors are grouped by."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A message in a person's in-portal list (the same news also goes by e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="common_notification_unread")]

    def __str__(self) -> str:
        return self.title


class ActivityLog(models.Model):
    """The one history: who did what to which object, when, with what values and why.

    Written by the services in the same transaction as the change they record
    (``common.services.history_record``). Append-only: the database itself
    refuses ``UPDATE`` and ``DELETE`` on this table (triggers made by migration
    ``0004_activity_log``), so not a bug, not the admin, not a shell can rewrite
    it. A row names people by reference to their account, never by a copied
    name or address: erasing a person later (a pseudonym in the account) leaves
    the log untouched and still true.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    action = models.CharField(_("what"), max_length=64)
    # PROTECT: an account that acted is never deleted (erasure replaces its name instead).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Dates, decimals and times as the API writes them (ISO, strings).
    data = models.JSONField(_("values"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="common_log_object"),
            models.Index(fields=["actor", "at"], name="common_log_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id}: {self.action}"
