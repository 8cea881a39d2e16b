"""The manager's and partner's start pages show their own, in constant queries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from common.models import Sector
from labels.figures import figures_refresh
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory


def test_manager_sees_only_own_organisation(client: Client, db: None) -> None:
    membership = MembershipFactory()
    OrganisationFactory(name="Somebody Else's Cluster")
    client.force_login(membership.user)

    response = client.get(reverse("clusters:manager_start"))

    assert [m.organisation for m in response.context["memberships"]] == [membership.organisation]
    assert "Somebody Else" not in response.content.decode()


def test_former_member_no_longer_sees_the_organisation(client: Client, db: None) -> None:
    from django.utils import timezone

    membership = MembershipFactory(left_at=timezone.now())
    client.force_login(membership.user)

    response = client.get(reverse("clusters:manager_start"))

    assert response.status_code == 403


def test_partner_sees_only_its_countries(client: Client, db: None) -> None:
    staff = PartnerStaffFactory(partner__countries=["RS", "ME"])
    OrganisationFactory(name="Serbian", country="RS")
    OrganisationFactory(name="Montenegrin", country="ME")
    OrganisationFactory(name="German", country="DE")
    client.force_login(staff.user)

    response = client.get(reverse("clusters:partner_start"))

    assert [o.name for o in response.context["page"]] == ["Montenegrin", "Serbian"]


def _organisations(n: int) -> None:
    sectors = list(Sector.objects.all()[:2])
    for i in range(n):
        org = OrganisationFactory(country="RS")
        org.sectors.set(sectors)
        MembershipFactory(organisation=org)
        MembershipFactory(organisation=org)
        del i


@pytest.mark.parametrize("size", [2, 20])
def test_partner_start_queries_do_not_grow_with_rows(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    staff = PartnerStaffFactory()
    _organisations(size)
    figures_refresh()  # the worker keeps the expiry panel's figures ready (labels.figures)
    client.force_login(staff.user)

    # 18, two for the expiry figures the labels app adds (labels, never-labelled organisations)
    # and one for the pipeline's counts the assessments app adds.
    # 31: with the work queue (the late cases of its countries: the five reads of every late step).
    # 27 (was 31): the partner's late cases are read for its countries only, its roles once per request.
    # 26: the expiry panel reads one stored row instead of two counts over the labels.
    # 24: the work queue reads no expert's or manager's steps for a partner.
    # 22: nor who is to be reminded of its countries' late steps (the office, the committee).
    # 18: the person's roles and unread count in one query (common.person_reads).
    # 19: and the history's version, under which the page drawn is kept (common.kept).
    with django_assert_num_queries(19):
        response = client.get(reverse("clusters:partner_start"))

    assert len(response.context["page"]) == size


@pytest.mark.parametrize("size", [1, 6])
def test_manager_start_queries_do_not_grow_with_rows(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    membership = MembershipFactory()
    for _ in range(size - 1):
        MembershipFactory(user=membership.user)
    client.force_login(membership.user)

    # 22: with the Silver window told in advance (the Bronze benchmarkings of all his organisations at
    # once) and the work queue leading the page (his steps, his drafts, his roles).
    # 18 (was 22): the memberships and roles are read once per request (common.request_cache).
    # 17: the work queue reads no expert's steps for a manager who is not one.
    # 13: the person's roles and unread count in one query (common.person_reads).
    # 14: and the history's version, under which the page drawn is kept (common.kept).
    with django_assert_num_queries(14):
        response = client.get(reverse("clusters:manager_start"))

    assert len(response.context["memberships"]) == size


def test_the_managers_start_page_lists_his_organisations_applications_only(client: Client, db: None) -> None:
    """Whose applications the panel lists is the scope ``applications_for_user_organisations``: a
    manager sees his organisations' cases, never another's (not even that it exists)."""
    from assessments.services.applications import application_start
    from common.enums import Level
    from tests.assessments.conftest import ELIGIBLE, make_version

    make_version(Level.BRONZE)
    mine, theirs = MembershipFactory(organisation__state="active"), MembershipFactory()
    for membership in (mine, theirs):
        type(membership.organisation).objects.filter(pk=membership.organisation_id).update(**ELIGIBLE)
        membership.organisation.refresh_from_db()
    my_case = application_start(organisation=mine.organisation, level=Level.BRONZE, by=mine.user)
    their_case = application_start(organisation=theirs.organisation, level=Level.BRONZE, by=theirs.user)
    client.force_login(mine.user)

    page = client.get(reverse("clusters:manager_start")).content.decode()

    assert reverse("assessments:application_detail", args=[my_case.pk]) in page
    assert reverse("assessments:application_detail", args=[their_case.pk]) not in page
    # His organisations' cards too (the scope ``memberships_of``).
    assert mine.organisation.name in page and theirs.organisation.name not in page
