"""Every state change goes through the one door (``common.workflow.transition``).

Three proofs, each failing on its own kind of bypass:
- every model with a state field is either a registered workflow, or a
  machine's own progress (a job, a reminder) written only by its runner;
- no code of the portal writes a state any other way: no ``obj.state = ...``,
  no ``.update(state=...)``, outside the door and those runners (read from the
  source, so a path no test drives is caught too);
- at run time the guard refuses a save that changes a registered state outside
  the door, so every other test of the suite would fail on a bypass it drives.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from assessments.enums import ApplicationState
from assessments.models import Application
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from common.enums import Level
from common.workflow import StateChangedOutsideDoor, workflows
from tests.assessments.conftest import make_version
from tests.factories import OrganisationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "assessments", "billing", "clusters", "common", "labels", "privacy"]
STATE_FIELDS = {"state", "status"}

# Not workflows: the progress of a machine's own work, which no person moves.
# Each is written only by the module that runs it.
MACHINE_STATES: dict[str, set[str]] = {
    # A label import's run: queued, running, done or failed, set by the task that runs it.
    "labels.ImportJob": {"labels/imports/jobs.py"},
    # A bulk certificate rendering's run, likewise.
    "labels.CertificateJob": {"labels/certificates/jobs.py"},
    # Whether a reminder went out: the sending ledger that makes reminders exactly-once.
    "labels.LabelReminder": {"labels/reminders.py"},
}


def _models_with_a_state() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        if any(isinstance(f, models.Field) and f.name in STATE_FIELDS for f in model._meta.get_fields()):
            found.add(model._meta.label)
    return found


def test_every_model_with_a_state_goes_through_the_door_or_is_a_machine() -> None:
    registered = {model._meta.label for model in workflows()}

    assert _models_with_a_state() == registered | set(MACHINE_STATES)
    assert registered == {
        "clusters.ClusterOrganisation",
        "clusters.Invitation",
        "clusters.NameChangeRequest",
        "assessments.Application",
        "assessments.Assignment",
        "assessments.QuestionnaireVersion",
        "labels.Meeting",
        "labels.AgendaItem",
        "billing.Invoice",
    }
    assert not registered & set(MACHINE_STATES)


def _state_writes(tree: ast.AST) -> list[int]:
    """Lines that write a state: ``x.state = ...`` (also in a tuple), ``setattr(x, "state", ...)``,
    ``.update(state=...)`` and ``bulk_update(..., ["state"])``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(e, ast.Attribute) and e.attr in STATE_FIELDS for e in elements):
                    lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name == "update" and any(k.arg in STATE_FIELDS for k in node.keywords):
                lines.append(node.lineno)
            if name == "setattr" and len(node.args) > 1:
                field = node.args[1]
                if isinstance(field, ast.Constant) and field.value in STATE_FIELDS:
                    lines.append(node.lineno)
            if name == "bulk_update" and any(
                isinstance(c, ast.Constant) and c.value in STATE_FIELDS for arg in node.args for c in ast.walk(arg)
            ):
                lines.append(node.lineno)
    return lines


def _portal_sources() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and "tests" not in path.parts
    ]


def test_no_code_writes_a_state_outside_the_door_or_its_runner() -> None:
    allowed = {"common/workflow.py"} | set().union(*MACHINE_STATES.values())
    outside = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in _portal_sources()
        if str(path.relative_to(ROOT)) not in allowed
        for line in _state_writes(ast.parse(path.read_text(), str(path)))
    }

    assert outside == set()


def test_the_source_check_sees_each_kind_of_write() -> None:
    """The check above is worth what it catches: each way of writing a state is seen."""
    source = """
a.state = "x"
a.state, a.note = "x", ""
b.status = "y"
Model.objects.filter(pk=1).update(state="z")
setattr(a, "state", "x")
Model.objects.bulk_update(rows, ["state"])
a.states = 1
Model.objects.update(other="state")
"""
    assert _state_writes(ast.parse(source)) == [2, 3, 4, 5, 6, 7]


@pytest.mark.django_db
def test_the_guard_refuses_a_state_saved_outside_the_door() -> None:
    organisation = OrganisationFactory(state=OrganisationState.PENDING)
    loaded = ClusterOrganisation.objects.get(pk=organisation.pk)
    loaded.state = OrganisationState.ACTIVE

    with pytest.raises(StateChangedOutsideDoor):
        loaded.save()
    with pytest.raises(StateChangedOutsideDoor):
        loaded.save(update_fields=["state"])

    assert ClusterOrganisation.objects.get(pk=organisation.pk).state == OrganisationState.PENDING


@pytest.mark.django_db
def test_the_guard_lets_other_fields_and_new_rows_through() -> None:
    created = Application.objects.create(
        organisation=OrganisationFactory(),
        level=Level.BRONZE,
        version=make_version(Level.BRONZE),
        created_by=UserFactory(),
    )
    application = Application.objects.get(pk=created.pk)
    application.assessed_on = None
    application.save(update_fields=["assessed_on"])  # not the state: allowed

    application.state = ApplicationState.SUBMITTED
    application.save(update_fields=["assessed_on"])  # the state is not written: allowed, and not stored
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT

    born = OrganisationFactory(state=OrganisationState.ACTIVE)  # a birth is recorded by its service, not a move
    assert born.state == OrganisationState.ACTIVE


# --- Templates ask the rules, they do not compare states -------------------------------------------

# A comparison of a state in a template, e.g. ``{% if application.state == 'draft' %}``.
TEMPLATE_STATE_TEST = re.compile(r"\{%\s*(?:el)?if\b[^%]*\b\w+\.(?:state|status)(?:\.value)?\s*(?:==|!=|\bin\b)")

# Where a template may still compare a state: to choose words or colours for
# what it shows, never to decide what it offers (actions ask ``{% has_perm %}``,
# ``{% may_move %}`` or a rule that joins role and state, in */rules.py).
DISPLAY_ONLY_STATE_TESTS = {
    "templates/labels/dashboard_list.html": "a closed renewal window shown greyed",
    "templates/labels/_import_progress.html": "an import's progress message",
    "templates/clusters/_eligibility.html": "a criterion met or waived, in words",
    "templates/clusters/_name_change.html": "the card's colour and heading for a pending or refused request",
    "templates/clusters/name_change_ask.html": "a note that a request is already waiting",
    "templates/clusters/manager_start.html": "the profile's badge colour and its explanation",
    "templates/clusters/organisation_detail.html": "the profile's badge colour and refusal note",
    "templates/clusters/email/name_change_decided.html": "the mail's wording per decision",
    "templates/assessments/questionnaire_preview.html": "the version's badge colour",
    "templates/assessments/application_detail.html": "the case's badge colour",
    "templates/assessments/application_section.html": "why read-only answers are read-only (submitted)",
    "templates/labels/meeting_list.html": "minutes exist once a meeting is closed (the download asks its permission)",
    "templates/labels/minutes_pdf.html": "the minutes print a decided item's outcome, others as not decided",
}


def _templates_comparing_states() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        count = len(TEMPLATE_STATE_TEST.findall(path.read_text()))
        if count:
            found[str(path.relative_to(ROOT))] = count
    return found


def test_templates_offer_actions_by_asking_the_rules_not_by_comparing_states() -> None:
    comparing = _templates_comparing_states()
    unexplained = sorted(set(comparing) - set(DISPLAY_ONLY_STATE_TESTS))
    assert not unexplained, f"templates deciding by a state string (ask has_perm / may_move instead): {unexplained}"
    stale = sorted(set(DISPLAY_ONLY_STATE_TESTS) - set(comparing))
    assert not stale, f"listed as comparing states for display but no longer do: {stale}"


def test_the_template_check_sees_each_kind_of_comparison() -> None:
    for snippet in (
        "{% if application.state == 'draft' %}",
        '{% elif a.state != "pending" %}',
        "{% if label.state.value == 'valid' %}",
        "{% if version.status in states %}",
    ):
        assert TEMPLATE_STATE_TEST.search(snippet), snippet
    assert not TEMPLATE_STATE_TEST.search("{{ application.get_state_display }}")
