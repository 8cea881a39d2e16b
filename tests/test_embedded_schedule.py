"""`make run` runs the periodic tasks: without a broker it starts beat beside the
server, and beat, in its own process and without a worker, sends the reminders
due at once. With a broker `make worker` and `make beat` do that instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from common.models import Notification
from labels.enums import ReminderState
from labels.models import LabelReminder
from tests.embedded_beat import ROOT, embedded_beat
from tests.factories import LabelFactory, MembershipFactory, OrganisationFactory, PartnerStaffFactory
from tests.polling import wait_for

BEAT = "celery -A escaportal beat"


def make_run_commands(**environment: str) -> list[str]:
    """The commands `make run` would run (make -n runs nothing)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # MAKEFLAGS and MAKELEVEL come from `make test` itself; a nested make would print its directory.
    inherited = {"CELERY_BROKER_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    env = {name: value for name, value in os.environ.items() if name not in inherited} | environment
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_make_run_starts_beat_beside_the_server_without_a_broker() -> None:
    server = make_run_commands()[-1]

    assert BEAT in server
    assert server.index(BEAT) < server.index("runserver")


def test_make_run_starts_no_second_beat_with_a_broker() -> None:
    commands = make_run_commands(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    assert [c for c in commands if "beat" in c] == []
    assert "runserver" in commands[-1]


@pytest.mark.django_db(transaction=True)
def test_beat_without_a_broker_sends_the_reminder_of_a_label_expiring_in_29_days(tmp_path: Path) -> None:
    organisation = OrganisationFactory(country="RS")
    manager = MembershipFactory(organisation=organisation).user
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    label = LabelFactory(organisation=organisation, valid_until=timezone.localdate() + timedelta(days=29))

    with embedded_beat(tmp_path) as beat:

        def reminder_sent() -> bool:
            beat.pull()
            return LabelReminder.objects.filter(state=ReminderState.SENT).exists()

        wait_for(reminder_sent, 90, "beat to send the reminder")

    reminder = LabelReminder.objects.get()
    assert (reminder.label, reminder.kind, reminder.state) == (label, "expiry-30", ReminderState.SENT)
    assert sorted(reminder.recipients) == sorted([manager.email, partner.email])
    assert Notification.objects.filter(user__in=[manager, partner]).count() == 2
    # The console shows each e-mail once, and beat stopped cleanly on SIGTERM.
    output = beat.output()
    assert (output.count(f"To: {manager.email}"), output.count(f"To: {partner.email}")) == (1, 1)
    assert beat.returncode == 0, output[-3000:]
