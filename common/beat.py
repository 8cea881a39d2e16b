"""Celery beat's scheduler for the portal: what was missed runs at start.

Celery's ``PersistentScheduler`` stamps an entry it has never seen with the
time it starts, so with a new (or lost) schedule file a daily crontab entry
first fires the next day: a newcomer's ``make run`` at ten in the morning, or a
beat container recreated after 06:30, sends no reminder until tomorrow.
``CatchUpScheduler`` makes an entry that never ran due at start. An entry that
did run and missed its due time since (beat was down at 06:30) is due at start
already: that is Celery's own rule, kept. Every periodic task of the portal is
idempotent (each reminder once per label, the digest once a week, each
overdue question once), so running one at start is always safe.

In the embedded default (no ``CELERY_BROKER_URL``) tasks are eager: beat runs
each task in its own process, so ``make run`` needs no broker and no worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.beat import PersistentScheduler, ScheduleEntry, SchedulingError
from django.db import close_old_connections

# Far enough back that any schedule the portal may use (daily, weekly,
# monthly, yearly) has fallen due since.
_NEVER = timedelta(days=400)


class CatchUpScheduler(PersistentScheduler):
    """``PersistentScheduler`` that runs, once at start, each entry never run before."""

    def setup_schedule(self) -> None:
        super().setup_schedule()
        # The configured entries only: Celery drops its own (backend_cleanup)
        # from the file and adds them anew at every start, so they never
        # count as run and would run at every start.
        for name in self.app.conf.beat_schedule:
            self._due_if_never_run(self.schedule[name])
        self.sync()

    def _due_if_never_run(self, entry: ScheduleEntry) -> None:
        # total_run_count survives in the schedule file, so only an entry that
        # has really never been sent is moved back, and only until it runs.
        if entry.total_run_count == 0:
            entry.last_run_at = entry.default_now() - _NEVER

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        if not self.app.conf.task_always_eager:
            super().apply_entry(entry, producer=producer)
            return
        # The task runs here. Celery's Django fixup closes a worker's expired or
        # broken database connections around each task, but skips eager ones:
        # do it here, or a database restarted overnight breaks tomorrow's run.
        close_old_connections()
        try:
            super().apply_entry(entry, producer=producer)
        finally:
            close_old_connections()

    def send_task(self, name: str, *args: Any, **kwargs: Any) -> Any:
        # A task this process does not know would go to the in-memory broker,
        # where nothing ever reads it: say so rather than lose it silently.
        if self.app.conf.task_always_eager:
            raise SchedulingError(f"{name!r} is not a registered task")
        return super().send_task(name, *args, **kwargs)
