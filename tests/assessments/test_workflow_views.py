"""The workflow through its pages, as the office, assessors, the organisation and the committee use them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Application, Indicator, QuestionnaireVersion, Section
from clusters.models import Membership
from labels.models import Label, Meeting
from tests.assessments.conftest import make_version
from tests.assessments.test_workflow import submitted
from tests.factories import AssessorProfileFactory, RoleGrantFactory, UserFactory


@pytest.fixture
def cast(db: None) -> dict[str, User]:
    return {
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "expert_rs": AssessorProfileFactory(home_country="RS", certified_levels=["bronze", "gold"]).user,
        "expert_de": AssessorProfileFactory(
            home_country="DE", countries=["DE"], certified_levels=["bronze", "gold"]
        ).user,
    }


def as_(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def score_all(client: Client, application: Application) -> None:
    for section in Section.objects.filter(version=application.version):
        data = {f"met-{i.pk}": "yes" for i in Indicator.objects.filter(section=section)}
        data.update({f"comment-{i.pk}": "Seen" for i in Indicator.objects.filter(section=section)})
        response = client.post(reverse("assessments:case_scoring", args=[application.pk, section.code]), data)
        assert response.status_code == 302


def test_gold_case_through_the_pages(client: Client, manager: Membership, cast: dict[str, User]) -> None:
    Indicator.objects.filter(version=make_version("gold")).update(max_points=10)
    application = submitted(manager, "gold")
    pk = application.pk

    as_(client, cast["office"]).post(
        reverse("assessments:case_assign", args=[pk]), {"assessor": [cast["expert_rs"].pk, cast["expert_de"].pk]}
    )
    assert Application.objects.get(pk=pk).state == ApplicationState.ASSESSOR_ASSIGNMENT

    # Before declaring, the expert cannot open the case.
    assert as_(client, cast["expert_rs"]).get(reverse("assessments:application_detail", args=[pk])).status_code == 404
    for expert in ("expert_rs", "expert_de"):
        assignment = application.assignments.get(assessor=cast[expert])
        as_(client, cast[expert]).post(
            reverse("assessments:assignment_declare", args=[assignment.pk]), {"no_conflict": "on"}
        )
    assert Application.objects.get(pk=pk).state == ApplicationState.IN_ASSESSMENT

    # One expert asks a question; the manager answers it in the browser.
    section = Section.objects.filter(version=application.version).first()
    assert section is not None
    as_(client, cast["expert_rs"]).post(
        reverse("assessments:clarification_ask", args=[pk]),
        {
            "question": "Show the budget",
            "due_on": (date.today() + timedelta(days=10)).isoformat(),
            "section": section.code,
        },
    )
    clarification = application.clarifications.get()
    page = as_(client, manager.user).get(reverse("assessments:application_detail", args=[pk]))
    assert list(page.context["assignments"]) == []  # who assesses the organisation is not its business
    client.post(reverse("assessments:clarification_answer", args=[pk, clarification.pk]), {"answer": "Attached in B3."})
    assert Application.objects.get(pk=pk).state == ApplicationState.IN_ASSESSMENT

    # Both score on their own, hand in, then the scores are agreed (they agreed everywhere).
    for expert in ("expert_rs", "expert_de"):
        as_(client, cast[expert])
        score_all(client, application)
        client.post(reverse("assessments:own_scores_submit", args=[pk]))
    # Four eyes on the agreed scores: both experts confirm them before the case completes.
    for expert in ("expert_rs", "expert_de"):
        as_(client, cast[expert]).post(reverse("assessments:agreed_confirm", args=[pk]))
    as_(client, cast["expert_de"]).post(
        reverse("assessments:case_complete", args=[pk]),
        {"assessed_on": timezone.localdate().isoformat(), "summary": "Excellent."},
    )
    assert Application.objects.get(pk=pk).state == ApplicationState.ASSESSED

    as_(client, cast["office"]).post(reverse("assessments:case_quality", args=[pk, "in_quality_check"]))
    client.post(reverse("assessments:case_quality", args=[pk, "awaiting_decision"]))
    queue = as_(client, cast["committee"]).get(reverse("labels:committee_start"))
    assert [row["case"].pk for row in queue.context["rows"]] == [pk]
    # The committee reads the case, but not who assessed it.
    case_page = client.get(reverse("assessments:application_detail", args=[pk]))
    assert case_page.status_code == 200, case_page.status_code
    assert list(case_page.context["assignments"]) == []
    # The board: the office schedules and opens a meeting; a rapporteur proposes, a second member approves.
    members = [cast["committee"], *(RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user for _ in range(2))]
    as_(client, cast["office"]).post(
        reverse("labels:meeting_schedule"), {"held_on": timezone.localdate().isoformat(), "cases": [pk]}
    )
    meeting = Meeting.objects.get()
    client.post(reverse("labels:meeting_open", args=[meeting.pk]), {"members": [m.pk for m in members]})
    item = meeting.items.get()
    as_(client, members[1]).post(reverse("labels:proposal_make", args=[item.pk]), {"outcome": "awarded"})
    as_(client, cast["committee"]).post(reverse("labels:proposal_approve", args=[item.pk]))

    label = Label.objects.get()
    assert (label.level, label.score, Application.objects.get(pk=pk).state) == ("gold", 100, ApplicationState.AWARDED)
    assert (
        "awarded"
        in as_(client, manager.user).get(reverse("assessments:application_detail", args=[pk])).content.decode().lower()
    )


@pytest.mark.parametrize("who", ["manager", "other_expert", "outsider", "committee"])
def test_scoring_pages_are_closed_to_others(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, cast: dict[str, User], who: str
) -> None:
    application = submitted(manager, "bronze")
    as_(client, cast["office"]).post(
        reverse("assessments:case_assign", args=[application.pk]), {"assessor": [cast["expert_rs"].pk]}
    )
    assignment = application.assignments.get()
    as_(client, cast["expert_rs"]).post(
        reverse("assessments:assignment_declare", args=[assignment.pk]), {"no_conflict": "on"}
    )
    visitor = {
        "manager": manager.user,
        "other_expert": cast["expert_de"],
        "outsider": UserFactory(),
        "committee": cast["committee"],
    }[who]
    section = Section.objects.filter(version=application.version).first()
    assert section is not None

    as_(client, visitor)
    scoring = client.get(reverse("assessments:case_scoring", args=[application.pk, section.code]))
    declare = client.get(reverse("assessments:assignment_declare", args=[assignment.pk]))
    assign = client.post(reverse("assessments:case_assign", args=[application.pk]), {"assessor": [visitor.pk]})

    assert (scoring.status_code, declare.status_code) == (404, 404)
    assert assign.status_code in (403, 404)
    assert application.assignments.count() == 1
