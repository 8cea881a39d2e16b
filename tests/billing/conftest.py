"""Cases to bill: a Serbian cluster's Bronze case, the office, a national partner."""

from __future__ import annotations

import pytest

from accounts.enums import StaffRole
from accounts.models import User
from assessments.models import Application
from assessments.services.applications import application_start
from billing.enums import PayerKind
from billing.services import payer_set, public_prices_ensure
from clusters.models import ClusterOrganisation, NationalPartner
from common.enums import Level
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory, RoleGrantFactory


@pytest.fixture
def office(db: None) -> User:
    return RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user


def start_case(organisation: ClusterOrganisation, level: Level = Level.BRONZE) -> Application:
    """A case started by the organisation's manager (its quote is written then)."""
    public_prices_ensure()  # gone after a transactional test's flush
    manager = MembershipFactory(organisation=organisation).user
    return application_start(organisation=organisation, level=level, by=manager)


@pytest.fixture
def versions(db: None) -> None:
    for level in Level:
        make_version(level)


@pytest.fixture
def serbian(versions: None) -> ClusterOrganisation:
    return OrganisationFactory(**ELIGIBLE, country="RS", address="Bulevar 1", city="Novi Sad")


@pytest.fixture
def bronze_case(serbian: ClusterOrganisation) -> Application:
    return start_case(serbian)


@pytest.fixture
def partner_staff(db: None) -> User:
    return PartnerStaffFactory(partner__countries=["RS"]).user


def sponsor(application: Application, by: User, partner: NationalPartner) -> None:
    payer_set(
        application=application,
        by=by,
        kind=PayerKind.PARTNER,
        partner=partner,
        name=partner.name,
        street="Knez Mihailova 1",
        postcode="11000",
        city="Belgrade",
        country="RS",
        vat_number="RS101134702",
    )
