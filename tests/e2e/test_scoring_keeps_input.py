"""Issue 14 in a real browser: what an assessor saved or typed stays in the form.
Saved scores come back after a reload; in the Gold agreement step the assessor
finds his own scores; an error on Complete keeps the recommendations; a date
error on a question keeps its text."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Application, Clarification, Indicator
from assessments.services import assessing
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.assessments.test_workflow import submitted
from tests.e2e.conftest import Screenshot
from tests.factories import PASSWORD, AssessorProfileFactory, MembershipFactory, OrganisationFactory, RoleGrantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(transactional_db: None, settings: Settings, tmp_path: Path) -> SimpleNamespace:
    settings.MEDIA_ROOT = tmp_path / "media"
    return SimpleNamespace(
        manager=MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE)),
        office=RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        expert_rs=AssessorProfileFactory(home_country="RS", certified_levels=["bronze", "gold"]).user,
        expert_de=AssessorProfileFactory(home_country="DE", countries=["DE"], certified_levels=["gold"]).user,
    )


def in_assessment(cast: SimpleNamespace, level: str) -> Application:
    """A case whose experts (one for Bronze, two for Gold) declared no conflict."""
    make_version(level)
    application = submitted(cast.manager, level)
    experts = [cast.expert_rs] if level == "bronze" else [cast.expert_rs, cast.expert_de]
    assessing.assignment_create(application=application, assessors=experts, by=cast.office)
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    return application


def log_in(page: Page, user: User) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def scoring(application: Application, code: str) -> str:
    return f"/assessments/a/{application.pk}/score/{code}/"


def test_saved_scores_stay_in_the_form_after_reload(page: Page, screenshot: Screenshot, cast: SimpleNamespace) -> None:
    application = in_assessment(cast, "bronze")
    log_in(page, cast.expert_rs)
    page.goto(scoring(application, "S1"))
    first, second = page.get_by_test_id("score-S1.1"), page.get_by_test_id("score-S1.2")

    first.locator("select").select_option("yes")
    first.locator("textarea[name^=comment-]").fill("Counted on site: 25 members.")
    first.locator("textarea[name^=recommendation-]").fill("Grow the SME share.")
    second.locator("select").select_option("no")
    second.locator("textarea[name^=comment-]").fill("No staff plan.")
    page.get_by_test_id("save-scores").click()
    expect(page.get_by_role("alert")).to_contain_text("2 score(s) saved.")
    page.reload()

    expect(first.locator("select")).to_have_value("yes")
    expect(first.locator("textarea[name^=comment-]")).to_have_value("Counted on site: 25 members.")
    expect(first.locator("textarea[name^=recommendation-]")).to_have_value("Grow the SME share.")
    expect(second.locator("select")).to_have_value("no")
    expect(second.locator("textarea[name^=comment-]")).to_have_value("No staff plan.")
    expect(page.get_by_test_id("score-S1.3").locator("select")).to_have_value("")
    screenshot(page, "reloaded")


def test_gold_agreement_step_shows_own_scores(page: Page, screenshot: Screenshot, cast: SimpleNamespace) -> None:
    application = in_assessment(cast, "gold")
    case = f"/assessments/a/{application.pk}/"
    # The foreign expert has scored and handed in; he saw S1.2 differently.
    for indicator in Indicator.objects.filter(version=application.version):
        assessing.score_save(
            application=application,
            indicator=indicator,
            by=cast.expert_de,
            met=indicator.code != "S1.2",
            comment="DE: seen",
        )
    assessing.own_scores_submit(application=application, by=cast.expert_de)

    # The national expert scores in the browser and hands in.
    log_in(page, cast.expert_rs)
    for code in ("S1", "S2"):
        page.goto(scoring(application, code))
        for select in page.locator("select[name^=met-]").all():
            select.select_option("yes")
        if code == "S1":
            own = page.get_by_test_id("score-S1.1")
            own.locator("textarea[name^=comment-]").fill("RS: counted on site.")
            own.locator("textarea[name^=recommendation-]").fill("RS: grow the SME share.")
        page.get_by_test_id("save-scores").click()
        expect(page.get_by_role("alert")).to_contain_text("score(s) saved.")
    page.goto(case)
    page.get_by_role("button", name="Hand in my own scores").click()
    expect(page.get_by_role("alert")).to_contain_text("Your own scores are handed in.")

    # The agreement step: where both agreed, his own scores are in the form.
    page.get_by_test_id("score-link").click()
    expect(page.get_by_text("Both experts have handed in their own scores")).to_be_visible()
    agreed = page.get_by_test_id("score-S1.1")
    expect(agreed.locator("select")).to_have_value("yes")
    # The agreed comment starts as both experts' comments, one a line (in no promised order).
    expect(agreed.locator("textarea[name^=comment-]")).to_have_value(
        re.compile(r"^(RS: counted on site\.\nDE: seen|DE: seen\nRS: counted on site\.)$")
    )
    expect(agreed.locator("textarea[name^=recommendation-]")).to_have_value("RS: grow the SME share.")
    # Where they differed, the verdict is to agree; his own stays in sight beside the other's.
    differing = page.get_by_test_id("score-S1.2")
    expect(differing.locator("select")).to_have_value("")
    expect(differing.get_by_test_id("verdict")).to_have_text(
        [
            f"{cast.expert_rs.get_full_name()} scored: met",
            f"{cast.expert_de.get_full_name()} scored: not met · DE: seen",
        ]
    )
    screenshot(page, "agreement-step")

    # The agreed verdict, once saved, is what the form shows.
    differing.locator("select").select_option("no")
    differing.locator("textarea[name^=comment-]").fill("Agreed: no staff plan yet.")
    page.get_by_test_id("save-scores").click()
    # The save's own answer first: reloading while its page is still arriving races the navigation.
    expect(page.get_by_role("alert")).to_contain_text("score(s) saved.")
    page.reload()
    expect(differing.locator("select")).to_have_value("no")
    expect(differing.locator("textarea[name^=comment-]")).to_have_value("Agreed: no staff plan yet.")
    screenshot(page, "agreed")


def test_errors_on_complete_keep_the_recommendations(page: Page, screenshot: Screenshot, cast: SimpleNamespace) -> None:
    application = in_assessment(cast, "bronze")
    for indicator in Indicator.objects.filter(version=application.version):
        assessing.score_save(application=application, indicator=indicator, by=cast.expert_rs, met=True)
    log_in(page, cast.expert_rs)
    page.goto(f"/assessments/a/{application.pk}/")
    page.get_by_test_id("complete-link").click()
    recommendations = {"#rec-S1": "Hire a second manager.\nWrite a staff plan.", "#rec-S2": "Publish the survey."}

    # No summary: the form refuses.
    page.get_by_label("Date of the interview or site visit").fill(date.today().isoformat())
    for field, text in recommendations.items():
        page.locator(field).fill(text)
    page.get_by_test_id("complete").click()
    expect(page.get_by_label("Summary")).to_have_class(re.compile(r"\bis-invalid\b"))
    for field, text in recommendations.items():
        expect(page.locator(field)).to_have_value(text)
    screenshot(page, "no-summary")

    # A date before the application: the service refuses.
    page.get_by_label("Summary").fill("A young, well-run cluster management.")
    page.get_by_label("Date of the interview or site visit").fill((date.today() - timedelta(days=400)).isoformat())
    page.get_by_test_id("complete").click()
    expect(page.get_by_role("alert")).to_contain_text("The interview or visit date must lie between")
    for field, text in recommendations.items():
        expect(page.locator(field)).to_have_value(text)
    expect(page.get_by_label("Summary")).to_have_value("A young, well-run cluster management.")
    screenshot(page, "date-refused")

    page.get_by_label("Date of the interview or site visit").fill(date.today().isoformat())
    page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("state")).to_have_text("Assessed")
    application.refresh_from_db()
    # The browser sends a textarea's lines with CRLF; the lines are what counts.
    assert {code: text.splitlines() for code, text in application.report.recommendations.items()} == {
        "S1": ["Hire a second manager.", "Write a staff plan."],
        "S2": ["Publish the survey."],
    }


def test_date_error_on_a_question_keeps_its_text(page: Page, screenshot: Screenshot, cast: SimpleNamespace) -> None:
    application = in_assessment(cast, "bronze")
    about = Indicator.objects.get(version=application.version, code="S1.2")
    log_in(page, cast.expert_rs)
    page.goto(scoring(application, "S1"))
    question = "Who pays the second manager after the grant ends?"
    yesterday = (date.today() - timedelta(days=1)).isoformat()

    page.locator("#clar-indicator").select_option(str(about.pk))
    page.locator("#clar-question").fill(question)
    page.locator("#clar-due").fill(yesterday)
    page.get_by_role("button", name="Send the question").click()

    expect(page.locator("#clar-due-errors")).to_have_text("The due date must be in the future.")
    expect(page.locator("#clar-question")).to_have_value(question)
    expect(page.locator("#clar-due")).to_have_value(yesterday)
    expect(page.locator("#clar-indicator")).to_have_value(str(about.pk))
    assert Clarification.objects.count() == 0
    screenshot(page, "date-refused")

    # The page shown again still saves scores where they belong.
    page.get_by_test_id("score-S1.1").locator("select").select_option("yes")
    page.get_by_test_id("save-scores").click()
    expect(page.get_by_role("alert")).to_contain_text("1 score(s) saved.")
    expect(page.get_by_test_id("score-S1.1").locator("select")).to_have_value("yes")

    # With a good date the question goes, and the form is empty again.
    page.locator("#clar-question").fill(question)
    page.locator("#clar-due").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_role("alert")).to_contain_text("The question has been sent to the organisation.")
    expect(page.locator("#clar-question")).to_have_value("")
    assert Clarification.objects.get().question == question
    assert Application.objects.get(pk=application.pk).state == ApplicationState.CLARIFICATION_REQUESTED
    screenshot(page, "sent")
