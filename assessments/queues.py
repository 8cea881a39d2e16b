"""Work queues: what waits for a person, oldest first, what is late marked so.

Each role's start page leads with its queue (``{% role_panels "queue" %}``):
the steps of open cases this person is to take, from ``late_steps`` with the
deadlines of the scheme's configuration (an expert's declaration and scoring,
a manager's answers, the office's quality checks, the committee's decisions),
and what has no deadline yet but waits all the same: cases to assign (the
office), drafts to finish (a manager), the late cases of a partner's countries
(never who is late: an expert's name is not the partner's to know).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.rules import is_label_office
from assessments.enums import ASSIGNABLE_STATES, ApplicationState
from assessments.late_steps import LateStep, late_steps, steps_waiting_for
from assessments.models import Application
from clusters.enums import MembershipRole
from clusters.rules import partner_countries_of
from common.http import AuthenticatedHttpRequest

# A start page shows the first items of the queue (the late first); the rest are counted
# and reached from the lists they come from. Each source is read only as far as the page
# can show, so the office's page costs the same with 10 cases to assign or 1,000.
QUEUE_SHOWN = 25


@dataclass(frozen=True)
class QueueItem:
    what: str
    application: Application
    url: str
    since: date | None
    deadline: date | None
    late: bool


def _case_url(application: Application) -> str:
    return reverse("assessments:application_detail", args=[application.pk])


def _step_item(step: LateStep, today: date) -> QueueItem:
    url = _case_url(step.application)
    if step.step == "declare" and step.assignment is not None:
        url = reverse("assessments:assignment_declare", args=[step.assignment.pk])
    return QueueItem(str(step.label), step.application, url, None, step.deadline, step.deadline < today)


def _assignable() -> QuerySet[Application]:
    return Application.objects.filter(state__in=ASSIGNABLE_STATES)


def _to_assign(limit: int | None = None) -> list[QueueItem]:
    cases = _assignable().select_related("organisation")
    return [
        QueueItem(
            str(_("assign the experts")),
            case,
            reverse("assessments:case_assign", args=[case.pk]),
            timezone.localdate(case.submitted_at) if case.submitted_at else None,
            None,
            False,
        )
        for case in cases.order_by("submitted_at", "pk")[:limit]
    ]


def _drafts(person: User) -> QuerySet[Application]:
    return Application.objects.filter(
        state=ApplicationState.DRAFT,
        organisation__memberships__user=person,
        organisation__memberships__left_at__isnull=True,
        organisation__memberships__role=MembershipRole.MANAGER,
    )


def _drafts_of(person: User, limit: int | None = None) -> list[QueueItem]:
    drafts = _drafts(person).select_related("organisation")
    return [
        QueueItem(
            str(_("finish and submit the draft")),
            draft,
            _case_url(draft),
            timezone.localdate(draft.created_at),
            None,
            False,
        )
        for draft in drafts.order_by("created_at", "pk")[:limit]
    ]


def _late_in_countries(person: User, today: date) -> list[QueueItem]:
    countries = partner_countries_of(person)
    # Read for its countries only, not every late case of the scheme.
    return [
        QueueItem(str(step.label), step.application, "", None, step.deadline, True)
        for step in late_steps(today, countries=countries, with_people=False)
        if step.application.organisation.country.code in countries
    ]


@dataclass(frozen=True)
class Queue:
    """The first items of a person's queue, how many wait in all, and how many are late."""

    items: list[QueueItem]
    total: int
    late: int


def queue_of(person: User, today: date | None = None, limit: int | None = None) -> Queue:
    """What waits for ``person``: the late first (oldest deadline first), then the rest; the
    first ``limit`` of them (all when None). Each source is read only as far as ``limit`` and
    counted (``steps_waiting_for`` counts the late too): each is in the queue's order
    already, the late first, so its first ``limit`` are the only ones of it that can be
    among the first ``limit``."""
    today = today or timezone.localdate()
    waiting = steps_waiting_for(person, today, limit)
    items = [_step_item(step, today) for step in waiting.steps]
    total, late = waiting.total, waiting.late
    if partner_countries_of(person):
        in_countries = _late_in_countries(person, today)
        items += in_countries
        total, late = total + len(in_countries), late + len(in_countries)
    if is_label_office(person):  # the roles, read once per request
        assign = _to_assign(limit)
        items += assign
        total += len(assign) if limit is None or len(assign) < limit else _assignable().count()
    drafts = _drafts_of(person, limit)
    items += drafts
    total += len(drafts) if limit is None or len(drafts) < limit else _drafts(person).count()
    ordered = sorted(items, key=lambda i: (not i.late, i.deadline or i.since or date.max, i.application.pk))
    return Queue(ordered[:limit], total, late)


def work_queue(person: User, today: date | None = None) -> list[QueueItem]:
    """Everything that waits for ``person``, in the queue's order."""
    return queue_of(person, today).items


def work_queue_panel(request: AuthenticatedHttpRequest) -> dict[str, object]:
    queue = queue_of(request.user, limit=QUEUE_SHOWN)
    return {
        "queue": queue.items,
        "late_count": queue.late,
        "more": queue.total - len(queue.items),
        "may_list_cases": is_label_office(request.user),
        "today": timezone.localdate(),
    }
