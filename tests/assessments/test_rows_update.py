"""``common.bulk.rows_update``: each row gets its own values, in one statement, and no other row changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

import common.bulk
from accounts.models import User
from assessments.models import Indicator, QuestionnaireVersion, Score
from assessments.services import assessing
from clusters.models import Membership
from common.bulk import rows_update
from tests.assessments.test_section_scores import in_assessment, verdicts_for
from tests.factories import UserFactory


@pytest.fixture
def saved_scores(bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]) -> list[Score]:
    """An expert's scores on a case, as the scoring page saves them."""
    application = in_assessment(manager, staff)
    indicators = list(Indicator.objects.filter(version=application.version).order_by("pk"))[:5]
    assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators))
    return list(Score.objects.filter(application=application).order_by("pk"))


def test_each_row_gets_its_own_values_in_one_statement(
    saved_scores: list[Score], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    written = saved_scores[:4]
    untouched = written.pop()
    editor: User = UserFactory()
    at = timezone.now() - timedelta(days=1)
    for n, score in enumerate(written):
        score.met = n % 2 == 0
        score.points = None if n == 1 else n
        score.comment = f"Comment {n}, with a 'quote'"
        score.updated_by, score.updated_at = editor, at + timedelta(minutes=n)

    with django_assert_num_queries(1):
        count = rows_update(Score, written, ["met", "points", "comment", "updated_by", "updated_at"])

    assert count == 3
    for n, score in enumerate(written):
        stored = Score.objects.get(pk=score.pk)
        assert (stored.met, stored.points, stored.comment) == (
            n % 2 == 0,
            None if n == 1 else n,
            f"Comment {n}, with a 'quote'",
        )
        assert stored.updated_by_id == editor.pk and stored.updated_at == at + timedelta(minutes=n)
    kept = Score.objects.get(pk=untouched.pk)
    assert (kept.comment, kept.updated_by_id) == (untouched.comment, untouched.updated_by_id)


def test_nothing_to_write_asks_nothing(db: None, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(0):
        assert rows_update(Score, [], ["met"]) == 0


def test_more_rows_than_one_statement_holds_are_written_in_batches(
    saved_scores: list[Score], monkeypatch: pytest.MonkeyPatch
) -> None:
    written = saved_scores
    monkeypatch.setattr(common.bulk, "MAX_PARAMETERS", 4)  # two columns: two rows per statement
    for n, score in enumerate(written):
        score.comment = f"Batch {n}"

    assert rows_update(Score, written, ["comment"]) == 5
    assert sorted(Score.objects.filter(pk__in=[s.pk for s in written]).values_list("comment", flat=True)) == [
        f"Batch {n}" for n in range(5)
    ]
