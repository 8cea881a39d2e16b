"""Reads kept for one request: kept inside it, forgotten on a write they depend on, never kept outside."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from clusters.rules import is_member_of_cluster
from common.request_cache import RequestCacheMiddleware, cached, forget
from tests.assessments.conftest import bronze
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

__all__ = ["bronze"]  # the published questionnaire an application starts on


def _within_a_request(view: object) -> None:
    RequestCacheMiddleware(view)(RequestFactory().get("/"))  # type: ignore[arg-type]


def test_outside_a_request_every_call_reads_afresh() -> None:
    reads: list[int] = []

    for _ in range(2):
        cached("key", lambda: reads.append(1), depends_on=("clusters.Membership",))

    assert len(reads) == 2


def test_within_a_request_a_read_is_kept_until_a_write_it_depends_on() -> None:
    reads: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        for _ in range(3):
            cached("key", lambda: reads.append(1), depends_on=("clusters.Membership",))
        forget("labels.Label")  # another model: kept
        cached("key", lambda: reads.append(1), depends_on=("clusters.Membership",))
        forget("clusters.Membership")
        cached("key", lambda: reads.append(1), depends_on=("clusters.Membership",))
        return HttpResponse()

    _within_a_request(view)

    assert len(reads) == 2


def test_a_membership_saved_during_the_request_is_seen_by_the_rules(db: None) -> None:
    organisation = OrganisationFactory()
    person = UserFactory()
    answers: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        answers.append(bool(is_member_of_cluster(person, organisation)))
        membership = MembershipFactory(organisation=organisation, user=person)
        answers.append(bool(is_member_of_cluster(person, organisation)))
        membership.delete()
        answers.append(bool(is_member_of_cluster(person, organisation)))
        return HttpResponse()

    _within_a_request(view)

    assert answers == [False, True, False]


def test_the_next_request_starts_empty(db: None) -> None:
    reads: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        cached("key", lambda: reads.append(1), depends_on=())
        return HttpResponse()

    _within_a_request(view)
    _within_a_request(view)

    assert len(reads) == 2


def test_members_added_to_a_meeting_during_the_request_are_seen_by_the_rules(bronze: object) -> None:
    """A many-to-many write sends no save signal of its own: the relation's change forgets too."""
    from django.utils import timezone

    from labels.models import AgendaItem, Meeting
    from labels.rules import is_present_at_meeting
    from tests.assessments.conftest import ELIGIBLE
    from tests.assessments.test_applications import start

    office, member = UserFactory(), UserFactory()
    meeting = Meeting.objects.create(held_on=timezone.localdate(), quorum=1, scheduled_by=office)
    application = start(MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE)))
    item = AgendaItem.objects.create(meeting=meeting, application=application, position=1)
    answers: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        answers.append(bool(is_present_at_meeting(member, item)))
        meeting.members_present.add(member)
        answers.append(bool(is_present_at_meeting(member, item)))
        meeting.members_present.remove(member)
        answers.append(bool(is_present_at_meeting(member, item)))
        return HttpResponse()

    _within_a_request(view)

    assert answers == [False, True, False]
