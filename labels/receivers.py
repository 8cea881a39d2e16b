"""What labels do when something below them changes (``clusters`` never imports ``labels``)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from clusters.models import ClusterOrganisation
from labels.models import Label, registry_sort_name


def organisation_saved(sender: type[ClusterOrganisation], instance: ClusterOrganisation, **kwargs: Any) -> None:
    """Keep the registry's keys of the organisation's labels (its name as sorted, its country)
    in step with the organisation.

    Both renames (``clusters.services.organisation_name_correct`` and a decided name change in
    ``clusters.names``) save ``name``; one UPDATE, which touches no row when nothing changed.
    """
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or kwargs.get("raw"):
        return
    if update_fields is not None and not {"name", "country"} & set(update_fields):
        return
    key, country = registry_sort_name(instance.name), str(instance.country)
    Label.objects.filter(organisation_id=instance.pk).exclude(sort_name=key, organisation_country=country).update(
        sort_name=key, organisation_country=country
    )


def receivers_connect() -> None:
    post_save.connect(organisation_saved, sender=ClusterOrganisation, dispatch_uid="labels.organisation_saved")
