"""Application pages as people use them: access, autosave, uploads, submit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from accounts.enums import StaffRole
from assessments.enums import ApplicationState
from assessments.models import Answer, Application, Evidence, Indicator, QuestionnaireVersion
from assessments.services import applications
from assessments.structure import structure_of
from clusters.enums import MembershipRole
from clusters.models import ClusterOrganisation, Membership
from common.enums import Level
from tests.factories import (
    AssessorProfileFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.files import PDF

# Passed as client.post(..., **HTMX): Any, or mypy matches it against post()'s named parameters.
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def application(bronze: QuestionnaireVersion, manager: Membership) -> Application:
    return applications.application_start(organisation=manager.organisation, level=Level.BRONZE, by=manager.user)


def pages(application: Application) -> list[tuple[str, str, dict[str, object]]]:
    indicator = Indicator.objects.get(version=application.version, code="S2.3")
    file_indicator = Indicator.objects.get(version=application.version, code="S2.4")
    author = application.created_by
    assert author is not None
    evidence = applications.evidence_add(
        application=application,
        indicator=file_indicator,
        upload=SimpleUploadedFile("p.pdf", PDF),
        by=author,
    )
    pk = application.pk
    return [
        ("get", reverse("assessments:application_detail", args=[pk]), {}),
        ("get", reverse("assessments:application_section", args=[pk, "S1"]), {}),
        ("post", reverse("assessments:answer_save", args=[pk, indicator.pk]), {"value": "hacked", "revision": "0"}),
        (
            "post",
            reverse("assessments:evidence_upload", args=[pk, file_indicator.pk]),
            {"file": SimpleUploadedFile("x.pdf", PDF)},
        ),
        ("get", reverse("assessments:evidence_download", args=[pk, evidence.pk]), {}),
        ("post", reverse("assessments:evidence_delete", args=[pk, evidence.pk]), {}),
        ("get", reverse("assessments:application_submit", args=[pk]), {}),
        ("post", reverse("assessments:application_submit", args=[pk]), {}),
        ("post", reverse("assessments:application_withdraw", args=[pk]), {}),
    ]


@pytest.mark.parametrize("visitor", ["other_manager", "assessor", "outsider", "partner_elsewhere"])
def test_application_pages_are_404_for_others(client: Client, application: Application, visitor: str) -> None:
    people = {
        "other_manager": lambda: MembershipFactory(organisation=OrganisationFactory()).user,
        "assessor": lambda: AssessorProfileFactory().user,
        "outsider": UserFactory,
        "partner_elsewhere": lambda: PartnerStaffFactory(partner__countries=["DE"]).user,
    }
    requests = pages(application)
    client.force_login(people[visitor]())

    answers = {url: getattr(client, method)(url, data).status_code for method, url, data in requests}

    assert set(answers.values()) == {404}
    assert Answer.objects.count() == 0
    assert Evidence.objects.count() == 1
    assert Application.objects.get().state == ApplicationState.DRAFT


def test_application_pages_send_anonymous_to_login(client: Client, application: Application) -> None:
    for method, url, data in pages(application):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_office_reads_but_cannot_answer(client: Client, application: Application) -> None:
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)
    indicator = Indicator.objects.get(version=application.version, code="S2.3")

    page = client.get(reverse("assessments:application_section", args=[application.pk, "S2"]))
    save = client.post(
        reverse("assessments:answer_save", args=[application.pk, indicator.pk]), {"value": "x", "revision": "0"}
    )

    assert page.status_code == 200
    assert page.context["editable"] is False
    assert save.status_code == 403
    assert Answer.objects.count() == 0


def test_autosave_answers_with_a_saved_fragment_and_new_revision(
    client: Client, application: Application, manager: Membership
) -> None:
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S1.1")
    url = reverse("assessments:answer_save", args=[application.pk, indicator.pk])

    first = client.post(url, {"value": "25", "revision": "0"}, **HTMX)
    second = client.post(url, {"value": "26", "revision": "1"}, **HTMX)

    assert first.status_code == 200
    assert 'data-status="saved"' in first.content.decode()
    assert f'id="revision-{indicator.pk}" value="2"' in second.content.decode()
    assert Answer.objects.get().value == 26


def test_autosave_brings_the_section_pages_progress_bar_up_to_date(
    client: Client, application: Application, manager: Membership
) -> None:
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S1.1")
    page = client.get(reverse("assessments:application_section", args=[application.pk, "S1"]))

    saved = client.post(
        reverse("assessments:answer_save", args=[application.pk, indicator.pk]),
        {"value": "25", "revision": "0"},
        **HTMX,
    ).content.decode()

    done, total = page.context["done"], page.context["total"]
    assert '<div id="section-progress" hx-swap-oob="true">' in saved
    assert f"{done + 1} of {total} required items complete" in saved


def test_autosave_from_a_stale_page_is_refused_with_a_message(
    client: Client, application: Application, organisation: ClusterOrganisation, manager: Membership
) -> None:
    colleague = MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user
    indicator = Indicator.objects.get(version=application.version, code="S2.3")
    url = reverse("assessments:answer_save", args=[application.pk, indicator.pk])
    client.force_login(colleague)
    client.post(url, {"value": "Colleague's text", "revision": "0"}, **HTMX)

    client.force_login(manager.user)
    response = client.post(url, {"value": "Manager's text", "revision": "0"}, **HTMX)

    assert 'data-status="conflict"' in response.content.decode()
    assert "changed this answer" in response.content.decode()
    assert Answer.objects.get().value == "Colleague's text"


def test_autosave_with_invalid_input_says_why(client: Client, application: Application, manager: Membership) -> None:
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S1.3")

    response = client.post(
        reverse("assessments:answer_save", args=[application.pk, indicator.pk]),
        {"value": "150", "revision": "0"},
        **HTMX,
    )

    assert 'data-status="invalid"' in response.content.decode()
    assert "Enter a percentage between 0 and 100." in response.content.decode()
    assert Answer.objects.count() == 0


def test_save_without_javascript_comes_back_to_the_question(
    client: Client, application: Application, manager: Membership
) -> None:
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S1.1")

    response = client.post(
        reverse("assessments:answer_save", args=[application.pk, indicator.pk]), {"value": "5", "revision": "0"}
    )

    assert (
        response["Location"]
        == reverse("assessments:application_section", args=[application.pk, "S1"]) + f"#indicator-{indicator.pk}"
    )


def test_upload_rejection_is_shown_in_the_fragment(
    client: Client, application: Application, manager: Membership
) -> None:
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S2.4")
    svg = SimpleUploadedFile("logo.pdf", b"<svg xmlns='http://www.w3.org/2000/svg'/>")

    response = client.post(
        reverse("assessments:evidence_upload", args=[application.pk, indicator.pk]), {"file": svg}, **HTMX
    )

    assert "logo.pdf is named as PDF but its content is something else" in response.content.decode()
    assert Evidence.objects.count() == 0


def test_evidence_downloads_as_attachment(client: Client, application: Application, manager: Membership) -> None:
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S2.4")
    client.post(
        reverse("assessments:evidence_upload", args=[application.pk, indicator.pk]),
        {"file": SimpleUploadedFile("Plan 2026.pdf", PDF)},
    )
    evidence = Evidence.objects.get()

    response = client.get(reverse("assessments:evidence_download", args=[application.pk, evidence.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="Plan 2026.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue() == PDF


def test_submit_page_lists_missing_items_with_links(
    client: Client, application: Application, manager: Membership
) -> None:
    client.force_login(manager.user)

    response = client.get(reverse("assessments:application_submit", args=[application.pk]))

    codes = [row.indicator.code for _section, row, _reason in response.context["missing"]]
    assert codes == ["S1.1", "S1.2", "S1.3", "S1.4", "S1.5", "S2.1", "S2.2", "S2.3", "S2.4"]
    assert (
        reverse("assessments:application_section", args=[application.pk, "S2"]) + "#indicator-"
        in response.content.decode()
    )


def test_double_click_on_start_opens_one_application(
    client: Client, bronze: QuestionnaireVersion, manager: Membership
) -> None:
    client.force_login(manager.user)
    url = reverse("assessments:application_new", args=[manager.organisation.slug])

    client.post(url, {"level": "bronze"})
    second = client.post(url, {"level": "bronze"}, follow=True)

    assert Application.objects.count() == 1
    assert "already open" in second.content.decode()


def test_level_cards_say_what_a_renewal_extends_by(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, settings: Settings
) -> None:
    settings.LABEL_SCHEME = {
        **settings.LABEL_SCHEME,
        "bronze": {**settings.LABEL_SCHEME["bronze"], "renewal_extension_months": 30, "renewal_window_months": 9},
    }
    client.force_login(manager.user)

    content = client.get(reverse("assessments:application_new", args=[manager.organisation.slug])).content.decode()

    assert "Valid 24 months from the month of the assessment." in content
    assert "Renewed: +30 months from the end of the previous validity, if renewed at most 9 months after" in content


def test_manager_start_page_lists_applications(client: Client, application: Application, manager: Membership) -> None:
    client.force_login(manager.user)

    response = client.get(reverse("clusters:manager_start"))

    assert "Label applications" in response.content.decode()
    assert reverse("assessments:application_detail", args=[application.pk]) in response.content.decode()


@pytest.mark.parametrize("extra_sections", [0, 1])
def test_section_page_queries_do_not_grow(
    client: Client,
    application: Application,
    manager: Membership,
    django_assert_num_queries: DjangoAssertNumQueries,
    extra_sections: int,
) -> None:
    if extra_sections:
        for code, raw in [("S1.1", ["1"]), ("S1.2", ["1"]), ("S1.3", ["1"])]:
            indicator = Indicator.objects.get(version=application.version, code=code)
            applications.answer_save(application=application, indicator=indicator, raw=raw, revision=0, by=manager.user)
    client.force_login(manager.user)
    structure_of(QuestionnaireVersion.objects.get(pk=application.version_id))  # as a worker keeps it

    # Was 15: the rules read the memberships once per request (common.request_cache).
    # Then 10: the questionnaire was read on every page (assessments.structure).
    with django_assert_num_queries(8):
        client.get(reverse("assessments:application_section", args=[application.pk, "S1"]))


def test_check_and_submit_shows_every_answer_to_read_before_the_lock(
    client: Client, application: Application, manager: Membership
) -> None:
    from tests.assessments.test_applications import answer_all

    answer_all(application, manager.user)
    client.force_login(manager.user)

    page = client.get(reverse("assessments:application_submit", args=[application.pk])).content.decode()
    summary = page[page.index('data-testid="answers-summary"') :]

    assert "We run matchmaking events." in summary
    assert "S1.1" in summary and "S2.4" in summary  # the answered and the one still open
    assert "not answered" in summary


def test_an_evidence_upload_moves_the_sections_progress_bar(
    client: Client, application: Application, manager: Membership
) -> None:
    """S2.4 is a file answer: uploading it completes one more required item, and the fragment
    brings the page's progress bar along (out of band), as a saved answer does."""
    client.force_login(manager.user)
    indicator = Indicator.objects.get(version=application.version, code="S2.4")
    section_page = client.get(reverse("assessments:application_section", args=[application.pk, "S2"]))
    before = re.search(r'aria-valuenow="(\d+)"', section_page.content.decode())

    response = client.post(
        reverse("assessments:evidence_upload", args=[application.pk, indicator.pk]),
        {"file": SimpleUploadedFile("Plan 2026.pdf", PDF)},
        **HTMX,
    )

    fragment = response.content.decode()
    after = re.search(r'id="section-progress" hx-swap-oob="true">.*?aria-valuenow="(\d+)"', fragment, re.S)
    assert before and after and int(after.group(1)) > int(before.group(1))
