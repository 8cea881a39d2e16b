"""The pages each role opens most, for the load run (issue #21): who they are and what they send.

``bench.load`` seeds 2,000 applications with their managers; this module adds
what the other roles need to have a day's work on those volumes (experts
assigned to cases in assessment) and builds the requests of the pages people
use most: every role's start page, the section page, the scoring save, and
the registry with and without filters, followed page by page through its own
"next" links as a visitor would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:  # imported where used: Django is set up first
    from bench.load import Request

# Each expert holds one case to score under load and a few more, so his start
# page lists several; the query count compares an expert with one case to one
# with ASSIGNMENTS_PER_EXPERT.
ASSIGNMENTS_PER_EXPERT = 6
REGISTRY_PAGES = 20
REGISTRY_FILTERS = ({"country": "DE"}, {"level": "gold"}, {"q": "cluster 1"}, {"country": "RS", "level": "bronze"})
NEXT_LINK = re.compile(r"<a\b[^>]*\brel=\"next\"[^>]*>|<link\b[^>]*\brel=\"next\"[^>]*>")
HREF = re.compile(r"\bhref=\"([^\"]+)\"")


@dataclass
class Expert:
    """An expert with an accepted assignment to a case in assessment: the section he scores."""

    user_id: int
    application_id: int
    section_code: str
    indicators: list[int] = field(default_factory=list)


def seed_experts(count: int) -> list[Expert]:
    """``count`` experts, each assigned (declared free of conflicts) to ASSIGNMENTS_PER_EXPERT
    cases in assessment of the load's applications; the first case is the one he scores.
    The last expert holds one case only: the small size of the start page's query count."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import AssessorProfile, User
    from assessments.enums import AssignmentState
    from assessments.models import Application, Assignment, Indicator, Section

    cases = list(
        Application.objects.filter(state="in_assessment", created_by__email__endswith="@bench-load.test")
        .order_by("pk")
        .values_list("pk", "version_id")[: count * ASSIGNMENTS_PER_EXPERT]
    )
    assert len(cases) >= count * ASSIGNMENTS_PER_EXPERT, f"only {len(cases)} cases in assessment"
    now = timezone.now()
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"expert{n}@bench-load.test", full_name=f"Bench expert {n}", password=password)
            for n in range(count)
        ]
    )
    AssessorProfile.objects.bulk_create(
        [AssessorProfile(user=user, home_country="DE", languages=["en"], certified_levels=["bronze"]) for user in users]
    )
    assignments = []
    for n, user in enumerate(users):
        held = 1 if n == count - 1 else ASSIGNMENTS_PER_EXPERT
        for pk, _version in cases[n * ASSIGNMENTS_PER_EXPERT : n * ASSIGNMENTS_PER_EXPERT + held]:
            assignments.append(
                Assignment(
                    application_id=pk, assessor=user, state=AssignmentState.ACCEPTED, assigned_at=now, declared_at=now
                )
            )
    Assignment.objects.bulk_create(assignments)
    version_id = cases[0][1]
    section = (
        Section.objects.filter(version_id=version_id, indicators__isnull=False).order_by("position").distinct().first()
    )
    assert section is not None
    indicators = list(Indicator.objects.filter(section=section).order_by("position").values_list("pk", flat=True))
    return [
        Expert(
            user_id=user.pk,
            application_id=cases[n * ASSIGNMENTS_PER_EXPERT][0],
            section_code=section.code,
            indicators=indicators,
        )
        for n, user in enumerate(users)
    ]


def scoring_body(expert: Expert, i: int, csrf: str | None = None) -> dict[str, str]:
    """A section's verdicts as the scoring page posts them, changing with ``i``."""
    body = {}
    for n, pk in enumerate(expert.indicators):
        body[f"met-{pk}"] = "yes" if (n + i) % 3 else "no"
        body[f"comment-{pk}"] = f"Seen in the evidence, round {i}."
        body[f"recommendation-{pk}"] = ""
    if csrf is not None:
        body["csrfmiddlewaretoken"] = csrf
    return body


def scoring_save(expert: Expert, cookie: str, csrf: str) -> Callable[[int], Request]:
    """What the scoring page posts when the expert saves a section: a redirect back to it."""
    from bench.load import Request

    def make(i: int) -> Request:
        return Request(
            "POST",
            f"/assessments/a/{expert.application_id}/score/{expert.section_code}/",
            {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            urlencode(scoring_body(expert, i, csrf)),
            statuses=(302,),
        )

    return make


def section_codes(application_id: int) -> list[str]:
    """The sections of an application's questionnaire, as its manager opens them one after another
    (every load application is Bronze, on the same questionnaire)."""
    from assessments.models import Application, Section

    version_id = Application.objects.values_list("version_id", flat=True).get(pk=application_id)
    return list(Section.objects.filter(version_id=version_id).order_by("position").values_list("code", flat=True))


def registry_paths(query: dict[str, str] | None = None, pages: int = REGISTRY_PAGES) -> list[str]:
    """The registry's first ``pages`` pages for a query, followed through each page's
    ``rel="next"`` link as a visitor (or a crawler) would, fetched in process."""
    from django.test import Client, override_settings

    client = Client()
    path = "/registry/" + (f"?{urlencode(query)}" if query else "")
    paths: list[str] = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        while path and len(paths) < pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            paths.append(path)
            path = _next_link(response.content.decode(), path)
    return paths


def _next_link(html: str, current: str) -> str:
    """The page's ``rel="next"`` target, as an absolute path ('' on the last page)."""
    for tag in NEXT_LINK.findall(html):
        href = HREF.search(tag)
        if href:
            target = unescape(href.group(1))
            if target.startswith("?"):
                target = current.split("?", 1)[0] + target
            return target
    return ""


def start_page_paths() -> dict[str, str]:
    """Every role's start page; a policy reader's is the statistics overview (measured as such)."""
    return {
        "manager": "/clusters/my/",
        "expert": "/accounts/assessor/",
        "partner": "/clusters/partner/",
        "office": "/labels/office/",
        "committee": "/labels/committee/",
    }


def peak_memory_mb(pid: int) -> dict[str, Any]:
    """The peak resident memory (VmHWM) of a process and of each of its children, in MB."""
    from pathlib import Path

    def hwm(p: int) -> float | None:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None

    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
    child_peaks = [peak for c in children if (peak := hwm(c)) is not None]
    return {"main_mb": hwm(pid), "children_mb": child_peaks, "max_mb": max([*child_peaks, hwm(pid) or 0.0])}
