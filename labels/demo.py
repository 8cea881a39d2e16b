"""The demo world ``seed_demo`` builds: one account per role, and organisations.

Idempotent: every object is looked up by a natural key before it is created,
so running the command again changes nothing and keeps what people did.
Organisation names are invented; none is claimed to hold a real label.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts import services as account_services
from accounts.enums import StaffRole
from accounts.models import User
from assessments.demo_benchmarkings import seed_benchmarkings
from assessments.questionnaires.catalogue import catalogue_load
from billing.services import public_prices_ensure
from clusters import people as cluster_people
from clusters import services as cluster_services
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, NationalPartner
from common.enums import Level
from common.models import Sector
from common.services import sectors_ensure
from labels.certificates.jobs import certificate_job_queue
from labels.certificates.language import label_set_certificate_language
from labels.enums import CertificateLanguage
from labels.imports.parser import COLUMNS
from labels.imports.service import labels_import
from labels.models import Label
from labels.selectors import CURRENT_LABEL

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
    # With Conrad, the board's default quorum (BOARD_QUORUM, 3) for a meeting.
    DemoAccount("committee2@demo.test", "Clara Committee", "label committee"),
    DemoAccount("committee3@demo.test", "Cyril Committee", "label committee"),
    DemoAccount("assessor.rs@demo.test", "Milica Assessor", "assessor (Serbia)"),
    DemoAccount("assessor.de@demo.test", "Dieter Assessor", "assessor (Germany)"),
    # Everyone starts in English; the header's language menu switches (and remembers) Serbian.
    DemoAccount("manager@demo.test", "Marko Manager", "cluster manager (Serbian organisation)"),
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
    # The Serbian story (DOMAIN.md): five Bronze labels in 2012-2013, none renewed.
    (
        "Vrsac Wine Route Cluster",
        "VWRC",
        "RS",
        "Vrsac",
        ("Food industry", "Sports, leisure and tourism"),
        OrganisationState.ACTIVE,
    ),
    (
        "Zlatibor Mountain Tourism Network",
        "ZMTN",
        "RS",
        "Uzice",
        ("Sports, leisure and tourism",),
        OrganisationState.ACTIVE,
    ),
    (
        "Subotica Metalworking Cluster",
        "SMC",
        "RS",
        "Subotica",
        ("Production and engineering",),
        OrganisationState.ACTIVE,
    ),
    (
        "Pirot Rubber and Plastics Cluster",
        "PRPC",
        "RS",
        "Pirot",
        ("New materials and chemistry",),
        OrganisationState.ACTIVE,
    ),
    (
        "Smederevo Danube Logistics Hub",
        "SDLH",
        "RS",
        "Smederevo",
        ("Transportation and logistics",),
        OrganisationState.ACTIVE,
    ),
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

SERBIAN_STORY_LABELS = (
    ("Vrsac Wine Route Cluster", "2012-04-18"),
    ("Zlatibor Mountain Tourism Network", "2012-10-02"),
    ("Subotica Metalworking Cluster", "2013-02-21"),
    ("Pirot Rubber and Plastics Cluster", "2013-05-14"),
    ("Smederevo Danube Logistics Hub", "2013-09-26"),
)

# Places and themes the generated organisations are named after: invented
# combinations, so no name claims a real organisation's label.
GENERATED_PLACES = {
    "DE": ["Weser", "Harz", "Lausitz", "Allgaeu"],
    "AT": ["Salzach", "Wachau", "Murtal"],
    "HR": ["Kvarner", "Slavonia", "Zagorje"],
    "SI": ["Savinja", "Pohorje", "Karst"],
    "ES": ["Ebro", "Duero", "Levante", "Cantabria"],
    "IT": ["Po Valley", "Brenta", "Salento"],
    "FR": ["Loire", "Jura", "Garonne"],
    "PL": ["Vistula", "Silesia", "Pomerania"],
    "RO": ["Mures", "Banat", "Dobrogea"],
    "LT": ["Nemunas", "Samogitia"],
    "DK": ["Limfjord", "Funen"],
    "SE": ["Norrland", "Vattern"],
    "BG": ["Rhodope", "Struma"],
    "HU": ["Tisza", "Balaton"],
    "PT": ["Douro", "Alentejo"],
    "CZ": ["Vltava", "Moravia"],
    "RS": ["Timok", "Kolubara"],
}
GENERATED_THEMES = {
    "Food industry": "Food",
    "Biotechnology": "Biotech",
    "Health and medical science": "Health Innovation",
    "Construction": "Building",
    "Sports, leisure and tourism": "Tourism",
    "Energy and environment": "Clean Energy",
    "Creative industries": "Creative",
    "Production and engineering": "Manufacturing",
    "Aviation and space": "Aerospace",
    "ICT": "Digital",
    "New materials and chemistry": "Materials",
    "Transportation and logistics": "Logistics",
}
GENERATED_KINDS = ("Cluster", "Network", "Alliance", "Valley Cluster")
GENERATED_COUNT = 48
# Generated histories stop here, so the demo looks the same whatever day it is seeded.
LATEST_DEMO_ASSESSMENT = date(2026, 10, 30)

DEMO_MANAGER_ORGANISATION = "Panonija Food Valley Cluster"


@transaction.atomic
def seed_demo() -> list[str]:
    """Create the demo world; return one line per thing created (empty when all existed)."""
    created: list[str] = []
    sectors_ensure()
    public_prices_ensure()
    users = {account.email: _demo_user(account, created) for account in DEMO_ACCOUNTS}
    for email, role in (
        ("office@demo.test", StaffRole.LABEL_OFFICE),
        ("committee@demo.test", StaffRole.LABEL_COMMITTEE),
        ("committee2@demo.test", StaffRole.LABEL_COMMITTEE),
        ("committee3@demo.test", StaffRole.LABEL_COMMITTEE),
        ("policy@demo.test", StaffRole.POLICY_READER),
    ):
        account_services.role_grant(user=users[email], role=role, by=None, note="demo")
    office_admin_access(users["office@demo.test"])
    _demo_assessors(users)
    organisations = _demo_organisations(created)
    cluster_people.membership_add(
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
    _import_label_history(organisations, created)
    created.extend(f"questionnaire {v.questionnaire.title} v{v.number}" for v in catalogue_load())
    created.extend(
        seed_benchmarkings(
            organisations=organisations.values(),
            assessors=[users["assessor.rs@demo.test"], users["assessor.de@demo.test"]],
            committee=users["committee@demo.test"],
        )
    )
    _demo_manager_certificate(organisations[DEMO_MANAGER_ORGANISATION], office=users["office@demo.test"])
    _demo_certificates(created)
    return created


def _demo_certificates(created: list[str]) -> None:
    """Every current demo label gets its certificate, as after an import: one
    bulk job after commit (in process in the embedded default, else by the
    worker). None when every current label has one already."""
    if Label.objects.filter(CURRENT_LABEL, certificate="").exists():
        job = certificate_job_queue()
        created.append(f"certificate job for {job.total} labels")


def _demo_manager_certificate(organisation: ClusterOrganisation, *, office: User) -> None:
    """The demo manager's organisation is Serbian: its current label's
    certificate is printed in English and Serbian, as the office would choose,
    so a manager who switches to Serbian finds the certificate in Serbian too.
    Idempotent: the service changes nothing when it is already bilingual."""
    label = Label.objects.filter(organisation=organisation, revoked_at__isnull=True).order_by("-assessed_on").first()
    if label is not None:
        label_set_certificate_language(label=label, language=CertificateLanguage.ENGLISH_SERBIAN, by=office)


OFFICE_ADMIN_GROUP = "Label office (admin)"
OFFICE_ADMIN_APPS = ("accounts", "clusters", "assessments", "billing", "labels", "common", "privacy")


def office_admin_access(office: User) -> None:
    """The office reads the portal's models in the admin, with every permission
    on them, but is no superuser: a superuser passes every rule,
    the committee's four-eyes rule included. The admin itself keeps records
    read-only and roles and access to superusers (``common.admin``), whatever
    permissions a group holds; the office authors questionnaires there."""
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


def _profile(rng: random.Random, *, eligible: bool) -> dict[str, object]:
    """Plausible figures; an eligible profile meets the five criteria."""
    members = rng.randint(18, 140) if eligible else rng.randint(4, 14)
    research, public = rng.randint(2, 12), rng.randint(0, 5)
    large = rng.randint(0, max(1, members // 10))
    return {
        "management_fte": Decimal(rng.choice(["0.5", "1", "1.5", "2", "2.5", "3", "4.5"]) if eligible else "0.3"),
        "members_research": research,
        "members_public": public,
        "members_large": large,
        "members_sme": max(0, members - research - public - large),
        "members_other": rng.randint(0, 3),
        "website_in_english": eligible or rng.random() < 0.5,
        "founding_year": rng.randint(1998, 2020),
        "legal_form": rng.choice(["association", "non-profit company", "limited company", "foundation"]),
    }


def _demo_organisations(created: list[str]) -> dict[str, ClusterOrganisation]:
    rng = random.Random(2012)
    sectors = {sector.name: sector for sector in Sector.objects.all()}
    specs = [
        (name, acronym, country, city, sector_names, state, state != OrganisationState.DRAFT)
        for name, acronym, country, city, sector_names, state in DEMO_ORGANISATIONS
    ]
    specs.extend(_generated_specs(rng))
    result: dict[str, ClusterOrganisation] = {}
    for name, acronym, country, city, sector_names, state, eligible in specs:
        organisation = ClusterOrganisation.objects.filter(name=name, country=country).first()
        if organisation is None:
            organisation = cluster_services.organisation_create(
                name=name,
                acronym=acronym,
                country=country,
                city=city,
                website=f"https://{acronym.lower()}.example",
                eccp_url=f"https://reporting.clustercollaboration.eu/{acronym.lower()}" if eligible else "",
                sectors=[sectors[s] for s in sector_names],
                state=state,
                contact_name=f"{acronym} secretariat",
                contact_email=f"office@{acronym.lower()}.example",
                description=f"{name}: an invented organisation of the escaportal demo.",
                **_profile(rng, eligible=eligible),
            )
            created.append(f"organisation {name}")
        result[name] = organisation
    return result


def _generated_specs(rng: random.Random) -> list[tuple[str, str, str, str, tuple[str, ...], OrganisationState, bool]]:
    sector_names = list(GENERATED_THEMES)
    countries = sorted(GENERATED_PLACES)
    specs: list[tuple[str, str, str, str, tuple[str, ...], OrganisationState, bool]] = []
    names: set[str] = set()
    for n in range(GENERATED_COUNT):
        country = countries[n % len(countries)]
        place = GENERATED_PLACES[country][(n // len(countries)) % len(GENERATED_PLACES[country])]
        sector = sector_names[(n * 5) % len(sector_names)]
        name = f"{place} {GENERATED_THEMES[sector]} {GENERATED_KINDS[n % len(GENERATED_KINDS)]}"
        if name in names:
            continue
        names.add(name)
        acronym = "".join(word[0] for word in name.split()).upper() + str(n)
        state = OrganisationState.PENDING if n % 11 == 0 else OrganisationState.ACTIVE
        specs.append((name, acronym, country, place, (sector,), state, rng.random() < 0.8))
    return specs


def _label_history(organisations: dict[str, ClusterOrganisation]) -> list[dict[str, str]]:
    """The demo's past labels as rows of the legacy import file.

    The Serbian story (five Bronze labels of 2012-2013, lapsed), the demo
    manager's Bronze expiring soon, and varied histories elsewhere.
    """
    rng = random.Random(2013)
    rows = [_row(organisations[name], Level.BRONZE, date.fromisoformat(day)) for name, day in SERBIAN_STORY_LABELS]
    rows.append(_row(organisations[DEMO_MANAGER_ORGANISATION], Level.BRONZE, date(2024, 12, 10)))
    rows.append(_row(organisations["Rhine-Neckar Photonics Network"], Level.GOLD, date(2025, 3, 12), score="88"))
    rows.append(_row(organisations["Baltic Blue Logistics Cluster"], Level.BRONZE, date(2023, 6, 8)))
    rows.append(_row(organisations["Carpathian Green Energy Cluster"], Level.BRONZE, date(2025, 11, 5)))
    rows.append(_row(organisations["Iberian Agritech Cluster"], Level.BRONZE, date(2016, 5, 19)))
    rows.append(_row(organisations["Iberian Agritech Cluster"], Level.BRONZE, date(2018, 9, 3)))
    rows.append(_row(organisations["Iberian Agritech Cluster"], Level.GOLD, date(2021, 6, 15), score="93"))
    fixed = {name for name, *_rest in DEMO_ORGANISATIONS}
    for name, organisation in sorted(organisations.items()):
        # Serbia keeps its story: no label but the five lapsed ones and the demo manager's.
        if name in fixed or organisation.state != OrganisationState.ACTIVE or organisation.country.code == "RS":
            continue
        rows.extend(_random_history(rng, organisation))
    return rows


def _random_history(rng: random.Random, organisation: ClusterOrganisation) -> list[dict[str, str]]:
    roll = rng.random()
    first = date(rng.randint(2012, 2025), rng.randint(1, 12), rng.randint(1, 28))
    first = min(first, LATEST_DEMO_ASSESSMENT)
    if roll < 0.25:
        return []  # never labelled
    rows = [_row(organisation, Level.BRONZE, first)]
    if roll > 0.6 and first.year <= 2022:
        # renewed inside the window: 20 to 30 months after the first benchmarking
        rows.append(
            _row(organisation, Level.BRONZE, min(first + timedelta(days=rng.randint(610, 900)), LATEST_DEMO_ASSESSMENT))
        )
    if roll > 0.85 and first.year <= 2023:
        score = rng.choice(["81", "84", "85", "90", "93", "94", "96", "100"])
        rows.append(
            _row(
                organisation,
                Level.GOLD,
                min(first + timedelta(days=rng.randint(900, 1200)), LATEST_DEMO_ASSESSMENT),
                score=score,
            )
        )
    return rows


def _row(organisation: ClusterOrganisation, level: Level, assessed_on: date, score: str = "") -> dict[str, str]:
    return {
        "organisation": organisation.name,
        "country": organisation.country.code,
        "city": organisation.city,
        "website": organisation.website,
        "sector": organisation.sectors.all()[0].name,
        "level": level.value,
        "assessed_on": assessed_on.isoformat(),
        "valid_until": "",
        "score": score,
        "label_code": "",
    }


def _import_label_history(organisations: dict[str, ClusterOrganisation], created: list[str]) -> None:
    rows = _label_history(organisations)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    result = labels_import(content=buffer.getvalue().encode())
    if result.errors:
        raise RuntimeError(f"demo label history is invalid: {result.errors[:3]}")
    if result.created:
        created.append(f"{result.created} labels from the demo's label history")
