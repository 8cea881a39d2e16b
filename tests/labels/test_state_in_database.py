"""The database's label state agrees with labels.validity.label_state, day by day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from common.enums import Level
from labels.enums import LabelSource
from labels.models import Label
from labels.selectors import with_state
from labels.validity import label_state
from tests.factories import OrganisationFactory


@pytest.mark.parametrize("level", list(Level))
def test_state_in_database_matches_the_rules_around_every_boundary(db: None, level: Level) -> None:
    today = date(2026, 11, 25)
    # Expiry dates around today, the expiring threshold and the renewal window's edges.
    offsets = [-800, -420, -400, -366, -365, -330, -300, -31, -30, -1, 0, 1, 89, 90, 91, 400]
    labels = [
        Label.objects.create(
            organisation=OrganisationFactory(),
            level=level,
            source=LabelSource.IMPORT,
            assessed_on=today - timedelta(days=1200),
            valid_from=today - timedelta(days=1200),
            valid_until=today + timedelta(days=offset),
            code=f"T{level.value[0]}{n:03d}",
        )
        for n, offset in enumerate(offsets)
    ]

    in_database = dict(
        with_state(Label.objects.filter(pk__in=[label.pk for label in labels]), today).values_list("pk", "state")
    )

    assert in_database == {label.pk: label_state(label, today).value for label in labels}
