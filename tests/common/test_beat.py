"""Beat runs at start what it never ran or missed, then each task at its time, never twice.

The portal's own schedule (``CELERY_BEAT_SCHEDULE``: daily at 04:00, 06:30, 06:45, 07:00, 07:15
and 07:30) on a clock the test sets. What the scheduler would send is recorded
instead of sent: when and how often is the scheduler's part, the rest is Celery's.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery import Celery, current_app
from celery.beat import PersistentScheduler, ScheduleEntry
from django.conf import settings

from common.beat import CatchUpScheduler

TZ = ZoneInfo(settings.TIME_ZONE)
# A newcomer's first `make run`: after every daily run time of the schedule.
FIRST_START = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)
ALL = sorted(settings.CELERY_BEAT_SCHEDULE)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Recording:
    """Records the name of each entry it would send."""

    sent: list[str]

    def apply_async(self, entry: ScheduleEntry, producer: Any = None, advance: bool = True, **kwargs: Any) -> None:
        self.sent.append(entry.name)


class RecordingCatchUp(Recording, CatchUpScheduler):
    pass


class RecordingCelery(Recording, PersistentScheduler):
    pass


@pytest.fixture
def clock() -> Clock:
    return Clock(FIRST_START)


@pytest.fixture
def app(clock: Clock) -> Iterator[Celery]:
    app = Celery("beat-test", broker="memory://", set_as_current=False, fixups=[])
    app.conf.timezone = settings.TIME_ZONE
    app.conf.beat_schedule = copy.deepcopy(settings.CELERY_BEAT_SCHEDULE)
    app.conf.result_expires = None  # no backend_cleanup entry of Celery's own
    app.now = clock
    # Entries read back from the schedule file find their app as the current one.
    portal = current_app._get_current_object()
    app.set_current()
    yield app
    portal.set_current()
    app.close()


@pytest.fixture
def start(app: Celery, tmp_path: Path) -> Iterator[Any]:
    """Start a beat on the schedule file in tmp_path (as a restart does, the same file each time)."""
    started: list[PersistentScheduler] = []

    def start_beat(scheduler: type[PersistentScheduler] = RecordingCatchUp) -> Any:
        for running in started:
            running.close()
        started.clear()
        beat = scheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"))
        beat.sent = []
        started.append(beat)
        return beat

    yield start_beat
    for running in started:
        running.close()


def due_now(beat: Any) -> list[str]:
    """Tick until nothing is due; the entries sent, in order."""
    before = len(beat.sent)
    for _ in range(50):
        if beat.tick() > 0:
            return beat.sent[before:]
    pytest.fail("beat kept finding something due")


def test_celery_alone_sends_nothing_until_tomorrow_on_a_new_schedule(start: Any) -> None:
    """The bug: a fresh schedule file stamps each entry with the start time."""
    assert due_now(start(RecordingCelery)) == []


def test_a_new_schedule_runs_every_task_once_at_start(start: Any) -> None:
    beat = start()

    assert sorted(due_now(beat)) == ALL
    assert due_now(beat) == []


def test_what_ran_at_start_does_not_run_again_that_day_even_after_a_restart(start: Any, clock: Clock) -> None:
    due_now(start())
    clock.now = FIRST_START.replace(hour=23, minute=59)

    assert due_now(start()) == []


def test_the_next_day_each_task_runs_at_its_own_time_once(start: Any, clock: Clock) -> None:
    beat = start()
    due_now(beat)
    next_day = FIRST_START + timedelta(days=1)

    ran = []
    for hour, minute in [
        (0, 6),
        (3, 31),
        (3, 59),
        (4, 1),
        (6, 29),
        (6, 31),
        (6, 46),
        (7, 1),
        (7, 16),
        (7, 31),
        (12, 0),
    ]:
        clock.now = next_day.replace(hour=hour, minute=minute)
        ran.append(due_now(beat))

    assert ran == [
        ["figures-nightly"],
        ["benchmarking-reports"],
        [],
        ["privacy-retention"],
        [],
        ["label-reminders"],
        ["invoice-reminders"],
        ["overdue-clarifications"],
        ["case-deadlines"],
        ["label-reminder-digest"],
        [],
    ]


def test_a_beat_down_at_the_due_time_catches_up_once_at_restart(start: Any, clock: Clock) -> None:
    due_now(start())
    # Down for three days: three due times of each task were missed.
    clock.now = FIRST_START.replace(hour=5) + timedelta(days=3)
    beat = start()

    assert sorted(due_now(beat)) == ALL
    assert due_now(beat) == []


def test_an_entry_written_but_never_run_runs_at_start(start: Any, clock: Clock) -> None:
    """A file from Celery's scheduler, stopped before the first due time (or a new entry added)."""
    start(RecordingCelery)
    clock.now = FIRST_START + timedelta(hours=1)

    assert sorted(due_now(start())) == ALL


def test_every_scheduled_task_is_known_to_the_portal_app() -> None:
    """In the embedded default beat runs the task itself: one it does not know would be lost."""
    from escaportal.celery import app

    app.loader.import_default_modules()

    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} - set(app.tasks) == set()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_an_unknown_task_is_an_error_not_a_lost_message(
    app: Celery, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app.conf.task_always_eager = True
    app.conf.beat_schedule = {"typo": {"task": "labels.send_label_remiders", "schedule": timedelta(hours=1)}}
    beat = CatchUpScheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"))

    with caplog.at_level(logging.ERROR, logger="celery.beat"):
        beat.tick()
    beat.close()

    assert "'labels.send_label_remiders' is not a registered task" in caplog.text
