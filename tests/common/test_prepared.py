"""A prepared queryset runs Django's own SQL with the values bound, and makes of its
rows what Django would (``common.prepared``)."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, QuerySet, Subquery
from django.db.transaction import TransactionManagementError
from pytest_django import DjangoAssertNumQueries

from clusters.models import ClusterOrganisation
from common.prepared import Prepared, every_prepared, knowing
from labels.models import Label
from tests.factories import LabelFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _labels_of(organisation_id: int) -> QuerySet[Label]:
    """Two relations (one of them nullable), an annotation, a subquery repeating the parameter."""
    first = Subquery(Label.objects.filter(organisation_id=organisation_id).order_by("pk").values("pk")[:1])
    return (
        Label.objects.filter(organisation_id=organisation_id)
        .select_related("organisation", "superseded_by")
        .annotate(first_pk=first, doubled=F("score") * 2)
        .order_by("pk")
    )


def _shown(label: Label) -> tuple[Any, ...]:
    return (
        label.pk,
        label.code,
        label.score,
        label.valid_from,
        label.valid_until,
        label.organisation.name,
        label.organisation.country,
        label.superseded_by.code if label.superseded_by else None,
        label.first_pk,  # type: ignore[attr-defined]
        label.doubled,  # type: ignore[attr-defined]
    )


def test_the_sql_is_djangos_own_with_the_values_bound() -> None:
    prepared = Prepared(_labels_of)
    for organisation_id in (1, 7, 123456):
        compiled = _labels_of(organisation_id).query.get_compiler(using="default").as_sql()
        assert prepared.sql(organisation_id) == (compiled[0], list(compiled[1]))


def test_the_instances_are_djangos_own(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    organisation: ClusterOrganisation = OrganisationFactory(name="Alpha", country="RS")
    newer = LabelFactory(organisation=organisation, score=Decimal("81.35"))
    LabelFactory(organisation=organisation, score=Decimal("70.25"), superseded_by=newer)
    LabelFactory(organisation=OrganisationFactory(), score=None)
    prepared = Prepared(_labels_of)

    expected = [_shown(label) for label in _labels_of(organisation.pk)]
    with django_assert_num_queries(2):  # the relations come with the rows, as with select_related
        made = [_shown(label) for label in prepared.all(organisation.pk)]
        again = [_shown(label) for label in prepared.all(organisation.pk)]

    assert made == expected == again
    assert len(made) == 2
    assert made[0][2] == Decimal("81.35") and made[1][7] == newer.code
    assert [type(shown[2]) for shown in made] == [Decimal, Decimal]  # Django's converters, not the driver's floats
    assert prepared.all(organisation.pk + 1000) == []
    assert prepared.first(organisation.pk + 1000) is None


def test_a_parameter_that_does_not_reach_the_sql_is_refused() -> None:
    ignored = Prepared(lambda organisation_id: Label.objects.filter(code="fixed"))
    with pytest.raises(ImproperlyConfigured):
        ignored.all(1)


def test_only_model_querysets_are_prepared() -> None:
    values = Prepared(lambda organisation_id: Label.objects.filter(organisation_id=organisation_id).values("pk"))  # type: ignore[type-var]
    with pytest.raises(ImproperlyConfigured):
        values.all(1)


def test_knowing_sets_what_the_instances_point_to(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    organisation: ClusterOrganisation = OrganisationFactory(name="Beta")
    LabelFactory(organisation=organisation)
    plain = Prepared(lambda organisation_id: Label.objects.filter(organisation_id=organisation_id))

    with django_assert_num_queries(1):
        (label,) = knowing(plain.all(organisation.pk), organisation=organisation)
        assert label.organisation is organisation


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_as_django_refuses_it() -> None:
    from django.db import connection, transaction

    if not connection.features.has_select_for_update:
        pytest.skip("the database has no row locks (SQLite): Django leaves FOR UPDATE out")
    organisation: ClusterOrganisation = OrganisationFactory()
    locking = Prepared(lambda pk: ClusterOrganisation.objects.select_for_update().filter(pk=pk))
    with transaction.atomic():
        assert locking.first(organisation.pk) == organisation
    with pytest.raises(TransactionManagementError):
        locking.first(organisation.pk)


def test_no_key_and_a_key_no_column_holds_find_nothing() -> None:
    """As Django answers ``pk=None`` and a key beyond 64 bits (a 404, not a 500 from the driver)."""
    LabelFactory()
    prepared = Prepared(_labels_of)

    assert prepared.all(None) == list(Label.objects.filter(organisation_id=None)) == []
    assert prepared.all(2**70) == list(Label.objects.filter(pk=2**70)) == []
    assert prepared.first(-(2**64)) is None


def test_what_the_sql_cannot_carry_is_refused() -> None:
    prefetching = Prepared(lambda pk: Label.objects.filter(pk=pk).prefetch_related("supersedes"))
    with pytest.raises(ImproperlyConfigured):
        prefetching.all(1)


def _every_prepared_read() -> list[Prepared[Any]]:
    """Every Prepared of the portal, the ones made per variant included."""
    from assessments.selectors import _case_read
    from common.workflow import state_read

    _case_read(())
    _case_read(("report", "decision"))
    for workflow in ("application", "organisation"):
        state_read(workflow)
    return list(every_prepared)


def test_every_prepared_read_of_the_portal_runs_djangos_own_sql() -> None:
    """For each (the case read, the locks, the moves, invoices, answers ...), the SQL it runs
    with values bound is the SQL Django compiles for the same values, and it runs."""
    from django.db import transaction

    checked = 0
    for prepared in _every_prepared_read():
        if prepared.build.__module__.startswith("tests."):
            continue
        arity = len(inspect.signature(prepared.build).parameters)
        for args in ((11,) * arity, tuple(range(3, 3 + arity))):
            with transaction.atomic():  # the locks compile only inside one
                queryset = prepared.build(*args)
                expected_sql, expected_params = queryset.query.get_compiler(using=queryset.db).as_sql()
                assert prepared.sql(*args) == (expected_sql, list(expected_params)), prepared.build
                assert prepared.all(*args) == list(queryset)
        checked += 1
    assert checked >= 12
