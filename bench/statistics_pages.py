"""Speed of the statistics pages on the bench volume (issue #8: under 300 ms at the median).

``bench_statistics()`` assumes the database already holds the bench volume (at
least 5,000 organisations and 20,000 labels); ``seed_volume()`` makes one in a
throwaway database for trying it by hand. Measured, never asserted.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: Django is set up first
    from django.test import Client

    from accounts.models import User
    from labels.models import Label

SAMPLES = 20
PARTNER_COUNTRY = "RS"


def _reader(email: str) -> User:
    from accounts import services as account_services
    from accounts.models import User

    user = User.objects.filter(email=email).first()
    return user or account_services.user_create(email=email, full_name=email.split("@")[0], password=None)


def _readers() -> dict[str, User]:
    """A policy reader and a partner for Serbia, created through the services when missing."""
    from accounts import services as account_services
    from accounts.enums import StaffRole
    from clusters import services as cluster_services
    from clusters.models import NationalPartner

    policy = _reader("bench.policy@bench.test")
    account_services.role_grant(user=policy, role=StaffRole.POLICY_READER, by=None)
    partner_user = _reader("bench.partner@bench.test")
    partner = NationalPartner.objects.filter(name="Bench partner").first() or cluster_services.partner_create(
        name="Bench partner", countries=[PARTNER_COUNTRY]
    )
    if not partner.staff.filter(user=partner_user).exists():
        cluster_services.partner_staff_add(partner=partner, user=partner_user)
    return {"policy": policy, "partner": partner_user}


def _timed(client: Client, url: str, samples: int) -> list[float]:
    """What a reader waits for: the page reads the figures the worker stored
    (``labels.figures``; ``figures_store`` below computes them first)."""
    client.get(url)  # warm up templates and the session
    durations = []
    for _i in range(samples):
        start = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            response.getvalue()  # a streaming response's getvalue() reads the whole stream
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return durations


def bench_statistics(samples: int = SAMPLES) -> dict[str, list[float]]:
    """Durations in ms of each statistics page, per reader, ``samples`` times each."""
    from django.test import Client
    from django.urls import reverse

    pages = {
        "statistics overview": reverse("statistics:overview"),
        "statistics overview, one country": reverse("statistics:overview") + f"?country={PARTNER_COUNTRY}",
        "statistics comparison": reverse("statistics:comparison") + f"?country={PARTNER_COUNTRY}",
        "statistics CSV (renewal by country)": reverse("statistics:csv", args=["renewal-rate-by-country"]),
    }
    results: dict[str, list[float]] = {}
    for role, user in _readers().items():
        client = Client()
        client.force_login(user)
        for name, url in pages.items():
            results[f"{name} ({role})"] = _timed(client, url, samples)
    return results


def figures_store() -> dict[str, float | int]:
    """The registry's keys of bulk-loaded labels written, then every stored figure computed
    as the worker's refresh does it: how long the worker works after a change or each night."""
    from django.core.management import call_command

    from labels.models import StoredFigure
    from labels.registry import registry_keys_refill

    start = time.perf_counter()
    registry_keys_refill()
    keys = time.perf_counter() - start
    start = time.perf_counter()
    call_command("refresh_figures", verbosity=0)
    return {
        "registry_keys_s": round(keys, 1),
        "refresh_s": round(time.perf_counter() - start, 1),
        "rows": StoredFigure.objects.count(),
    }


def seed_volume(organisations: int = 5000, labels: int = 20000, seed: int = 8) -> None:
    """Bulk-create a bench volume in an empty throwaway database: organisations in
    30 countries, each with a chain of Bronze labels (some renewed, some lapsed) and
    a few Gold ones. Dates follow the scheme's rules."""
    from clusters.enums import OrganisationState
    from clusters.models import ClusterOrganisation
    from common.enums import Level
    from labels.models import Label
    from labels.validity import compute_validity

    rng = random.Random(seed)
    countries = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT"]
    countries += ["LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "RS", "NO", "CH"]
    ClusterOrganisation.objects.bulk_create(
        [
            ClusterOrganisation(
                name=f"Bench statistics cluster {n}",
                slug=f"bench-statistics-cluster-{n}",
                country=countries[n % len(countries)],
                state=OrganisationState.ACTIVE,
                members_sme=rng.randint(0, 40),
                members_research=rng.randint(0, 5),
                website="https://bench.example" if n % 3 else "",
                website_in_english=True,
                eccp_url="https://eccp.example" if n % 2 else "",
            )
            for n in range(organisations)
        ],
        batch_size=1000,
    )
    ids = list(ClusterOrganisation.objects.filter(slug__startswith="bench-statistics-").values_list("id", flat=True))
    rows: list[Label] = []
    while len(rows) < labels:
        organisation = rng.choice(ids)
        level = Level.GOLD if rng.random() < 0.1 else Level.BRONZE
        assessed = date(2010, 1, 1) + timedelta(days=rng.randint(0, 365 * 16))
        previous = None
        for _step in range(rng.randint(1, 4)):
            validity = compute_validity(level=level, assessed_on=assessed, previous_valid_until=previous)
            rows.append(
                Label(
                    organisation_id=organisation,
                    level=level,
                    source="import",
                    assessed_on=assessed,
                    valid_from=validity.valid_from,
                    valid_until=validity.valid_until,
                    code=f"BENCH-{len(rows)}",
                    revoked_at=None,
                    superseded_by=None,
                )
            )
            previous = validity.valid_until
            assessed = validity.valid_until + timedelta(days=rng.randint(-200, 500))
    _bulk_labels(rows)


def _bulk_labels(rows: list[Label]) -> None:
    """The one-current constraint allows one label without ``superseded_by`` per organisation
    and level: the latest of each is saved first, and every older one points at it."""
    from labels.models import Label

    latest: dict[tuple[int, str], Label] = {}
    for row in rows:
        key = (row.organisation_id, row.level)
        if key not in latest or row.assessed_on > latest[key].assessed_on:
            latest[key] = row
    Label.objects.bulk_create(list(latest.values()), batch_size=1000)
    others = [row for row in rows if latest[(row.organisation_id, row.level)] is not row]
    for row in others:
        row.superseded_by = latest[(row.organisation_id, row.level)]
    Label.objects.bulk_create(others, batch_size=1000)
