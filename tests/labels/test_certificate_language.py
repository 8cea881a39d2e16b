"""The certificate's language, chosen when the committee awards: English and
Serbian for an organisation in Serbia unless the committee says otherwise,
English elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessments.enums import DecisionOutcome
from assessments.models import Decision, QuestionnaireVersion
from clusters.models import ClusterOrganisation, Membership
from common.errors import ActionRefused
from labels.certificates.language import certificate_language_default
from labels.enums import CertificateLanguage
from labels.models import Label
from tests.assessments import conftest as assessments_fixtures
from tests.assessments.test_workflow import _to_decision
from tests.board import committee_member, decide_at_meeting, item_of, meeting_in_session
from tests.factories import OrganisationFactory

# The workflow's fixtures live with the assessments tests.
bronze = assessments_fixtures.bronze
organisation = assessments_fixtures.organisation
manager = assessments_fixtures.manager
staff = assessments_fixtures.staff


def test_default_is_bilingual_in_serbia_and_english_elsewhere(db: None) -> None:
    defaults = [certificate_language_default(OrganisationFactory(country=code)) for code in ("RS", "DE", "HR")]

    assert defaults == [CertificateLanguage.ENGLISH_SERBIAN, CertificateLanguage.ENGLISH, CertificateLanguage.ENGLISH]


def test_award_in_serbia_prints_english_and_serbian(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)

    decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    assert Label.objects.get().certificate_language == CertificateLanguage.ENGLISH_SERBIAN


def test_award_elsewhere_prints_english(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)
    ClusterOrganisation.objects.filter(pk=manager.organisation_id).update(country="DE")

    decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    assert Label.objects.get().certificate_language == CertificateLanguage.ENGLISH


def test_committee_chooses_english_for_an_organisation_in_serbia(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)

    decide_at_meeting(
        application=application,
        by=staff["committee"],
        outcome=DecisionOutcome.AWARDED,
        certificate_language=CertificateLanguage.ENGLISH,
    )

    assert Label.objects.get().certificate_language == CertificateLanguage.ENGLISH


def test_unknown_certificate_language_is_refused(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)

    with pytest.raises(ActionRefused, match="English, or English and Serbian"):
        decide_at_meeting(
            application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED, certificate_language="fr"
        )

    assert (Decision.objects.count(), Label.objects.count()) == (0, 0)


def test_meeting_page_offers_the_default_and_records_the_choice(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)
    rapporteur, approver = committee_member(), committee_member()
    meeting = meeting_in_session([application], members=[rapporteur, approver, staff["committee"]])
    item = item_of(meeting, application)
    client.force_login(rapporteur)

    page = client.get(reverse("labels:meeting_detail", args=[meeting.pk])).content.decode()
    response = client.post(
        reverse("labels:proposal_make", args=[item.pk]), {"outcome": "awarded", "certificate_language": "en"}
    )
    client.force_login(approver)
    client.post(reverse("labels:proposal_approve", args=[item.pk]))

    assert 'name="certificate_language"' in page
    assert '<option value="en+sr-latn" selected>English and Serbian (Latin)</option>' in page
    assert response.status_code == 302
    assert Label.objects.get().certificate_language == CertificateLanguage.ENGLISH


def test_a_certificate_in_english_and_cyrillic_serbian_for_readers_of_cyrillic(
    db: None, client: Client, staff: dict[str, User]
) -> None:
    """Serbian readers of Cyrillic get the Serbian half in their script: the office chooses it per label."""
    from django.template.loader import render_to_string

    from labels.certificates.language import label_set_certificate_language
    from labels.certificates.rendering import certificate_document
    from tests.factories import LabelFactory

    label = LabelFactory(organisation=OrganisationFactory(country="RS"))
    label_set_certificate_language(
        label=label, language=CertificateLanguage.ENGLISH_SERBIAN_CYRILLIC, by=staff["office"]
    )
    label.refresh_from_db()

    document = certificate_document(label)
    html = render_to_string(document.template, document.context())

    assert "Striving for Cluster Excellence" in html or "Proven for Cluster Excellence" in html
    assert "изврсности кластера" in html  # the motto's Serbian half, in Cyrillic
    assert document.facts["country_second"] == "Србија"
