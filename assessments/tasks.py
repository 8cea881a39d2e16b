"""Background work of the assessments app. Tasks take ids and call services.

The tasks live beside the service they run, so that the service can queue
them without importing its own caller: ``assessments.reports`` (render_report),
``assessments.benchmarking.pdf`` (render_benchmarking_report,
refresh_benchmarking_reports), ``assessments.services.assessing``
(notify_overdue_clarifications) and ``assessments.services.deadlines``
(remind_late_steps). They are imported here so that the worker's autodiscovery
registers them.
"""

from __future__ import annotations

from assessments.benchmarking.pdf import refresh_benchmarking_reports, render_benchmarking_report
from assessments.reports import render_report
from assessments.services.assessing import notify_overdue_clarifications
from assessments.services.deadlines import remind_late_steps

__all__ = [
    "notify_overdue_clarifications",
    "refresh_benchmarking_reports",
    "remind_late_steps",
    "render_benchmarking_report",
    "render_report",
]
