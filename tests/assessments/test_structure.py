"""A questionnaire's sections and indicators are read once per process and read again
whenever any of them changes (``assessments.structure``)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from assessments.enums import AnswerType, VersionStatus
from assessments.models import Indicator, QuestionnaireVersion, Section
from assessments.questionnaires.services import indicator_update, section_update, version_new_draft
from assessments.services import applications
from assessments.structure import forget_structures, structure_of
from clusters.models import Membership
from common.enums import Level


def _fresh(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The version row as the next request reads it, with the case."""
    return QuestionnaireVersion.objects.get(pk=version.pk)


def _titles(version: QuestionnaireVersion) -> list[str]:
    return [indicator.title for indicator in structure_of(_fresh(version)).indicators]


@pytest.mark.parametrize("extra", [0, 40])
def test_a_questionnaire_is_read_in_three_queries_whatever_its_size(
    bronze: QuestionnaireVersion, django_assert_num_queries: DjangoAssertNumQueries, extra: int
) -> None:
    section = Section.objects.get(version=bronze, code="S1")
    for n in range(extra):
        Indicator.objects.create(
            version=bronze,
            section=section,
            code=f"S1.x{n}",
            title=f"Extra {n}",
            answer_type=AnswerType.TEXT,
            required=False,
            position=100 + n,
        )
    version = _fresh(bronze)

    with django_assert_num_queries(3):  # the sections, their indicators, and the stamp again
        structure = structure_of(version)
    with django_assert_num_queries(0):  # kept: the next page reads nothing
        again = structure_of(version)
        codes = [(i.section.code, [j.code for j in i.section.indicators.all()][:1]) for i in again.indicators]

    assert again is structure
    assert len(structure.indicators) == 10 + extra
    assert [s.code for s in structure.sections] == ["S1", "S2"]
    assert codes[0] == ("S1", ["S1.1"])
    assert structure.section("S2") is structure.sections[1]
    assert [i.code for i in structure.required] == [
        "S1.1",
        "S1.2",
        "S1.3",
        "S1.4",
        "S1.5",
        "S2.1",
        "S2.2",
        "S2.3",
        "S2.4",
    ]


def test_every_save_and_delete_of_a_section_or_indicator_is_read_again(bronze: QuestionnaireVersion) -> None:
    """What the admin's draft editing and the catalogue do: plain saves and deletes."""
    assert "Question S1.1" in _titles(bronze)

    indicator = Indicator.objects.get(version=bronze, code="S1.1")
    indicator.title = "Members now"
    indicator.save(update_fields=["title"])
    assert _titles(bronze)[0] == "Members now"

    section = Section.objects.get(version=bronze, code="S1")
    section.title = "Structure, renamed"
    section.save()
    assert structure_of(_fresh(bronze)).sections[0].title == "Structure, renamed"

    Indicator.objects.create(version=bronze, section=section, code="S1.9", title="New", answer_type=AnswerType.TEXT)
    assert "New" in _titles(bronze)

    Indicator.objects.get(version=bronze, code="S1.9").delete()
    assert "New" not in _titles(bronze)

    Section.objects.get(version=bronze, code="S2").delete()
    assert [s.code for s in structure_of(_fresh(bronze)).sections] == ["S1"]


def test_the_draft_services_changes_are_read_again(bronze: QuestionnaireVersion) -> None:
    draft = version_new_draft(from_version=bronze)
    before = structure_of(_fresh(draft))
    assert len(before.indicators) == 10  # made in bulk, within the transaction that made its sections

    indicator_update(indicator=Indicator.objects.get(version=draft, code="S2.3"), title="What services?")
    section_update(section=Section.objects.get(version=draft, code="S2"), title="Our services")

    structure = structure_of(_fresh(draft))
    assert structure is not before
    assert structure.by_pk[Indicator.objects.get(version=draft, code="S2.3").pk].title == "What services?"
    assert structure.section("S2") is not None
    assert structure.section("S2").title == "Our services"  # type: ignore[union-attr]
    # The published version it came from is untouched, and still kept as it was.
    assert _titles(bronze)[7] == "Question S2.3"
    assert draft.status == VersionStatus.DRAFT


def test_a_process_keeps_what_the_version_row_it_read_says(bronze: QuestionnaireVersion) -> None:
    """Another process's change is seen as soon as this one reads the version row again
    (every request reads it with the case), never from a row read before the change."""
    before = _fresh(bronze)
    kept = structure_of(before)
    Indicator.objects.filter(version=bronze, code="S1.1").get().save()  # another process, say

    assert structure_of(before) is kept
    assert structure_of(_fresh(bronze)) is not kept


def test_a_translation_filled_in_shows_on_the_next_page(
    client: Client, bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = applications.application_start(organisation=manager.organisation, level=Level.BRONZE, by=manager.user)
    manager.user.preferred_language = "sr-latn"
    manager.user.save(update_fields=["preferred_language"])
    client.force_login(manager.user)
    url = reverse("assessments:application_section", args=[application.pk, "S1"])
    assert "Question S1.1" in client.get(url).content.decode()

    # What the catalogue does for a published version: its translations, saved.
    indicator = Indicator.objects.get(version=bronze, code="S1.1")
    indicator.translations = {"sr-latn": {"title": "Broj članova"}}
    indicator.save(update_fields=["translations"])

    page = client.get(url).content.decode()
    assert "Broj članova" in page
    assert "Question S1.1" not in page


def test_forgetting_reads_again(
    bronze: QuestionnaireVersion, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    version = _fresh(bronze)
    structure_of(version)
    forget_structures()
    with django_assert_num_queries(3):
        structure_of(version)


def test_a_change_rolled_back_leaves_no_stamp_a_later_change_draws(bronze: QuestionnaireVersion) -> None:
    """Read inside the transaction of a change that is then rolled back, its structure is
    kept under a stamp that no later change will draw."""
    indicator = Indicator.objects.get(version=bronze, code="S1.1")
    with pytest.raises(RuntimeError), transaction.atomic():
        indicator.title = "Never committed"
        indicator.save(update_fields=["title"])
        assert _titles(bronze)[0] == "Never committed"
        raise RuntimeError("rolled back")

    indicator.title = "Committed"
    indicator.save(update_fields=["title"])

    assert _titles(bronze)[0] == "Committed"


def test_a_whole_save_of_the_version_cannot_put_an_older_stamp_back(bronze: QuestionnaireVersion) -> None:
    """The admin saves a version with every field as it read them, its stamp too."""
    read_by_the_admin = _fresh(bronze)
    structure_of(read_by_the_admin)  # kept under the stamp the admin's page read
    indicator = Indicator.objects.get(version=bronze, code="S1.1")
    indicator.title = "Changed meanwhile"
    indicator.save(update_fields=["title"])

    read_by_the_admin.notes = "Edited"
    read_by_the_admin.save()

    assert _titles(bronze)[0] == "Changed meanwhile"


def test_a_change_committed_while_the_structure_is_read_is_not_kept(
    bronze: QuestionnaireVersion, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """The case's row was read before a change another request committed: what is read
    after it is shown, but not kept under the older stamp."""
    read_with_the_case = _fresh(bronze)
    Indicator.objects.filter(version=bronze, code="S1.1").get().save()  # committed by another request

    first = structure_of(read_with_the_case)
    with django_assert_num_queries(3):
        again = structure_of(read_with_the_case)

    assert again is not first
