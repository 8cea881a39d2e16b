"""The reminder sweep on real volumes (issue #7), measured, never asserted.

- ``bench_reminder_smtp``: 1,000 labels due today, each with a manager and a
  national partner for its country, swept through a real SMTP server on
  localhost (aiosmtpd): target under 30 s for the 1,000 reminders.
- ``bench_reminder_selection``: the set-based selection of what is due among
  100,000 labels: target under 2 s.
"""

from __future__ import annotations

import logging
import random
import socket
import statistics
import time
from datetime import date, timedelta
from typing import Any

SWEEP_LABELS = 100_000
SMTP_REMINDERS = 1_000
COUNTRIES = ["AT", "BE", "DE", "DK", "ES", "FI", "FR", "HR", "HU", "IT", "NL", "PL", "PT", "RO", "RS", "SE", "SI"]


class _Inbox:
    """An aiosmtpd handler that counts what it receives."""

    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 Message accepted for delivery"


def bench_reminder_smtp(today: date) -> dict[str, float | int]:
    """Sweep 1,000 due reminders through a real SMTP server on localhost."""
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core import mail

    from labels.reminders import reminders_sweep

    _seed_due_with_people(today, SMTP_REMINDERS)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        port,
        False,
    )
    mail.outbox = []
    try:
        start = time.perf_counter()
        report = reminders_sweep(today=today)
        seconds = time.perf_counter() - start
    finally:
        settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = saved
        controller.stop()
    return {"seconds": round(seconds, 2), "reminders": report.sent, "emails_received": inbox.messages}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed_due_with_people(today: date, count: int) -> None:
    """``count`` organisations with a manager each, a label whose 30-day reminder is due today,
    and a partner (with one staff member) per country."""
    from accounts.models import User
    from clusters.enums import MembershipRole, OrganisationState
    from clusters.models import ClusterOrganisation, Membership, NationalPartner, PartnerStaff
    from labels.models import Label

    organisations = ClusterOrganisation.objects.bulk_create(
        [
            ClusterOrganisation(
                name=f"Bench reminder cluster {n}",
                slug=f"bench-reminder-cluster-{n}",
                country=COUNTRIES[n % len(COUNTRIES)],
                state=OrganisationState.ACTIVE,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    users = User.objects.bulk_create(
        [User(email=f"manager{n}@bench-reminders.test", full_name=f"Manager {n}") for n in range(count)],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation=o, user=u, role=MembershipRole.MANAGER)
            for o, u in zip(organisations, users, strict=True)
        ],
        batch_size=1000,
    )
    for country in COUNTRIES:
        partner, _created = NationalPartner.objects.get_or_create(
            slug=f"bench-partner-{country.lower()}",
            defaults={"name": f"Bench partner {country}", "countries": [country]},
        )
        staff, _created = User.objects.get_or_create(
            email=f"partner-{country.lower()}@bench-reminders.test", defaults={"full_name": f"Partner {country}"}
        )
        PartnerStaff.objects.get_or_create(partner=partner, user=staff)
    valid_until = today + timedelta(days=30)
    Label.objects.bulk_create(
        [
            Label(
                organisation=o,
                level="bronze",
                source="import",
                assessed_on=valid_until - timedelta(days=700),
                valid_from=valid_until - timedelta(days=700),
                valid_until=valid_until,
                code=f"BENCH-REMINDER-{n}",
            )
            for n, o in enumerate(organisations)
        ],
        batch_size=1000,
    )


def bench_reminder_selection(today: date, samples: int = 5) -> dict[str, float | int]:
    """Fill the database up to 100,000 labels, then time the selection of what is due."""
    from labels.models import Label
    from labels.reminders import reminders_due

    _seed_sweep_volume(today, SWEEP_LABELS - Label.objects.count())
    durations, due = [], 0
    for _i in range(samples):
        start = time.perf_counter()
        due = len(list(reminders_due(today).values_list("pk", "reminder_kind", "reminder_sequence")))
        durations.append((time.perf_counter() - start) * 1000)
    return {
        "labels": Label.objects.count(),
        "due": due,
        "median_ms": round(statistics.median(durations), 1),
        "max_ms": round(max(durations), 1),
    }


def _seed_sweep_volume(today: date, labels: int, seed: int = 7) -> None:
    """One current label per organisation and level, expiring anywhere from three years
    ago to three years ahead, so every reminder kind has its share of due labels."""
    from clusters.enums import OrganisationState
    from clusters.models import ClusterOrganisation
    from labels.models import Label

    if labels <= 0:
        return
    rng = random.Random(seed)
    per_organisation = 3  # one per level
    count = -(-labels // per_organisation)
    organisations = ClusterOrganisation.objects.bulk_create(
        [
            ClusterOrganisation(
                name=f"Bench sweep cluster {n}",
                slug=f"bench-sweep-cluster-{n}",
                country=COUNTRIES[n % len(COUNTRIES)],
                state=OrganisationState.ACTIVE,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    rows = []
    for n, organisation in enumerate(organisations):
        for level in ("bronze", "silver", "gold")[: min(per_organisation, labels - n * per_organisation)]:
            valid_until = today + timedelta(days=rng.randint(-3 * 365, 3 * 365))
            rows.append(
                Label(
                    organisation=organisation,
                    level=level,
                    source="import",
                    assessed_on=valid_until - timedelta(days=730),
                    valid_from=valid_until - timedelta(days=730),
                    valid_until=valid_until,
                    code=f"BENCH-SWEEP-{n}-{level[0].upper()}",
                )
            )
    Label.objects.bulk_create(rows, batch_size=2000)
