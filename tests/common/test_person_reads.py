"""The person's roles and unread count, read in one query per request (common.person_reads):
the same answers as each read alone, one query for all of them, and a write forgets only
what depends on it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import User
from accounts.rules import is_assessor, is_label_committee, is_label_office, is_policy_reader
from clusters.enums import MembershipRole
from clusters.rules import current_roles_of, is_cluster_manager, is_partner_staff, partner_countries_of
from common.models import Notification
from common.person_reads import person_read
from common.request_cache import RequestCacheMiddleware
from common.selectors import unread_count_of
from tests.factories import (
    AssessorProfileFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

KEYS = (
    "accounts.staff_roles",
    "accounts.assessor",
    "clusters.memberships",
    "clusters.partners",
    "common.unread_notifications",
)


def _within_a_request(view: Any) -> None:
    RequestCacheMiddleware(view)(RequestFactory().get("/"))


@pytest.fixture
def person() -> dict[str, Any]:
    """Someone with every kind of standing, and some that no longer counts."""
    user = UserFactory()
    RoleGrantFactory(user=user, role=StaffRole.LABEL_OFFICE)
    RoleGrantFactory(user=user, role=StaffRole.POLICY_READER)
    AssessorProfileFactory(user=user)
    managed, contributed, left = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    MembershipFactory(user=user, organisation=managed, role=MembershipRole.MANAGER)
    MembershipFactory(user=user, organisation=contributed, role=MembershipRole.CONTRIBUTOR)
    MembershipFactory(user=user, organisation=left, left_at=timezone.now())
    PartnerStaffFactory(user=user, partner=PartnerFactory(countries=["RS", "ME"]))
    PartnerStaffFactory(user=user, partner=PartnerFactory(countries=["DE"]))
    for read in (None, None, timezone.now()):
        Notification.objects.create(user=user, title="Note", read_at=read)
    UserFactory()  # someone else, with nothing: not mixed in
    return {
        "user": user,
        "accounts.staff_roles": {StaffRole.LABEL_OFFICE, StaffRole.POLICY_READER},
        "accounts.assessor": True,
        "clusters.memberships": {managed.pk: MembershipRole.MANAGER, contributed.pk: MembershipRole.CONTRIBUTOR},
        "clusters.partners": [{"RS", "ME"}, {"DE"}],
        "common.unread_notifications": 2,
    }


def _sorted_partners(answers: dict[str, Any]) -> dict[str, Any]:
    return {**answers, "clusters.partners": sorted(sorted(c) for c in answers["clusters.partners"])}


def test_outside_a_request_each_read_answers_alone(person: dict[str, Any]) -> None:
    pk = person["user"].pk

    answers = {key: person_read(key, pk) for key in KEYS}

    assert _sorted_partners(answers) == _sorted_partners({key: person[key] for key in KEYS})


def test_within_a_request_every_read_is_one_query_with_the_same_answers(person: dict[str, Any]) -> None:
    pk = person["user"].pk
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        with CaptureQueriesContext(connection) as queries:
            seen.update({key: person_read(key, pk) for key in KEYS})
            seen.update({key: person_read(key, pk) for key in KEYS})  # asked again: kept
        seen["queries"] = len(queries.captured_queries)
        return HttpResponse()

    _within_a_request(view)

    assert seen.pop("queries") == 1
    assert _sorted_partners(seen) == _sorted_partners({key: person[key] for key in KEYS})


def test_someone_with_no_standing_has_empty_answers() -> None:
    nobody = UserFactory()
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update({key: person_read(key, nobody.pk) for key in KEYS})
        return HttpResponse()

    _within_a_request(view)

    assert seen == {
        "accounts.staff_roles": set(),
        "accounts.assessor": False,
        "clusters.memberships": {},
        "clusters.partners": [],
        "common.unread_notifications": 0,
    }


def test_the_rules_answer_from_the_one_read(person: dict[str, Any]) -> None:
    user: User = User.objects.get(pk=person["user"].pk)  # without the object's own caches
    answers: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        with CaptureQueriesContext(connection) as queries:
            answers.update(
                office=is_label_office(user),
                committee=is_label_committee(user),
                policy=is_policy_reader(user),
                assessor=is_assessor(user),
                manager=is_cluster_manager(user),
                partner=is_partner_staff(user),
                countries=partner_countries_of(user),
                unread=unread_count_of(user),
            )
        answers["queries"] = len(queries.captured_queries)
        return HttpResponse()

    _within_a_request(view)

    assert answers == {
        "office": True,
        "committee": False,
        "policy": True,
        "assessor": True,
        "manager": True,
        "partner": True,
        "countries": {"RS", "ME", "DE"},
        "unread": 2,
        "queries": 1,
    }


def test_a_write_forgets_only_what_depends_on_it(person: dict[str, Any]) -> None:
    user = person["user"]
    joined = OrganisationFactory()
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        unread_count_of(user)  # reads the memberships too, kept under their own models
        MembershipFactory(user=user, organisation=joined, role=MembershipRole.CONTRIBUTOR)
        with CaptureQueriesContext(connection) as queries:
            seen["memberships"] = current_roles_of(user)
            seen["unread"] = unread_count_of(user)  # kept from the first read: no query of its own
        seen["queries"] = len(queries.captured_queries)
        return HttpResponse()

    _within_a_request(view)

    assert seen["memberships"] == {**person["clusters.memberships"], joined.pk: MembershipRole.CONTRIBUTOR}
    assert seen["unread"] == 2
    assert seen["queries"] == 1


def test_an_inactive_expert_profile_is_no_expert() -> None:
    former = AssessorProfileFactory(is_active=False).user

    assert person_read("accounts.assessor", former.pk) is False
