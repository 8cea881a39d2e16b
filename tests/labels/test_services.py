"""label_create: validity from the previous label, supersession, codes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clusters.models import ClusterOrganisation
from common.enums import Level
from labels.codes import code_is_well_formed
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import LabelFactory, OrganisationFactory


def create(organisation: ClusterOrganisation, assessed_on: date, level: Level = Level.BRONZE) -> Label:
    return label_create(organisation=organisation, level=level, assessed_on=assessed_on, source=LabelSource.APPLICATION)


def test_label_create_first_label_gets_a_readable_code(db: None) -> None:
    organisation = OrganisationFactory(country="RS")

    label = create(organisation, date(2026, 3, 15))

    assert label.code.startswith("RS-B-2026-")
    assert code_is_well_formed(label.code) is True
    assert (label.valid_from, label.valid_until) == (date(2026, 3, 15), date(2028, 3, 31))


def test_label_create_renewal_supersedes_the_current_label(db: None) -> None:
    organisation = OrganisationFactory()
    first = create(organisation, date(2026, 3, 15))

    renewal = create(organisation, date(2028, 9, 1))

    first.refresh_from_db()
    assert first.superseded_by == renewal
    assert renewal.superseded_by is None
    assert (renewal.valid_from, renewal.valid_until) == (date(2028, 4, 1), date(2031, 3, 31))


def test_label_create_older_label_is_created_superseded(db: None) -> None:
    organisation = OrganisationFactory()
    newer = create(organisation, date(2015, 6, 1))

    older = create(organisation, date(2012, 5, 10))

    newer.refresh_from_db()
    assert older.superseded_by == newer
    assert newer.superseded_by is None


def test_label_create_other_level_supersedes_nothing(db: None) -> None:
    organisation = OrganisationFactory()
    bronze = create(organisation, date(2024, 3, 1))

    create(organisation, date(2025, 3, 1), level=Level.SILVER)

    bronze.refresh_from_db()
    assert bronze.superseded_by is None


def test_label_create_same_day_twice_is_refused(db: None) -> None:
    organisation = OrganisationFactory()
    create(organisation, date(2024, 3, 1))

    with pytest.raises(ValidationError):
        create(organisation, date(2024, 3, 1))

    assert Label.objects.count() == 1


def test_label_two_current_labels_of_one_level_are_refused_by_the_database(db: None) -> None:
    current = LabelFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        LabelFactory(organisation=current.organisation, level=current.level)


def test_label_score_above_100_is_refused_by_the_database(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LabelFactory(level="gold", score=101)
