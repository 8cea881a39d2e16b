"""Vocabulary of the scheme that every app shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The three label levels, in ascending order of demand."""

    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")


# The "comparative portfolios" of the scheme's public list (see DOMAIN.md), in
# the order the list shows them. Loaded into the Sector table by a migration.
SECTOR_NAMES: tuple[str, ...] = (
    "Food industry",
    "Biotechnology",
    "Health and medical science",
    "Construction",
    "Sports, leisure and tourism",
    "Energy and environment",
    "Creative industries",
    "Production and engineering",
    "Aviation and space",
    "ICT",
    "New materials and chemistry",
    "Transportation and logistics",
)


class JobState(models.TextChoices):
    """Where a background job (an import, a bulk rendering) stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
