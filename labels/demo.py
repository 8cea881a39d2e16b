"""The demo world ``seed_demo`` builds: one account per role, and organisations.

Idempotent: every object is looked up by a natural key before it is created,
so running the command again changes nothing and keeps what people did.
Organisation names are invented; none is claimed to hold a real label.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts import services as account_services
from accounts.enums import StaffRole
from accounts.models import User
from clusters import services as cluster_services
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, NationalPartner
from common.enums import Level
from common.models import Sector
from common.services import sectors_ensure

DEMO_PASSWORD = "escaportal-demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    language: str = "en"


DEMO_ACCOUNTS = (
    DemoAccount("office@demo.test", "Olivia Office", "label office"),
    DemoAccount("committee@demo.test", "Conrad Committee", "label committee"),
    DemoAccount("assessor.rs@demo.test", "Milica Assessor", "assessor (Serbia)", "sr-latn"),
    DemoAccount("assessor.de@demo.test", "Dieter Assessor", "assessor (Germany)"),
    DemoAccount("manager@demo.test", "Marko Manager", "cluster manager (Serbian organisation)", "sr-latn"),
    DemoAccount("partner@demo.test", "Petra Partner", "national partner for Serbia"),
    DemoAccount("policy@demo.test", "Paul Policy", "policy reader"),
)

# name, acronym, country, city, sector names, state
DEMO_ORGANISATIONS: tuple[tuple[str, str, str, str, tuple[str, ...], OrganisationState], ...] = (
    ("Panonija Food Valley Cluster", "PFVC", "RS", "Novi Sad", ("Food industry",), OrganisationState.ACTIVE),
    (
        "Sumadija Wood and Furniture Network",
        "SWFN",
        "RS",
        "Kragujevac",
        ("Production and engineering",),
        OrganisationState.ACTIVE,
    ),
    (
        "Morava Auto Components Cluster",
        "MACC",
        "RS",
        "Cacak",
        ("Production and engineering", "Transportation and logistics"),
        OrganisationState.ACTIVE,
    ),
    (
        "Nisava Health Technology Alliance",
        "NHTA",
        "RS",
        "Nis",
        ("Health and medical science",),
        OrganisationState.PENDING,
    ),
    ("Danube Creative Bridge", "DCB", "RS", "Belgrade", ("Creative industries",), OrganisationState.DRAFT),
    (
        "Rhine-Neckar Photonics Network",
        "RNPN",
        "DE",
        "Mannheim",
        ("New materials and chemistry",),
        OrganisationState.ACTIVE,
    ),
    (
        "Baltic Blue Logistics Cluster",
        "BBLC",
        "LT",
        "Klaipeda",
        ("Transportation and logistics",),
        OrganisationState.ACTIVE,
    ),
    (
        "Adriatic Sun Tourism Cluster",
        "ASTC",
        "HR",
        "Split",
        ("Sports, leisure and tourism",),
        OrganisationState.PENDING,
    ),
    ("Carpathian Green Energy Cluster", "CGEC", "RO", "Brasov", ("Energy and environment",), OrganisationState.ACTIVE),
    ("Iberian Agritech Cluster", "IAC", "ES", "Zaragoza", ("Food industry", "ICT"), OrganisationState.ACTIVE),
)

DEMO_MANAGER_ORGANISATION = "Panonija Food Valley Cluster"


@transaction.atomic
def seed_demo() -> list[str]:
    """Create the demo world; return one line per thing created (empty when all existed)."""
    created: list[str] = []
    sectors_ensure()
    users = {account.email: _demo_user(account, created) for account in DEMO_ACCOUNTS}
    for email, role in (
        ("office@demo.test", StaffRole.LABEL_OFFICE),
        ("committee@demo.test", StaffRole.LABEL_COMMITTEE),
        ("policy@demo.test", StaffRole.POLICY_READER),
    ):
        account_services.role_grant(user=users[email], role=role, note="demo")
    _office_admin_access(users["office@demo.test"])
    _demo_assessors(users)
    organisations = _demo_organisations(created)
    cluster_services.membership_add(
        organisation=organisations[DEMO_MANAGER_ORGANISATION],
        user=users["manager@demo.test"],
        role=MembershipRole.MANAGER,
    )
    partner = NationalPartner.objects.filter(name="Cluster House Serbia (demo)").first()
    if partner is None:
        partner = cluster_services.partner_create(
            name="Cluster House Serbia (demo)", countries=["RS"], website="https://clusterhouse.example"
        )
        created.append(f"national partner {partner.name}")
    cluster_services.partner_staff_add(partner=partner, user=users["partner@demo.test"])
    return created


OFFICE_ADMIN_GROUP = "Label office (admin)"
OFFICE_ADMIN_APPS = ("accounts", "clusters", "assessments", "labels", "common")


def _office_admin_access(office: User) -> None:
    """The office grants roles and edits records in the admin, with every
    permission on the portal's own models, but is no superuser: a superuser
    passes every rule, the committee's four-eyes rule included."""
    group, _created = Group.objects.get_or_create(name=OFFICE_ADMIN_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=OFFICE_ADMIN_APPS))
    office.groups.add(group)
    if not office.is_staff:
        office.is_staff = True
        office.save(update_fields=["is_staff"])


def _demo_user(account: DemoAccount, created: list[str]) -> User:
    user = User.objects.filter(email__iexact=account.email).first()
    if user is None:
        user = account_services.user_create(
            email=account.email,
            full_name=account.full_name,
            password=DEMO_PASSWORD,
            preferred_language=account.language,
        )
        created.append(f"account {account.email} ({account.role})")
    return user


def _demo_assessors(users: dict[str, User]) -> None:
    sectors = {sector.name: sector for sector in Sector.objects.all()}
    account_services.assessor_profile_set(
        user=users["assessor.rs@demo.test"],
        home_country="RS",
        countries=["RS", "ME", "BA", "MK"],
        languages=["sr", "en"],
        sectors=[sectors["Food industry"], sectors["ICT"], sectors["Production and engineering"]],
        certified_levels=[Level.BRONZE, Level.SILVER, Level.GOLD],
    )
    account_services.assessor_profile_set(
        user=users["assessor.de@demo.test"],
        home_country="DE",
        countries=["DE", "AT", "RS"],
        languages=["de", "en"],
        sectors=[sectors["New materials and chemistry"], sectors["Food industry"]],
        certified_levels=[Level.BRONZE, Level.GOLD],
    )


def _demo_organisations(created: list[str]) -> dict[str, ClusterOrganisation]:
    sectors = {sector.name: sector for sector in Sector.objects.all()}
    result: dict[str, ClusterOrganisation] = {}
    for name, acronym, country, city, sector_names, state in DEMO_ORGANISATIONS:
        organisation = ClusterOrganisation.objects.filter(name=name, country=country).first()
        if organisation is None:
            organisation = cluster_services.organisation_create(
                name=name,
                acronym=acronym,
                country=country,
                city=city,
                website=f"https://{acronym.lower()}.example",
                sectors=[sectors[s] for s in sector_names],
                state=state,
            )
            created.append(f"organisation {name}")
        result[name] = organisation
    return result
