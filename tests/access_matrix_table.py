# ruff: noqa: E501  (the table keeps one row a line, aligned in columns)
"""The access matrix: who gets what answer from every page of the portal.

One row per (URL name, object, method). The expected answers are eleven
tokens, one per role, in the order of ``ROLES`` (the header comment above the
table repeats it). A token is a status code, or ``L`` for a redirect to the
login page. Adding a page means adding one line here; a page the URL resolver
knows without a line fails ``tests/test_access_matrix.py``.

The scenario every row is checked against: a Serbian organisation (manager,
contributor) with a Bronze case in assessment (one assessor assigned and
declared free of conflicts, a question pending, evidence uploaded), a Gold
draft with evidence, a label, a waiver, a pending invitation; a German
organisation with its own manager; partners for Serbia and for Germany; the
label office, the committee and a policy reader.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

ROLES = (
    "anonymous",
    "manager",
    "other_manager",
    "contributor",
    "assigned_assessor",
    "unassigned_assessor",
    "partner",
    "other_partner",
    "office",
    "committee",
    "policy",
)

Kwargs = Callable[[SimpleNamespace], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    expected: dict[str, str]
    kwargs: Kwargs

    @property
    def obj(self) -> str:
        return self.kwargs.__name__

    @property
    def key(self) -> str:
        return f"{self.route}[{self.obj}]-{self.method}"


def row(route: str, method: str, expected: str, kwargs: Kwargs) -> Row:
    tokens = expected.split()
    assert len(tokens) == len(ROLES), f"{route} {method}: {len(tokens)} answers for {len(ROLES)} roles"
    return Row(route, method, dict(zip(ROLES, tokens, strict=True)), kwargs)


# --- How each row builds its URL from the scenario -------------------------------------------------


def none(s: SimpleNamespace) -> dict[str, Any]:
    return {}


def org(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug}


def org_deactivate(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "to_state": "inactive"}


def name_approve(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "pk": s.name_change.pk, "decision": "approve"}


def name_refuse(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "pk": s.name_change.pk, "decision": "refuse"}


def name_withdraw(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "pk": s.name_change.pk, "decision": "withdraw"}


def waiver(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "pk": s.waiver.pk}


def contributor_membership(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "pk": s.contributor_membership.pk}


def invitation(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "pk": s.invitation.pk}


def invitation_token(s: SimpleNamespace) -> dict[str, Any]:
    return {"token": s.invitation_token}


def bad_token(s: SimpleNamespace) -> dict[str, Any]:
    return {"token": "not-a-real-token"}


def reset_link(s: SimpleNamespace) -> dict[str, Any]:
    return {"uidb64": "MQ", "token": "set-password"}


def case(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.case.pk}


def draft(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.draft.pk}


def case_section(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.case.pk, "code": "S1"}


def draft_section(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.draft.pk, "code": "S1"}


def case_indicator(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.case.pk, "indicator_pk": s.case_indicator.pk}


def draft_indicator(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.draft.pk, "indicator_pk": s.draft_indicator.pk}


def case_evidence(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.case.pk, "evidence_pk": s.case_evidence.pk}


def draft_evidence(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.draft.pk, "evidence_pk": s.draft_evidence.pk}


def case_clarification(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.case.pk, "clarification_pk": s.clarification.pk}


def case_to_quality(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.case.pk, "to_state": "in_quality_check"}


def assignment(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.assignment.pk}


def questionnaire(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.bronze.pk}


def label(s: SimpleNamespace) -> dict[str, Any]:
    return {"code": s.label.code}


def history_of_case(s: SimpleNamespace) -> dict[str, Any]:
    return {"kind": "application", "pk": s.case.pk}


def history_of_org(s: SimpleNamespace) -> dict[str, Any]:
    return {"kind": "organisation", "pk": s.org.pk}


def history_of_label(s: SimpleNamespace) -> dict[str, Any]:
    return {"kind": "label", "pk": s.label.pk}


def history_of_manager(s: SimpleNamespace) -> dict[str, Any]:
    return {"kind": "person", "pk": s.users["manager"].pk}


def level(s: SimpleNamespace) -> dict[str, Any]:
    return {"level": "bronze"}


def logo(s: SimpleNamespace) -> dict[str, Any]:
    return {"level": "bronze", "extension": "svg"}


def import_job(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.import_job.pk}


def certificate_job(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.certificate_job.pk}


def dashboard_figure(s: SimpleNamespace) -> dict[str, Any]:
    return {"figure": "expiring-30"}


def statistics_figure(s: SimpleNamespace) -> dict[str, Any]:
    return {"figure": "by-country"}


# --- The table ------------------------------------------------------------------------------------
# Columns:  anonymous manager other_manager contributor assigned_assessor unassigned_assessor
#           partner other_partner office committee policy
# fmt: off
TABLE: list[Row] = [
    # route                                   method  an  mgr  omgr ctb  asA  asU  ptn  optn off  cmt  pol   object
    row("home",                                      "GET",  "302 302 302 302 302 302 302 302 302 302 302", none),
    row("healthz",                                   "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("notifications",                             "GET",  "L   200 200 200 200 200 200 200 200 200 200", none),
    row("notifications",                             "POST", "L   405 405 405 405 405 405 405 405 405 405", none),
    row("notifications_read",                        "GET",  "L   405 405 405 405 405 405 405 405 405 405", none),
    row("notifications_read",                        "POST", "L   302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:login",                            "GET",  "200 302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:login",                            "POST", "200 302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:logout",                           "GET",  "405 405 405 405 405 405 405 405 405 405 405", none),
    row("accounts:logout",                           "POST", "302 302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:start",                            "GET",  "L   302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:signup",                           "GET",  "200 302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:signup",                           "POST", "200 302 302 302 302 302 302 302 302 302 302", none),
    row("accounts:signup_sent",                      "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:signup_confirm",                   "GET",  "410 410 410 410 410 410 410 410 410 410 410", bad_token),
    row("accounts:signup_confirm",                   "POST", "410 410 410 410 410 410 410 410 410 410 410", bad_token),
    row("accounts:profile",                          "GET",  "L   200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:profile",                          "POST", "L   200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:password_change",                  "GET",  "L   200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:password_change",                  "POST", "L   200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:password_reset",                   "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:password_reset",                   "POST", "200 200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:password_reset_done",              "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:password_reset_confirm",           "GET",  "200 200 200 200 200 200 200 200 200 200 200", reset_link),
    row("accounts:password_reset_confirm",           "POST", "200 200 200 200 200 200 200 200 200 200 200", reset_link),
    row("accounts:password_reset_complete",          "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("accounts:assessor_start",                   "GET",  "L   403 403 403 200 200 403 403 403 403 403", none),
    row("clusters:manager_start",                    "GET",  "L   200 200 200 403 403 403 403 403 403 403", none),
    row("clusters:partner_start",                    "GET",  "L   403 403 403 403 403 200 200 403 403 403", none),
    row("clusters:organisation_register",            "GET",  "L   200 200 200 200 200 200 200 200 200 200", none),
    row("clusters:organisation_register",            "POST", "L   200 200 200 200 200 200 200 200 200 200", none),
    row("clusters:organisation_list",                "GET",  "L   403 403 403 403 403 200 200 200 403 403", none),
    row("clusters:validation_queue",                 "GET",  "L   403 403 403 403 403 200 200 200 403 403", none),
    row("clusters:organisation_detail",              "GET",  "L   200 404 200 404 404 200 404 200 404 404", org),
    row("clusters:organisation_edit",                "GET",  "L   200 404 403 404 404 403 404 403 404 404", org),
    row("clusters:organisation_edit",                "POST", "L   200 404 403 404 404 403 404 403 404 404", org),
    row("clusters:organisation_move",                "GET",  "L   405 405 405 405 405 405 405 405 405 405", org_deactivate),
    row("clusters:organisation_move",                "POST", "L   403 404 403 404 404 403 404 302 404 404", org_deactivate),
    row("clusters:name_change_ask",                  "GET",  "L   200 404 403 404 404 403 404 403 404 404", org),
    row("clusters:name_change_ask",                  "POST", "L   200 404 403 404 404 403 404 403 404 404", org),
    row("clusters:name_change_decide",               "GET",  "L   405 405 405 405 405 405 405 405 405 405", name_approve),
    row("clusters:name_change_decide",               "POST", "L   403 404 403 404 404 302 404 302 404 404", name_approve),
    row("clusters:name_change_decide",               "POST", "L   403 404 403 404 404 302 404 302 404 404", name_refuse),
    row("clusters:name_change_decide",               "POST", "L   302 404 403 404 404 403 404 403 404 404", name_withdraw),
    row("clusters:waiver_add",                       "GET",  "L   405 405 405 405 405 405 405 405 405 405", org),
    row("clusters:waiver_add",                       "POST", "L   403 404 403 404 404 302 404 302 404 404", org),
    row("clusters:waiver_remove",                    "GET",  "L   405 405 405 405 405 405 405 405 405 405", waiver),
    row("clusters:waiver_remove",                    "POST", "L   403 404 403 404 404 302 404 302 404 404", waiver),
    row("clusters:organisation_people",              "GET",  "L   200 404 200 404 404 200 404 200 404 404", org),
    row("clusters:organisation_people",              "POST", "L   200 404 403 404 404 403 404 403 404 404", org),
    row("clusters:membership_role",                  "GET",  "L   405 405 405 405 405 405 405 405 405 405", contributor_membership),
    row("clusters:membership_role",                  "POST", "L   302 404 403 404 404 403 404 403 404 404", contributor_membership),
    row("clusters:membership_remove",                "GET",  "L   405 405 405 405 405 405 405 405 405 405", contributor_membership),
    row("clusters:membership_remove",                "POST", "L   302 404 302 404 404 403 404 403 404 404", contributor_membership),
    row("clusters:invitation_revoke",                "GET",  "L   405 405 405 405 405 405 405 405 405 405", invitation),
    row("clusters:invitation_revoke",                "POST", "L   302 404 403 404 404 403 404 403 404 404", invitation),
    row("clusters:invitation_accept",                "GET",  "200 200 200 200 200 200 200 200 200 200 200", invitation_token),
    row("clusters:invitation_accept",                "POST", "200 302 302 302 302 302 302 302 302 302 302", invitation_token),
    row("clusters:invitation_accept",                "GET",  "410 410 410 410 410 410 410 410 410 410 410", bad_token),
    row("assessments:application_new",               "GET",  "L   200 404 403 404 404 403 404 403 404 404", org),
    row("assessments:application_new",               "POST", "L   200 404 403 404 404 403 404 403 404 404", org),
    row("assessments:application_detail",            "GET",  "L   200 404 200 200 404 404 404 200 404 404", case),
    row("assessments:application_detail",            "GET",  "L   200 404 200 404 404 404 404 200 404 404", draft),
    row("assessments:application_section",           "GET",  "L   200 404 200 200 404 404 404 200 404 404", case_section),
    row("assessments:application_section",           "GET",  "L   200 404 200 404 404 404 404 200 404 404", draft_section),
    row("assessments:answer_save",                   "GET",  "L   405 405 405 405 405 405 405 405 405 405", case_indicator),
    row("assessments:answer_save",                   "POST", "L   302 404 302 302 404 404 404 302 404 404", case_indicator),
    row("assessments:answer_save",                   "POST", "L   302 404 302 404 404 404 404 403 404 404", draft_indicator),
    row("assessments:evidence_upload",               "GET",  "L   405 405 405 405 405 405 405 405 405 405", case_indicator),
    row("assessments:evidence_upload",               "POST", "L   302 404 302 302 404 404 404 302 404 404", case_indicator),
    row("assessments:evidence_upload",               "POST", "L   302 404 302 404 404 404 404 302 404 404", draft_indicator),
    row("assessments:evidence_download",             "GET",  "L   200 404 200 200 404 404 404 200 404 404", case_evidence),
    row("assessments:evidence_download",             "GET",  "L   200 404 200 404 404 404 404 200 404 404", draft_evidence),
    row("assessments:evidence_delete",               "GET",  "L   405 405 405 405 405 405 405 405 405 405", case_evidence),
    row("assessments:evidence_delete",               "POST", "L   403 404 403 403 404 404 404 403 404 404", case_evidence),
    row("assessments:evidence_delete",               "POST", "L   302 404 302 404 404 404 404 403 404 404", draft_evidence),
    row("assessments:application_submit",            "GET",  "L   200 404 200 404 404 404 404 200 404 404", draft),
    row("assessments:application_submit",            "POST", "L   200 404 200 404 404 404 404 200 404 404", draft),
    row("assessments:application_submit",            "GET",  "L   200 404 200 200 404 404 404 200 404 404", case),
    row("assessments:application_submit",            "POST", "L   403 404 403 403 404 404 404 403 404 404", case),
    row("assessments:application_withdraw",          "GET",  "L   405 405 405 405 405 405 405 405 405 405", case),
    row("assessments:application_withdraw",          "POST", "L   302 404 403 403 404 404 404 403 404 404", case),
    row("assessments:case_scoring",                  "GET",  "L   404 404 404 200 404 404 404 404 404 404", case_section),
    row("assessments:case_scoring",                  "POST", "L   404 404 404 302 404 404 404 404 404 404", case_section),
    row("assessments:own_scores_submit",             "GET",  "L   405 405 405 405 405 405 405 405 405 405", case),
    row("assessments:own_scores_submit",             "POST", "L   403 404 403 302 404 404 404 403 404 404", case),
    row("assessments:clarification_ask",             "GET",  "L   405 405 405 405 405 405 405 405 405 405", case),
    row("assessments:clarification_ask",             "POST", "L   302 404 302 302 404 404 404 302 404 404", case),
    row("assessments:clarification_answer",          "GET",  "L   405 405 405 405 405 405 405 405 405 405", case_clarification),
    row("assessments:clarification_answer",          "POST", "L   302 404 302 302 404 404 404 302 404 404", case_clarification),
    row("assessments:case_complete",                 "GET",  "L   404 404 404 200 404 404 404 404 404 404", case),
    row("assessments:case_complete",                 "POST", "L   404 404 404 200 404 404 404 404 404 404", case),
    row("assessments:case_assign",                   "GET",  "L   403 404 403 403 404 404 404 200 404 404", case),
    row("assessments:case_assign",                   "POST", "L   403 404 403 403 404 404 404 200 404 404", case),
    row("assessments:case_quality",                  "GET",  "L   405 405 405 405 405 405 405 405 405 405", case_to_quality),
    row("assessments:case_quality",                  "POST", "L   403 404 403 403 404 404 404 302 404 404", case_to_quality),
    row("assessments:assignment_declare",            "GET",  "L   404 404 404 200 404 404 404 404 404 404", assignment),
    row("assessments:assignment_declare",            "POST", "L   404 404 404 200 404 404 404 404 404 404", assignment),
    row("assessments:office_cases",                  "GET",  "L   403 403 403 403 403 403 403 200 403 403", none),
    row("assessments:report_download",               "GET",  "L   404 404 404 404 404 404 404 404 404 404", case),
    row("assessments:questionnaire_preview",         "GET",  "L   403 403 403 403 403 403 403 200 403 403", questionnaire),
    row("labels:ob_issuer",                          "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("labels:ob_status",                          "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("labels:ob_achievement",                     "GET",  "200 200 200 200 200 200 200 200 200 200 200", level),
    row("labels:ob_credential",                      "GET",  "200 200 200 200 200 200 200 200 200 200 200", label),
    row("labels:logo",                               "GET",  "200 200 200 200 200 200 200 200 200 200 200", logo),
    row("labels:certificates_regenerate",            "GET",  "L   403 403 403 403 403 403 403 200 403 403", none),
    row("labels:certificates_regenerate",            "POST", "L   403 403 403 403 403 403 403 302 403 403", none),
    row("labels:certificate_job",                    "GET",  "L   403 403 403 403 403 403 403 200 403 403", certificate_job),
    row("labels:label_manage",                       "GET",  "L   403 403 403 403 403 403 403 200 403 403", label),
    row("labels:label_manage",                       "POST", "L   403 403 403 403 403 403 403 405 403 403", label),
    row("labels:label_revoke",                       "POST", "L   403 403 403 403 403 403 403 400 403 403", label),
    row("labels:label_correct",                      "POST", "L   403 403 403 403 403 403 403 400 403 403", label),
    row("labels:label_certificate_language",         "POST", "L   403 403 403 403 403 403 403 400 403 403", label),
    row("labels:certificate_download",               "GET",  "L   202 404 202 404 404 202 404 202 202 404", label),
    row("labels:office_start",                       "GET",  "L   403 403 403 403 403 403 403 200 403 403", none),
    row("labels:committee_start",                    "GET",  "L   403 403 403 403 403 403 403 403 200 403", none),
    row("labels:committee_start",                    "POST", "L   403 403 403 403 403 403 403 403 302 403", none),
    row("labels:policy_start",                       "GET",  "L   403 403 403 403 403 403 403 200 403 200", none),
    row("labels:import_upload",                      "GET",  "L   403 403 403 403 403 403 403 200 403 403", none),
    row("labels:import_upload",                      "POST", "L   403 403 403 403 403 403 403 200 403 403", none),
    row("labels:import_detail",                      "GET",  "L   403 403 403 403 403 403 403 200 403 403", import_job),
    row("labels:import_progress",                    "GET",  "L   403 403 403 403 403 403 403 200 403 403", import_job),
    row("verify_search",                             "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("registry",                                  "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("registry_organisation",                     "GET",  "200 200 200 200 200 200 200 200 200 200 200", org),
    row("verify",                                    "GET",  "200 200 200 200 200 200 200 200 200 200 200", label),
    # The history: the organisation's people, the partner for its country and the office; a person's, the office.
    row("history",                                   "GET",  "L   200 404 200 404 404 200 404 200 404 404", history_of_case),
    row("history",                                   "GET",  "L   200 404 200 404 404 200 404 200 404 404", history_of_org),
    row("history",                                   "GET",  "L   200 404 200 404 404 200 404 200 404 404", history_of_label),
    row("history",                                   "GET",  "L   404 404 404 404 404 404 404 200 404 404", history_of_manager),
    row("api_labels",                                "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("api_label",                                 "GET",  "200 200 200 200 200 200 200 200 200 200 200", label),
    row("api_schema",                                "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("api_docs",                                  "GET",  "200 200 200 200 200 200 200 200 200 200 200", none),
    row("set_language",                              "GET",  "302 302 302 302 302 302 302 302 302 302 302", none),
    row("set_language",                              "POST", "302 302 302 302 302 302 302 302 302 302 302", none),
    row("assessments:questionnaire_translations",    "GET",  "L   403 403 403 403 403 403 403 200 403 403", questionnaire),
    row("assessments:questionnaire_translations",    "POST", "L   403 403 403 403 403 403 403 200 403 403", questionnaire),
    row("benchmarking:detail",                       "GET",  "L   404 404 404 404 404 404 404 404 404 404", case),
    row("benchmarking:pdf",                          "GET",  "L   404 404 404 404 404 404 404 404 404 404", case),
    row("labels:dashboard",                          "GET",  "L   403 403 403 403 403 200 200 200 403 403", none),
    row("labels:dashboard_list",                     "GET",  "L   403 403 403 403 403 200 200 200 403 403", dashboard_figure),
    row("labels:label_detail",                       "GET",  "L   200 404 200 404 404 200 404 200 404 404", label),
    row("statistics:overview",                       "GET",  "L   403 403 403 403 403 200 200 200 403 200", none),
    row("statistics:comparison",                     "GET",  "L   403 403 403 403 403 200 200 200 403 200", none),
    row("statistics:csv",                            "GET",  "L   403 403 403 403 403 200 200 200 403 200", statistics_figure),
]
# fmt: on


def build_scenario() -> SimpleNamespace:
    """Create the scenario's people and objects (the caller holds the database open)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.enums import StaffRole
    from assessments.models import Indicator
    from assessments.services import applications, assessing
    from clusters import names as cluster_names
    from clusters import people as cluster_people
    from clusters import services as cluster_services
    from clusters.enums import EligibilityCriterion, MembershipRole
    from common.enums import Level
    from labels.models import CertificateJob, ImportJob
    from tests.assessments.conftest import ELIGIBLE, make_version
    from tests.assessments.test_applications import upload
    from tests.assessments.test_workflow import submitted
    from tests.factories import (
        AssessorProfileFactory,
        LabelFactory,
        MembershipFactory,
        OrganisationFactory,
        PartnerFactory,
        PartnerStaffFactory,
        RoleGrantFactory,
    )

    s = SimpleNamespace()
    s.bronze = make_version(Level.BRONZE)
    s.gold = make_version(Level.GOLD)
    s.org = OrganisationFactory(name="Matrix Cluster Serbia", country="RS", **ELIGIBLE)
    s.other_org = OrganisationFactory(name="Matrix Cluster Germany", country="DE", **ELIGIBLE)
    manager = MembershipFactory(organisation=s.org)
    s.contributor_membership = MembershipFactory(organisation=s.org, role=MembershipRole.CONTRIBUTOR)
    users = {
        "manager": manager.user,
        "other_manager": MembershipFactory(organisation=s.other_org).user,
        "contributor": s.contributor_membership.user,
        "assigned_assessor": AssessorProfileFactory(certified_levels=["bronze", "silver", "gold"]).user,
        "unassigned_assessor": AssessorProfileFactory(certified_levels=["bronze", "silver", "gold"]).user,
        "partner": PartnerStaffFactory(partner=PartnerFactory(countries=["RS"])).user,
        "other_partner": PartnerStaffFactory(partner=PartnerFactory(countries=["DE"])).user,
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "policy": RoleGrantFactory(role=StaffRole.POLICY_READER).user,
    }
    s.users = users

    s.case = submitted(manager)
    s.case_evidence = s.case.evidence.get()
    s.case_indicator = Indicator.objects.get(version=s.case.version, code="S1.1")
    assessing.assignment_create(application=s.case, assessors=[users["assigned_assessor"]], by=users["office"])
    s.assignment = s.case.assignments.get()
    assessing.assignment_declare(assignment=s.assignment, by=users["assigned_assessor"], no_conflict=True)
    s.clarification = assessing.clarification_ask(
        application=s.case,
        by=users["assigned_assessor"],
        question="Which events?",
        due_on=timezone.localdate() + timedelta(days=14),
    )

    s.draft = applications.application_start(organisation=s.org, level=Level.GOLD, by=manager.user)
    s.draft_indicator = Indicator.objects.get(version=s.draft.version, code="S1.1")
    s.draft_evidence = upload(s.draft, manager.user)

    s.label = LabelFactory(organisation=s.org)
    LabelFactory(organisation=s.other_org)
    s.waiver = cluster_services.waiver_grant(
        organisation=s.org, criterion=EligibilityCriterion.ECCP, reason="Programme", by=users["office"]
    )
    s.invitation = cluster_people.invitation_send(
        organisation=s.org, email="newcomer@example.test", role=MembershipRole.CONTRIBUTOR, by=manager.user
    )
    s.invitation_token = cluster_people.invitation_token(s.invitation)
    s.name_change = cluster_names.name_change_request(
        organisation=s.org, new_name="Matrix Cluster Serbia Association", reason="A merger", by=manager.user
    )
    job = ImportJob(uploaded_by=users["office"])
    job.file.save("matrix.csv", ContentFile(b"organisation,country\n"), save=False)
    job.save()
    s.import_job = job
    s.certificate_job = CertificateJob.objects.create(created_by=users["office"])
    return s


PORTAL_APPS = ("common", "accounts", "clusters", "assessments", "labels")


def fingerprint() -> dict[str, object]:
    """Row counts of every portal model and the states that matter: a refusal changes none of them."""
    from django.apps import apps

    from assessments.models import Application
    from clusters.models import ClusterOrganisation, Invitation, Membership, NameChangeRequest

    counts: dict[str, object] = {
        model._meta.label: model._default_manager.count()
        for app in PORTAL_APPS
        for model in apps.get_app_config(app).get_models()
    }
    counts["application states"] = sorted(Application.objects.values_list("pk", "state"))
    counts["organisation states"] = sorted(ClusterOrganisation.objects.values_list("pk", "state"))
    counts["invitation states"] = sorted(Invitation.objects.values_list("pk", "state"))
    counts["name change states"] = sorted(NameChangeRequest.objects.values_list("pk", "state"))
    counts["organisation names"] = sorted(ClusterOrganisation.objects.values_list("pk", "name"))
    counts["memberships"] = sorted(Membership.objects.values_list("pk", "role", "left_at"))
    return counts


@pytest.fixture(scope="module", name="scenario")
def scenario_fixture(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[SimpleNamespace]:
    """The scenario, created once inside a transaction that is rolled back at the end of the module."""
    media = tempfile.TemporaryDirectory()
    overrides = override_settings(
        MEDIA_ROOT=media.name, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    overrides.enable()
    django_db_blocker.unblock()
    outer = transaction.atomic()
    outer.__enter__()
    try:
        from tests.factories import UserFactory

        built = build_scenario()
        built.users["superuser"] = UserFactory(is_staff=True, is_superuser=True, password=make_password("x"))
        django_db_blocker.restore()
        yield built
    finally:
        django_db_blocker.unblock()
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        django_db_blocker.restore()
        overrides.disable()
        media.cleanup()
