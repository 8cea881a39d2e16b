"""The national partner's pipeline: the applications in progress in its countries.

A partner helps its clusters through the process (DOMAIN.md, "Who is who"):
it sees which organisation applied for which level, where each case stands,
when each step was reached, and which step is late. It never sees the
answers, the scores, the questions or who assesses: the rows here carry
states and dates only, read from the one history without its actors and
reasons. Three queries a page, whatever its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from assessments.enums import ApplicationState
from assessments.late_steps import late_steps as case_late_steps
from assessments.models import Application
from assessments.rules import IN_PROGRESS_STATES
from clusters.rules import partner_countries_of
from common.models import ActivityLog

STATE_NAMES = dict(ApplicationState.choices)


@dataclass(frozen=True)
class Step:
    """A state the application reached, and the day it reached it."""

    state: str
    on: date

    @property
    def name(self) -> str:
        return str(STATE_NAMES.get(self.state, self.state))


@dataclass(frozen=True)
class LateStep:
    """A step whose deadline has passed: what is awaited, since when. Never who."""

    what: str | Promise
    due_on: date


@dataclass
class PipelineRow:
    application: Application
    steps: list[Step] = field(default_factory=list)
    late: list[LateStep] = field(default_factory=list)


def pipeline_for(user: object) -> QuerySet[Application]:
    """The applications in progress of organisations in the countries of the
    partners the person works for (none for anyone else): the rule
    ``assessments.follow_application`` as one query."""
    return (
        Application.objects.filter(
            organisation__country__in=sorted(partner_countries_of(user)), state__in=IN_PROGRESS_STATES
        )
        .select_related("organisation")
        .order_by("organisation__country", "organisation__name", "level", "pk")
    )


def pipeline_rows(applications: Sequence[Application], today: date | None = None) -> list[PipelineRow]:
    """The steps and late steps of each application (one page of the pipeline)."""
    today = today or timezone.localdate()
    rows = {application.pk: PipelineRow(application=application) for application in applications}
    for pk, at, data in (
        ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id__in=list(rows),
            action="application.state",
        )
        .order_by("at", "id")
        # The state and the moment only: who moved the case and why stay out of the partner's sight.
        .values_list("object_id", "at", "data")
    ):
        moved = (data or {}).get("state") or []
        if len(moved) == 2:
            rows[pk].steps.append(Step(state=moved[1], on=timezone.localdate(at)))
    for step in case_late_steps(today):
        row = rows.get(step.application.pk)
        if row is not None:
            # What is late and since when, never who: an expert's name is not the partner's to know.
            row.late.append(LateStep(what=str(step.label), due_on=step.deadline))
    return list(rows.values())
