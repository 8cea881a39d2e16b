"""A person's requests about their own data: a copy of it, and its erasure."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.files import private_storage


class DataExport(models.Model):
    """A copy of everything the portal holds about one person (GDPR articles 15 and 20).

    Built by the worker into a private ZIP; downloadable once, until
    ``expires_at``. Retention deletes the file (and the row) after that.
    No state field: requested, ready, downloaded and expired are the dates.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_exports", verbose_name=_("person")
    )
    # The download link's secret: the person's own session is checked too.
    token = models.CharField(_("link"), max_length=64, unique=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("offered until"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to="exports/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return f"export {self.pk} of user {self.user_id}"

    @property
    def is_ready(self) -> bool:
        return self.ready_at is not None

    def is_downloadable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return bool(
            self.ready_at and self.downloaded_at is None and self.file and self.expires_at and self.expires_at > moment
        )


class Erasure(models.Model):
    """An erasure request the label office processed (GDPR article 17).

    Kept for as long as the records it protects: it is the proof that the
    person asked, why it was done, on which legal basis, and what stays. The
    person is referred to by the account, which now carries the pseudonym.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure", verbose_name=_("person")
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=64, unique=True)
    reason = models.TextField(_("reason"))
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("processed by")
    )
    processed_at = models.DateTimeField(_("processed at"), default=timezone.now)

    class Meta:
        ordering = ["-processed_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return self.pseudonym
