"""Writes on shared reference data."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from common.enums import SECTOR_NAMES


def sectors_ensure(sector_model: Any = None) -> None:
    """Make the sector table hold the scheme's sector list (idempotent).

    Takes the model class so the data migration can pass its historical model.
    """
    if sector_model is None:
        from common.models import Sector as sector_model
    for position, name in enumerate(SECTOR_NAMES, start=1):
        sector_model.objects.update_or_create(slug=slugify(name), defaults={"name": name, "position": position})
