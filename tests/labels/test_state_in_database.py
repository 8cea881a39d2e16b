"""The database's label state agrees with labels.validity.label_state, day by day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from common.enums import Level
from labels.enums import LabelSource, LabelState
from labels.models import Label
from labels.selectors import with_state, with_state_in
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


@pytest.mark.parametrize("level", list(Level))
def test_filtering_by_state_keeps_exactly_the_labels_of_that_state(db: None, level: Level) -> None:
    """``with_state_in`` (plain conditions the index can serve) agrees with ``with_state``."""
    today = date(2026, 11, 25)
    offsets = [-800, -420, -400, -366, -365, -330, -300, -31, -30, -1, 0, 1, 89, 90, 91, 400]
    organisation = OrganisationFactory()
    for n, offset in enumerate(offsets):
        Label.objects.create(
            organisation=OrganisationFactory() if n else organisation,
            level=level,
            source=LabelSource.IMPORT,
            assessed_on=today - timedelta(days=1200),
            valid_from=today - timedelta(days=1200),
            valid_until=today + timedelta(days=offset),
            code=f"S{level.value[0]}{n:03d}",
        )
    first = Label.objects.get(code=f"S{level.value[0]}000")
    Label.objects.filter(code=f"S{level.value[0]}001").update(revoked_at=timezone.now())
    Label.objects.filter(code=f"S{level.value[0]}002").update(superseded_by=first)
    labels = Label.objects.filter(code__startswith=f"S{level.value[0]}")
    by_state = dict(with_state(labels, today).values_list("pk", "state"))

    for state in LabelState:
        expected = sorted(pk for pk, s in by_state.items() if s == state.value)
        assert sorted(with_state_in(labels, [state], today).values_list("pk", flat=True)) == expected, state
    both = sorted(pk for pk, s in by_state.items() if s in ("valid", "expiring"))
    assert sorted(with_state_in(labels, ["valid", "expiring"], today).values_list("pk", flat=True)) == both
