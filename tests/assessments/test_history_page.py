"""The history page of an application: who may read it, what each reader sees, filters and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Application
from assessments.services import assessing
from clusters.models import Membership
from tests.assessments.test_workflow import submitted
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory, UserFactory


def in_assessment(manager: Membership, staff: dict) -> Application:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    return Application.objects.get(pk=application.pk)


def history_url(application: Application, **query: str) -> str:
    url = reverse("history", args=["application", application.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def state_rows(response):
    return [row for row in response.context["rows"] if row.action == "application.state"]


def actions(response) -> list[str]:
    return [row.action for row in response.context["rows"]]


def test_office_reads_every_step_with_its_actor(client: Client, bronze, manager: Membership, staff: dict) -> None:
    application = in_assessment(manager, staff)
    client.force_login(staff["office"])

    response = client.get(history_url(application))

    rows = state_rows(response)
    assert [row.changes[0][1:] for row in rows] == [
        ("Assessor assignment", "In assessment"),
        ("Submitted", "Assessor assignment"),
        ("Draft", "Submitted"),
    ]
    assert {"assignment.declared", "assignment.created", "application.answer"} <= set(actions(response))
    assert [row.who for row in rows] == [
        staff["expert_rs"].get_full_name(),
        staff["office"].get_full_name(),
        manager.user.get_full_name(),
    ]


def test_the_applicant_sees_the_scheme_people_by_role_only(
    client: Client, bronze, manager: Membership, staff: dict
) -> None:
    application = in_assessment(manager, staff)
    client.force_login(manager.user)

    response = client.get(history_url(application))

    body = response.content.decode()
    assert [row.who for row in state_rows(response)] == [
        "An assessor",
        "The label office",
        manager.user.get_full_name(),
    ]
    assert staff["expert_rs"].get_full_name() not in body
    assert staff["office"].get_full_name() not in body
    assert "assignment.declared" not in actions(response)


def test_the_partner_for_the_country_reads_it_without_names_of_the_scheme(
    client: Client, bronze, manager: Membership, staff: dict
) -> None:
    application = in_assessment(manager, staff)
    partner = PartnerStaffFactory(partner__countries=[str(application.organisation.country)]).user
    client.force_login(partner)

    response = client.get(history_url(application))

    assert response.status_code == 200
    assert staff["expert_rs"].get_full_name() not in response.content.decode()


@pytest.mark.parametrize("who", ["other_manager", "other_partner", "assessor", "committee", "outsider"])
def test_others_learn_nothing(client: Client, bronze, manager: Membership, staff: dict, who: str) -> None:
    application = in_assessment(manager, staff)
    people: dict[str, User] = {
        "other_manager": MembershipFactory(organisation=OrganisationFactory(country="DE")).user,
        "other_partner": PartnerStaffFactory(partner__countries=["HR"]).user,
        "assessor": staff["expert_rs"],
        "committee": staff["committee"],
        "outsider": UserFactory(),
    }
    client.force_login(people[who])

    assert client.get(history_url(application)).status_code == 404
    assert client.get(history_url(application, format="csv")).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client: Client, bronze, manager: Membership, staff: dict) -> None:
    response = client.get(history_url(in_assessment(manager, staff)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_filters_by_who_and_when(client: Client, bronze, manager: Membership, staff: dict) -> None:
    application = in_assessment(manager, staff)
    client.force_login(staff["office"])
    today = timezone.localdate().isoformat()

    by_office = client.get(history_url(application, actor=str(staff["office"].pk)))
    tomorrow_on = client.get(history_url(application, since="2999-01-01"))
    until_today = client.get(history_url(application, until=today))

    assert {row.who for row in by_office.context["rows"]} == {staff["office"].get_full_name()}
    assert actions(by_office) == ["application.state", "assignment.created"]
    assert actions(tomorrow_on) == []
    assert actions(until_today) == actions(client.get(history_url(application)))


def test_a_reader_cannot_filter_by_someone_hidden_from_them(
    client: Client, bronze, manager: Membership, staff: dict
) -> None:
    application = in_assessment(manager, staff)
    client.force_login(manager.user)

    response = client.get(history_url(application, actor=str(staff["expert_rs"].pk)))

    assert response.context["form"].errors["actor"]
    assert [pk for pk, _name in response.context["form"].fields["actor"].choices if pk] == [manager.user.pk]


def test_csv_export_has_a_row_per_change(client: Client, bronze, manager: Membership, staff: dict) -> None:
    application = in_assessment(manager, staff)
    client.force_login(staff["office"])

    response = client.get(history_url(application, format="csv"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0] == ["When", "What", "By", "Field", "Before", "After", "Reason"]
    assert [(row[1], row[3], row[4], row[5]) for row in rows[1:] if row[1] == "State changed"] == [
        ("State changed", "state", "Assessor assignment", "In assessment"),
        ("State changed", "state", "Submitted", "Assessor assignment"),
        ("State changed", "state", "Draft", "Submitted"),
    ]


@pytest.mark.parametrize("size", [1, 8])
def test_history_page_queries_do_not_grow_with_its_entries(
    client: Client, manager: Membership, staff: dict, django_assert_num_queries, size: int
) -> None:
    from common.services import history_record

    organisation = manager.organisation
    for number in range(size):
        history_record(obj=organisation, action="organisation.state", by=staff["office"], data={"n": number})
        history_record(obj=organisation, action="organisation.state", by=manager.user, data={"n": number})
    client.force_login(manager.user)
    url = reverse("history", args=["organisation", organisation.pk])
    # Once before counting: the kinds of record (content types) are cached per process, as a
    # running server holds them; whether an earlier test emptied that cache must not matter.
    client.get(url)

    # Session, user, the request's savepoint pair, the record, the permission (2), the people of the
    # history (actors, members, three roles), the entries, the header's navigation (3), notifications.
    # Was 17: the memberships, partners and roles are read once per request (common.request_cache).
    with django_assert_num_queries(12):
        response = client.get(url)

    assert len(response.context["rows"]) == 2 * size
