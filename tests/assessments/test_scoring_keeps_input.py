"""Issue 14: what an assessor saved or typed comes back in the form, read from the page's HTML."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments import selectors
from assessments.enums import ApplicationState
from assessments.models import Application, Clarification, Indicator, QuestionnaireVersion
from assessments.services import assessing
from clusters.models import Membership
from common.scheme import case_deadlines
from tests.assessments.conftest import make_version
from tests.assessments.test_workflow import submitted


class _FormValues(HTMLParser):
    """The value each named field of a page shows: an input's value, a textarea's
    text, the selected option of a select ('' when none is)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input" and name:
            self.values[name] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values[name] = ""
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            # As in a browser: a newline right after <textarea> is not part of the text.
            text = self.values[self._textarea]
            self.values[self._textarea] = text[1:] if text.startswith("\n") else text
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: bytes) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(html.decode())
    return parser.values


def in_assessment(manager: Membership, staff: dict[str, User], level: str) -> Application:
    """A case whose experts (one for Bronze, two for Gold) declared no conflict."""
    if level == "gold":
        make_version("gold")
    application = submitted(manager, level)
    experts = [staff["expert_rs"]] if level == "bronze" else [staff["expert_rs"], staff["expert_de"]]
    assessing.assignment_create(application=application, assessors=experts, by=staff["office"])
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    return application


def indicator(application: Application, code: str) -> Indicator:
    return Indicator.objects.get(version=application.version, code=code)


def score_own(application: Application, expert: User, comment: str, differ_on: str = "") -> None:
    for item in Indicator.objects.filter(version=application.version):
        assessing.score_save(
            application=application,
            indicator=item,
            by=expert,
            met=item.code != differ_on,
            comment=comment,
            recommendation=f"{comment}: do more",
        )


@pytest.mark.parametrize("level", ["bronze", "gold"])
def test_saved_scores_come_back_in_the_form(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], level: str
) -> None:
    application = in_assessment(manager, staff, level)
    first, second = indicator(application, "S1.1"), indicator(application, "S1.2")
    client.force_login(staff["expert_rs"])
    url = reverse("assessments:case_scoring", args=[application.pk, "S1"])

    response = client.post(
        url,
        {
            f"met-{first.pk}": "yes",
            f"comment-{first.pk}": "Counted on site",
            f"recommendation-{first.pk}": "Grow the SME share",
            f"met-{second.pk}": "no",
            f"comment-{second.pk}": "No staff plan",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == ["2 score(s) saved."]
    shown = form_values(response.content)
    assert [shown[f"{field}-{first.pk}"] for field in ("met", "comment", "recommendation")] == [
        "yes",
        "Counted on site",
        "Grow the SME share",
    ]
    assert [shown[f"{field}-{second.pk}"] for field in ("met", "comment", "recommendation")] == [
        "no",
        "No staff plan",
        "",
    ]
    assert shown[f"met-{indicator(application, 'S1.3').pk}"] == ""


def test_agreement_step_starts_from_the_experts_own_scores(
    client: Client, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff, "gold")
    same, differing = indicator(application, "S1.1"), indicator(application, "S1.2")
    score_own(application, staff["expert_rs"], "RS saw it")
    score_own(application, staff["expert_de"], "DE saw it", differ_on="S1.2")
    for expert in (staff["expert_rs"], staff["expert_de"]):
        assessing.own_scores_submit(application=application, by=expert)
    client.force_login(staff["expert_rs"])

    page = client.get(reverse("assessments:case_scoring", args=[application.pk, "S1"]))

    shown = form_values(page.content)
    assert page.context["agreeing"] is True
    # Where both agreed, the agreed score starts from their own verdicts and words.
    assert shown[f"met-{same.pk}"] == "yes"
    assert sorted(shown[f"comment-{same.pk}"].splitlines()) == ["DE saw it", "RS saw it"]
    assert sorted(shown[f"recommendation-{same.pk}"].splitlines()) == ["DE saw it: do more", "RS saw it: do more"]
    # Where they differed, the verdict is theirs to agree; each one's own stays in sight.
    assert shown[f"met-{differing.pk}"] == ""
    row = next(item for item in page.context["rows"] if item["row"].indicator == differing)
    assert [(v.assignment.assessor, v.met) for v in row["verdicts"]] == [
        (staff["expert_rs"], True),
        (staff["expert_de"], False),
    ]
    assert f"{staff['expert_rs'].get_full_name()} scored: met · RS saw it" in page.content.decode()


def test_agreed_scores_come_back_in_the_form_after_saving(
    client: Client, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff, "gold")
    differing = indicator(application, "S1.2")
    score_own(application, staff["expert_rs"], "RS saw it")
    score_own(application, staff["expert_de"], "DE saw it", differ_on="S1.2")
    for expert in (staff["expert_rs"], staff["expert_de"]):
        assessing.own_scores_submit(application=application, by=expert)
    client.force_login(staff["expert_de"])

    response = client.post(
        reverse("assessments:case_scoring", args=[application.pk, "S1"]),
        {f"met-{differing.pk}": "no", f"comment-{differing.pk}": "Agreed: no staff plan yet"},
        follow=True,
    )

    shown = form_values(response.content)
    assert (shown[f"met-{differing.pk}"], shown[f"comment-{differing.pk}"]) == ("no", "Agreed: no staff plan yet")
    assert selectors.agreed_scores(application)[differing.pk].met is False


@pytest.mark.parametrize("due_on", ["past", "not a date"])
def test_date_error_on_a_question_keeps_its_text(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], due_on: str
) -> None:
    application = in_assessment(manager, staff, "bronze")
    about = indicator(application, "S1.2")
    typed = (timezone.localdate() - timedelta(days=1)).isoformat() if due_on == "past" else due_on
    client.force_login(staff["expert_rs"])

    response = client.post(
        reverse("assessments:clarification_ask", args=[application.pk]),
        {"question": "Who pays the\nsecond manager?", "due_on": typed, "indicator": about.pk, "section": "S1"},
    )

    assert response.status_code == 200
    shown = form_values(response.content)
    assert (shown["question"], shown["due_on"], shown["indicator"]) == (
        "Who pays the\nsecond manager?",
        typed,
        str(about.pk),
    )
    assert response.context["section"].code == "S1"
    assert Clarification.objects.count() == 0
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_ASSESSMENT
    # The scores form on the page shown again still saves scores, not a question.
    assert f'action="{reverse("assessments:case_scoring", args=[application.pk, "S1"])}"' in response.content.decode()


def test_question_with_a_good_date_is_sent_and_the_form_is_empty_again(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff, "bronze")
    client.force_login(staff["expert_rs"])
    scoring = reverse("assessments:case_scoring", args=[application.pk, "S1"])

    response = client.post(
        reverse("assessments:clarification_ask", args=[application.pk]),
        {"question": "Budget?", "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(), "section": "S1"},
        follow=True,
    )

    assert response.redirect_chain == [(scoring, 302)]
    assert Clarification.objects.get().question == "Budget?"
    shown = form_values(response.content)
    # Empty again, the due date back at the scheme's time to answer (CASE_DEADLINES["answer_days"]).
    offered = timezone.localdate() + timedelta(days=case_deadlines().answer_days)
    assert (shown["question"], shown["due_on"], shown["indicator"]) == ("", offered.isoformat(), "")


@pytest.mark.parametrize("error", ["no summary", "date before the application"])
def test_error_on_complete_keeps_the_recommendations(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], error: str
) -> None:
    application = in_assessment(manager, staff, "bronze")
    score_own(application, staff["expert_rs"], "Seen")
    client.force_login(staff["expert_rs"])
    typed = {
        "assessed_on": (timezone.localdate() - timedelta(days=400 if error != "no summary" else 0)).isoformat(),
        "summary": "" if error == "no summary" else "A well-run cluster.",
        "strengths": "Matchmaking",
        "rec-S1": "Hire a second manager.\nWrite a staff plan.",
        "rec-S2": "Publish the members' survey.",
    }

    response = client.post(reverse("assessments:case_complete", args=[application.pk]), typed)

    assert response.status_code == 200
    refusal = (
        [] if error == "no summary" else ["The interview or visit date must lie between the application and today."]
    )
    assert (list(response.context["form"].errors), [str(m) for m in response.context["messages"]]) == (
        ["summary"] if error == "no summary" else [],
        refusal,
    )
    shown = form_values(response.content)
    assert {name: shown[name] for name in typed} == typed
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_ASSESSMENT


def test_complete_stores_the_recommendations_trimmed(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff, "bronze")
    score_own(application, staff["expert_rs"], "Seen")
    client.force_login(staff["expert_rs"])

    client.post(
        reverse("assessments:case_complete", args=[application.pk]),
        {"assessed_on": timezone.localdate().isoformat(), "summary": "Fine.", "rec-S1": "  Hire a manager.  "},
    )

    application.refresh_from_db()
    assert (application.state, application.report.recommendations) == (
        ApplicationState.ASSESSED,
        {"S1": "Hire a manager.", "S2": ""},
    )
