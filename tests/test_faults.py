"""Faults: the database failing in the middle of a request, and the same form
posted twice at once.

A dropped connection is simulated with ``connection.execute_wrapper``: the
Nth query of the request raises ``OperationalError`` as a lost server would.
Every N from the first query to the last is tried, so the request is cut at
every point it could be. With ``ATOMIC_REQUESTS`` the answer is the friendly
error page and nothing of the request remains.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Answer, Application, Evidence, Indicator
from assessments.selectors import transitions_of
from assessments.services import applications
from assessments.structure import forget_structures
from clusters import people as cluster_people
from clusters.enums import InvitationState, MembershipRole
from clusters.models import Invitation, Membership
from common.enums import Level
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.assessments.test_applications import answer_all, upload
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

FRIENDLY = "Something went wrong on our side"


class DropConnectionAt:
    """Raise OperationalError on the nth query (1-based), as a server gone away would."""

    def __init__(self, nth: int) -> None:
        self.nth, self.seen = nth, 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.seen += 1
        if self.seen == self.nth:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


class CountQueries:
    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.seen += 1
        return execute(sql, params, many, context)


@pytest.fixture
def manager(db: None, settings: Settings, tmp_path: Path) -> Membership:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_version(Level.BRONZE)
    return MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))


@pytest.fixture
def complete_draft(manager: Membership) -> Application:
    application = applications.application_start(organisation=manager.organisation, level=Level.BRONZE, by=manager.user)
    answer_all(application, manager.user)
    upload(application, manager.user)
    return application


def snapshot(application: Application) -> tuple[object, ...]:
    application.refresh_from_db()
    return (
        application.state,
        application.submitted_at,
        len(transitions_of(application)),
        sorted(Answer.objects.filter(application=application).values_list("indicator_id", "value", "revision")),
        Evidence.objects.filter(application=application).count(),
    )


def queries_of(request: Callable[[], Any]) -> int:
    """How many queries the request makes when nothing fails (undone afterwards)."""
    counter = CountQueries()
    sid = transaction.savepoint()
    with connection.execute_wrapper(counter):
        request()
    transaction.savepoint_rollback(sid)
    return counter.seen


def _first_in_its_process(request: Callable[[], Any]) -> Callable[[], Any]:
    def cold() -> Any:
        forget_structures()
        return request()

    return cold


def cut_everywhere(client: Client, application: Application, request: Callable[[], Any]) -> set[int]:
    """Run the request once per query, failing that query; return the status codes seen.
    Each run is a process's first: the questionnaire is read afresh (``assessments.structure``),
    so a cut in its reads is tried too, and every run makes the queries the count saw."""
    before = snapshot(application)
    request = _first_in_its_process(request)
    total = queries_of(request)
    assert total > 3
    statuses = set()
    for nth in range(1, total + 1):
        with connection.execute_wrapper(DropConnectionAt(nth)):
            response = request()
        statuses.add(response.status_code)
        body = response.content.decode()
        assert response.status_code == 500, f"query {nth} of {total}"
        assert FRIENDLY in body and "Traceback" not in body, f"query {nth} of {total}"
        assert snapshot(application) == before, f"a request cut at query {nth} of {total} left a partial write"
    return statuses


def test_submit_cut_at_any_query_shows_the_error_page_and_writes_nothing(
    manager: Membership, complete_draft: Application
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(manager.user)
    url = reverse("assessments:application_submit", args=[complete_draft.pk])

    assert cut_everywhere(client, complete_draft, lambda: client.post(url)) == {500}

    # The connection is usable again and the same submit now goes through whole.
    response = client.post(url)
    assert response.status_code == 302
    assert snapshot(complete_draft)[:3] == (ApplicationState.SUBMITTED, complete_draft.submitted_at, 2)


def test_autosave_cut_at_any_query_shows_the_error_page_and_writes_nothing(
    manager: Membership, complete_draft: Application
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=complete_draft.version, code="S2.3")
    revision = Answer.objects.get(application=complete_draft, indicator=indicator).revision
    url = reverse("assessments:answer_save", args=[complete_draft.pk, indicator.pk])

    def save() -> Any:
        return client.post(url, {"value": "A new text", "revision": revision}, HTTP_HX_REQUEST="true")

    assert cut_everywhere(client, complete_draft, save) == {500}

    assert save().status_code == 200
    assert Answer.objects.get(application=complete_draft, indicator=indicator).value == "A new text"


def test_error_page_carries_the_security_headers(manager: Membership, complete_draft: Application) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(manager.user)

    with connection.execute_wrapper(DropConnectionAt(3)):
        response = client.get(reverse("assessments:application_detail", args=[complete_draft.pk]))

    assert response.status_code == 500
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- The same form posted twice at once (PostgreSQL: SQLite serialises writers) ---------------


def _twice_at_once(post: Callable[[Client], HttpResponseBase], user: User) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def run() -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            statuses.append(post(client).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_submit_posted_twice_at_once_submits_once(postgres: None, settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_version(Level.BRONZE)
    manager = MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))
    application = applications.application_start(organisation=manager.organisation, level=Level.BRONZE, by=manager.user)
    answer_all(application, manager.user)
    upload(application, manager.user)
    url = reverse("assessments:application_submit", args=[application.pk])

    statuses = _twice_at_once(lambda client: client.post(url), manager.user)

    assert sorted(statuses) == [200, 302]  # one submitted and redirected; the other told it already was
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert [t.to_state for t in transitions_of(application)].count(ApplicationState.SUBMITTED) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_invitation_accepted_twice_at_once_makes_one_membership(postgres: None) -> None:
    manager = MembershipFactory(organisation=OrganisationFactory())
    invitee = UserFactory(email="colleague@example.test")
    invitation = cluster_people.invitation_send(
        organisation=manager.organisation, email=invitee.email, role=MembershipRole.CONTRIBUTOR, by=manager.user
    )
    url = reverse("clusters:invitation_accept", args=[cluster_people.invitation_token(invitation)])

    statuses = _twice_at_once(lambda client: client.post(url), invitee)

    # One accept joins and redirects; the other, in either order, finds the
    # invitation used (410) or the person already a member (302).
    assert 302 in statuses and set(statuses) <= {302, 410}
    assert Membership.objects.filter(organisation=manager.organisation, user=invitee).count() == 1
    assert Invitation.objects.get().state == InvitationState.ACCEPTED
