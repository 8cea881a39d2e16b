"""The one history: written by services, refused any change or deletion by the database itself."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from common.models import ActivityLog
from common.selectors import history_of
from common.services import history_record
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def entry(db: None) -> ActivityLog:
    return history_record(
        obj=OrganisationFactory(name="Vojvodina ICT Cluster"),
        action="organisation.renamed",
        by=UserFactory(),
        data={"name": ["Vojvodina ICT", "Vojvodina ICT Cluster"]},
        reason="Legal name",
    )


def test_history_record_names_the_object_the_actor_and_the_change(entry: ActivityLog) -> None:
    organisation = entry.content_type.get_object_for_this_type(pk=entry.object_id)

    assert list(history_of(organisation)) == [entry]
    assert (entry.action, entry.data, entry.reason) == (
        "organisation.renamed",
        {"name": ["Vojvodina ICT", "Vojvodina ICT Cluster"]},
        "Legal name",
    )
    assert entry.actor is not None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE common_activitylog SET action = 'organisation.validated'",
        "UPDATE common_activitylog SET actor_id = NULL",
        "DELETE FROM common_activitylog",
    ],
)
def test_the_database_refuses_to_rewrite_the_history(entry: ActivityLog, statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    entry.refresh_from_db()
    assert (ActivityLog.objects.count(), entry.action, entry.actor_id is not None) == (1, "organisation.renamed", True)


def test_the_orm_cannot_change_or_delete_an_entry_either(entry: ActivityLog) -> None:
    entry.reason = "Changed my mind"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ActivityLog.objects.filter(pk=entry.pk).delete()

    assert ActivityLog.objects.get(pk=entry.pk).reason == "Legal name"


def test_an_account_that_acted_cannot_be_deleted(entry: ActivityLog) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.actor.delete()  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_guard_back() -> None:
    history_record(obj=OrganisationFactory(), action="organisation.created", by=None)

    call_command("flush", interactive=False, verbosity=0)

    assert ActivityLog.objects.count() == 0
    history_record(obj=OrganisationFactory(), action="organisation.created", by=None)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ActivityLog.objects.all().delete()
