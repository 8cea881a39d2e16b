"""Shared reference data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
