"""Redis drops every connection while a real worker runs the reminder sweep:
no reminder is lost and none is sent twice, because the reminders live in
PostgreSQL, not in the broker."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from common.models import Notification
from labels.enums import ReminderState
from labels.models import LabelReminder
from labels.reminders import reminders_sweep
from labels.tasks import send_label_reminders
from tests.factories import LabelFactory, MembershipFactory, OrganisationFactory
from tests.polling import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
DAY = date(2028, 3, 1)
LABELS = 12
# The chaos worker gets a Redis database of its own, so cutting its connections
# leaves alone the CI worker and whatever else uses the broker's database.
CHAOS_DB = 12


def chaos_broker(broker_url: str) -> str:
    base, _slash, _db = broker_url.rpartition("/")
    return f"{base}/{CHAOS_DB}"


def cut_connections_of_database(url: str, db: int) -> int:
    """What a Redis restart looks like to the clients of one database: every connection dropped."""
    client = redis.Redis.from_url(url)
    own = client.client_id()
    victims = [c["id"] for c in client.client_list() if int(c.get("db", -1)) == db and int(c["id"]) != own]
    for victim in victims:
        client.client_kill_filter(_id=victim)
    return len(victims)


def test_a_sweep_survives_redis_dropping_its_connections(broker_url: str, postgres: None, tmp_path: Path) -> None:
    for _ in range(LABELS):
        organisation = OrganisationFactory(country="RS")
        MembershipFactory(organisation=organisation)
        LabelFactory(organisation=organisation, valid_from=date(2026, 3, 1), valid_until=DAY + timedelta(days=30))
    marker = tmp_path / "pids"
    redis.Redis.from_url(chaos_broker(broker_url)).flushdb()  # nothing left over from an earlier run
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CONN_MAX_AGE": "0",
        "CHAOS_MARKER": str(marker),
        "CHAOS_PAUSE": "2",
        "CELERY_BROKER_URL": chaos_broker(broker_url),
    }
    command = [sys.executable, "-m", "celery", "-A", "tests.chaos_worker", "worker", "-Q", "chaos-redis", "-c", "1"]
    options = ["--prefetch-multiplier", "1", "-n", f"chaos-redis-{os.getpid()}@%h", "--loglevel", "WARNING"]
    worker = subprocess.Popen(
        [*command, *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # An explicit connection: CELERY_BROKER_URL in the environment would win over broker=.
        sender = Celery("chaos-sender")
        with sender.connection_for_write(chaos_broker(broker_url)) as chaos_connection:
            sender.send_task(
                send_label_reminders.name,
                kwargs={"today": DAY.isoformat()},
                queue="chaos-redis",
                connection=chaos_connection,
            )
        wait_for(lambda: marker.exists() and marker.read_text().strip(), 60, "the worker to start the sweep")
        assert cut_connections_of_database(chaos_broker(broker_url), CHAOS_DB) >= 1

        wait_for(
            lambda: LabelReminder.objects.filter(state=ReminderState.SENT).count() == LABELS,
            90,
            "the sweep to finish",
        )
        # The unacknowledged message may come back (acks_late): running the sweep again changes nothing.
        reminders_sweep(today=DAY)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert LabelReminder.objects.filter(state=ReminderState.PENDING).count() == 0
    assert LabelReminder.objects.filter(state=ReminderState.SENT).count() == LABELS
    assert Notification.objects.count() == LABELS  # one manager per organisation, told once
