"""A small published questionnaire per level, with one indicator of every answer type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import AnswerType, VersionStatus
from assessments.models import Indicator, Questionnaire, QuestionnaireVersion, Section
from clusters.models import ClusterOrganisation, Membership
from common.enums import Level
from tests.factories import AssessorProfileFactory, MembershipFactory, OrganisationFactory, RoleGrantFactory

CHOICES = [{"value": "a", "label": "Alpha"}, {"value": "b", "label": "Beta"}, {"value": "c", "label": "Gamma"}]
ELIGIBLE = {
    "management_fte": Decimal("1"),
    "members_sme": 20,
    "members_research": 3,
    "website": "https://c.example",
    "website_in_english": True,
    "eccp_url": "https://clustercollaboration.eu/c",
}


def make_version(level: Level | str, *, status: str = VersionStatus.PUBLISHED, number: int = 1) -> QuestionnaireVersion:
    level = Level(level)
    questionnaire, _created = Questionnaire.objects.get_or_create(
        level=level, defaults={"title": f"{level.label} test"}
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number, status=status, published_at=timezone.now()
    )
    first = Section.objects.create(version=version, code="S1", title="Structure", position=1)
    second = Section.objects.create(version=version, code="S2", title="Services", position=2)
    specs: list[tuple[Section, str, AnswerType, dict[str, Any]]] = [
        (first, "S1.1", AnswerType.INTEGER, {"min_value": 0, "max_value": 10000, "unit": "members"}),
        (first, "S1.2", AnswerType.DECIMAL, {"min_value": 0, "max_value": 100, "unit": "FTE"}),
        (first, "S1.3", AnswerType.PERCENTAGE, {}),
        (first, "S1.4", AnswerType.YES_NO, {}),
        (first, "S1.5", AnswerType.DATE, {}),
        (second, "S2.1", AnswerType.SINGLE_CHOICE, {"choices": CHOICES}),
        (second, "S2.2", AnswerType.MULTIPLE_CHOICE, {"choices": CHOICES}),
        (second, "S2.3", AnswerType.TEXT, {}),
        (second, "S2.4", AnswerType.FILE, {"evidence_required": True}),
        (second, "S2.5", AnswerType.TEXT, {"required": False}),
    ]
    for position, (section, code, answer_type, extra) in enumerate(specs):
        Indicator.objects.create(
            version=version,
            section=section,
            code=code,
            title=f"Question {code}",
            answer_type=answer_type,
            position=position,
            **extra,
        )
    return version


@pytest.fixture
def bronze(db: None) -> QuestionnaireVersion:
    return make_version(Level.BRONZE)


@pytest.fixture
def organisation(db: None) -> ClusterOrganisation:
    return OrganisationFactory(**ELIGIBLE)


@pytest.fixture
def manager(organisation: ClusterOrganisation) -> Membership:
    return MembershipFactory(organisation=organisation)


ANSWERS = {
    "S1.1": ["25"],
    "S1.2": ["1.5"],
    "S1.3": ["40"],
    "S1.4": ["yes"],
    "S1.5": ["2015-03-01"],
    "S2.1": ["b"],
    "S2.2": ["a", "c"],
    "S2.3": ["We run matchmaking events."],
}


@pytest.fixture
def staff(db: None) -> dict[str, User]:
    return {
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "expert_rs": AssessorProfileFactory(home_country="RS", certified_levels=["bronze", "silver", "gold"]).user,
        "expert_de": AssessorProfileFactory(
            home_country="DE", countries=["DE"], certified_levels=["bronze", "gold"]
        ).user,
        "expert_rs2": AssessorProfileFactory(home_country="RS", certified_levels=["gold"]).user,
    }
