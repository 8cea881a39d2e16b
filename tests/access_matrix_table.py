# ruff: noqa: E501  (the table keeps one row a line, aligned in columns)
"""The access matrix: who gets what answer from every page of the portal.

One row per (URL name, object, method). The expected answers are eleven
tokens, one per role, in the order of ``ROLES`` (the header comment above the
table repeats it). A token is a status code, or ``L`` for a redirect to the
login page; a code followed by ``=`` is an answer after which nothing at all is
written (a state that does not allow the action, a page that only reads, a
signed-in person sent on from a page for newcomers). Adding a page means adding
one line here; a page the URL resolver knows without a line fails
``tests/test_access_matrix.py``.

Every POST row names its valid ``body`` (``tests/bodies.py``: what the
success-path tests post, or ``no_input``) and its ``effect``
(``tests/effects.py``: what the action changes, read from the database); some
name a ``prepare`` (``tests/effects.py``) that brings the scenario to the state
the action needs. An allowed cell must change the effect; a refused cell (L,
403, 404, 405, 410, or a code with ``=``) must change neither the effect nor
anything else (``fingerprint``).

The tokens are written by hand from the scheme's roles (the block above the
table), not recorded from the code.

The scenario every row is checked against: a Serbian organisation (manager,
contributor, who also manages a Croatian organisation) with a Bronze case in
assessment (one assessor assigned and declared free of conflicts, a question
pending, evidence uploaded), a Gold draft with evidence, a label, a waiver, a pending invitation; a German
organisation with its own manager, its own label and a submitted Bronze case
whose expert (the Serbian case's assessor) has not yet declared; a Gold case
of the Croatian organisation in assessment with two experts (the Serbian
case's assessor and a Croatian one); partners for
Serbia and for Germany; the label office, the committee and a policy reader.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from tests import bodies as b
from tests import effects as e

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


Body = Callable[[SimpleNamespace], dict[str, Any]]
Effect = Callable[[SimpleNamespace], Any]
Prepare = Callable[[SimpleNamespace], None]


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    expected: dict[str, str]
    kwargs: Kwargs
    body: Body | None = None
    effect: Effect | None = None
    prepare: Prepare | None = None

    @property
    def obj(self) -> str:
        return self.kwargs.__name__

    @property
    def key(self) -> str:
        return f"{self.route}[{self.obj}]-{self.method}"


def row(
    route: str,
    method: str,
    expected: str,
    kwargs: Kwargs,
    body: Body | None = None,
    effect: Effect | None = None,
    prepare: Prepare | None = None,
) -> Row:
    tokens = expected.split()
    assert len(tokens) == len(ROLES), f"{route} {method}: {len(tokens)} answers for {len(ROLES)} roles"
    return Row(route, method, dict(zip(ROLES, tokens, strict=True)), kwargs, body, effect, prepare)


# --- How each row builds its URL from the scenario -------------------------------------------------


def none(s: SimpleNamespace) -> dict[str, Any]:
    return {}


def meeting(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.meeting.pk}


def closed_meeting(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.closed_meeting.pk}


def agenda_item(s: SimpleNamespace) -> dict[str, Any]:
    """The scenario's case on the agenda of the meeting in session (``effects.case_on_agenda_in_session``)."""
    from labels.models import AgendaItem

    return {"pk": AgendaItem.objects.get(application=s.case, meeting__state="open").pk}


def org(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug}


def org_deactivate(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.org.slug, "to_state": "inactive"}


def org_validate(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.pending_org.slug, "to_state": "active"}


def org_send_back(s: SimpleNamespace) -> dict[str, Any]:
    return {"slug": s.pending_org.slug, "to_state": "draft"}


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


def pending_assignment(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.pending_assignment.pk}


def standing_declaration(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.standing_declaration.pk}


def other_case(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.other_case.pk}


def gold_case(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.gold_case.pk}


def silver_draft(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.silver_draft.pk}


def silver_case(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.silver_case.pk}


def questionnaire(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.bronze.pk}


def invoice(s: SimpleNamespace) -> dict[str, Any]:
    return {"pk": s.invoice.pk}


def label(s: SimpleNamespace) -> dict[str, Any]:
    return {"code": s.label.code}


def export_token(s: SimpleNamespace) -> dict[str, Any]:
    """The manager's own copy of his data, ready and not yet downloaded."""
    return {"token": s.export.token}


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


# --- Who may do what, in the scheme's words (../shared/DOMAIN.md, "Who is who") -------------------
#
# anonymous      the public: verification, the registry, the Open Badges files, the API, logos; to log
#                in, sign up, reset a password, follow an invitation link (and create the account it is
#                for). Everything else sends them to the login page (L).
# manager        works for the Serbian organisation (and manages a second one awaiting validation, which he
#                may not validate himself): edits its profile (not its name once labelled),
#                invites people, changes their roles, removes them, withdraws an invitation; starts an
#                application, answers and uploads evidence while it is a draft, submits it, withdraws it
#                before the decision, answers the assessor's questions; downloads its label's certificate.
#                Cannot waive a criterion, deactivate the organisation, assess or decide (403 where he
#                sees the object, 404 where he does not: the assessor's scoring pages are hidden).
# other_manager  the same for the German organisation; nothing of the Serbian one is shown to him (404).
#                He cannot assign an expert to his own case (403).
# contributor    a member of the Serbian organisation: sees it, answers and uploads evidence in the draft,
#                answers the assessor's questions, may leave. Does not submit, withdraw, edit the
#                profile or manage people (403), though he manages another (Croatian) organisation.
# assigned_assessor  declared free of conflicts on the Serbian case: sees it (not the Gold draft, not the
#                organisation's page), scores it, asks questions, completes the report. Declares on an
#                assignment of his own; on the Croatian Gold case, one of two experts, he hands in his
#                own scores. Does not answer for the organisation nor check quality (403).
# unassigned_assessor  sees no case (404).
# partner        national partner for Serbia: sees the Serbian organisation, validates it, waives and
#                withdraws eligibility criteria for it; reads the dashboards and statistics, and the
#                pipeline of its countries' applications in progress (states and dates). Sees no
#                application (404) and may not edit the profile, manage people or deactivate (403).
# other_partner  partner for Germany: the Serbian organisation is hidden from it (404).
# office         the label office: sees every organisation and case; deactivates an organisation, waives
#                criteria, assigns experts, checks quality (passes a case to the committee or returns it),
#                revokes labels and reinstates a revoked one, corrects them and chooses their certificate's
#                language, regenerates certificates, imports legacy labels, reads the statistics. Does not edit an
#                organisation's profile, manage its people, fill, submit or withdraw its application, nor
#                score, ask or answer questions (403).
# committee      reads the cases awaiting a decision on its start page and the board's meetings; present
#                at a meeting in session, proposes a case's outcome as rapporteur, or approves (or sends
#                back) another member's proposal; downloads the minutes; sees a case only once it is before
#                the committee (404 before), and a label's certificate. The office schedules, opens and
#                closes the meetings and reads them and their minutes, but holds no vote.
# policy         reads the statistics; nothing else of anyone's (403/404).
#
# Everyone signed in may register a new organisation (becoming its manager), edit their own profile and
# password, read their notifications, choose the language (saved on their profile) and log out.
#
# Columns:  anonymous manager other_manager contributor assigned_assessor unassigned_assessor
#           partner other_partner office committee policy
# fmt: off
TABLE: list[Row] = [
    # route                                   method  an   mgr  omgr ctb  asA  asU  ptn  optn off  cmt  pol   object
    # The front door is for visitors; a signed-in person is sent on to their start page.
    row("home",                                      "GET",  "200  302  302  302  302  302  302  302  302  302  302", none),
    row("healthz",                                   "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("notifications",                             "GET",  "L    200  200  200  200  200  200  200  200  200  200", none),
    row("notifications",                             "POST", "L    405  405  405  405  405  405  405  405  405  405", none, b.no_input, e.unread_notifications, e.everyone_has_unread_news),
    row("notifications_read",                        "GET",  "L    405  405  405  405  405  405  405  405  405  405", none),
    row("notifications_read",                        "POST", "L    302  302  302  302  302  302  302  302  302  302", none, b.no_input, e.unread_notifications, e.everyone_has_unread_news),
    row("accounts:login",                            "GET",  "200  302  302  302  302  302  302  302  302  302  302", none),
    row("accounts:login",                            "POST", "302  302= 302= 302= 302= 302= 302= 302= 302= 302= 302=", none, b.login, e.last_logins),
    row("accounts:logout",                           "GET",  "405  405  405  405  405  405  405  405  405  405  405", none),
    row("accounts:logout",                           "POST", "302= 302  302  302  302  302  302  302  302  302  302", none, b.no_input, e.sessions),
    row("accounts:start",                            "GET",  "L    302  302  302  302  302  302  302  302  302  302", none),
    row("accounts:signup",                           "GET",  "200  302  302  302  302  302  302  302  302  302  302", none),
    row("accounts:signup",                           "POST", "302  302= 302= 302= 302= 302= 302= 302= 302= 302= 302=", none, b.signup, e.users),
    row("accounts:signup_sent",                      "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("accounts:signup_confirm",                   "GET",  "410  410  410  410  410  410  410  410  410  410  410", bad_token),
    row("accounts:signup_confirm",                   "POST", "410  410  410  410  410  410  410  410  410  410  410", bad_token, b.set_password, e.confirmed_users),
    row("accounts:profile",                          "GET",  "L    200  200  200  200  200  200  200  200  200  200", none),
    row("accounts:profile",                          "POST", "L    302  302  302  302  302  302  302  302  302  302", none, b.profile, e.profiles),
    row("accounts:password_change",                  "GET",  "L    200  200  200  200  200  200  200  200  200  200", none),
    row("accounts:password_change",                  "POST", "L    302  302  302  302  302  302  302  302  302  302", none, b.password_change, e.passwords),
    row("accounts:password_reset",                   "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("accounts:password_reset",                   "POST", "302  302  302  302  302  302  302  302  302  302  302", none, b.password_reset, e.mails_sent),
    row("accounts:password_reset_done",              "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("accounts:password_reset_confirm",           "GET",  "200  200  200  200  200  200  200  200  200  200  200", reset_link),
    row("accounts:password_reset_confirm",           "POST", "200= 200= 200= 200= 200= 200= 200= 200= 200= 200= 200=", reset_link, b.set_password, e.passwords),
    row("accounts:password_reset_complete",          "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("accounts:assessor_start",                   "GET",  "L    403  403  403  200  200  403  403  403  403  403", none),
    row("clusters:manager_start",                    "GET",  "L    200  200  200  403  403  403  403  403  403  403", none),
    row("clusters:partner_start",                    "GET",  "L    403  403  403  403  403  200  200  403  403  403", none),
    row("clusters:organisation_register",            "GET",  "L    200  200  200  200  200  200  200  200  200  200", none),
    row("clusters:organisation_register",            "POST", "L    302  302  302  302  302  302  302  302  302  302", none, b.organisation_register, e.organisations),
    row("clusters:organisation_list",                "GET",  "L    403  403  403  403  403  200  200  200  403  403", none),
    row("clusters:validation_queue",                 "GET",  "L    403  403  403  403  403  200  200  200  403  403", none),
    row("clusters:organisation_detail",              "GET",  "L    200  404  200  404  404  200  404  200  404  404", org),
    row("clusters:organisation_edit",                "GET",  "L    200  404  403  404  404  403  404  403  404  404", org),
    row("clusters:organisation_edit",                "POST", "L    302  404  403  404  404  403  404  403  404  404", org, b.organisation_edit, e.organisation_profile),
    row("clusters:organisation_move",                "GET",  "L    405  405  405  405  405  405  405  405  405  405", org_deactivate),
    row("clusters:organisation_move",                "POST", "L    403  404  403  404  404  403  404  302  404  404", org_deactivate, b.reason, e.organisation_state),
    # The manager's second organisation awaits validation: its partner or the office validates it or sends it
    # back with a reason; its own manager sees it but may not validate it (403); to everyone else it is hidden.
    row("clusters:organisation_move",                "POST", "L    403  404  404  404  404  302  404  302  404  404", org_validate, b.no_input, e.pending_organisation_state),
    row("clusters:organisation_move",                "POST", "L    403  404  404  404  404  302  404  302  404  404", org_send_back, b.reason, e.pending_organisation_state),
    row("clusters:waiver_add",                       "GET",  "L    405  405  405  405  405  405  405  405  405  405", org),
    row("clusters:waiver_add",                       "POST", "L    403  404  403  404  404  302  404  302  404  404", org, b.waiver_add, e.active_waivers),
    row("clusters:waiver_remove",                    "GET",  "L    405  405  405  405  405  405  405  405  405  405", waiver),
    row("clusters:waiver_remove",                    "POST", "L    403  404  403  404  404  302  404  302  404  404", waiver, b.reason, e.waiver_withdrawn_at),
    row("clusters:organisation_people",              "GET",  "L    200  404  200  404  404  200  404  200  404  404", org),
    row("clusters:organisation_people",              "POST", "L    302  404  403  404  404  403  404  403  404  404", org, b.invitation_send, e.invitations),
    row("clusters:membership_role",                  "GET",  "L    405  405  405  405  405  405  405  405  405  405", contributor_membership),
    row("clusters:membership_role",                  "POST", "L    302  404  403  404  404  403  404  403  404  404", contributor_membership, b.membership_role, e.contributor_membership),
    row("clusters:membership_remove",                "GET",  "L    405  405  405  405  405  405  405  405  405  405", contributor_membership),
    # The contributor may leave: the membership is his own.
    row("clusters:membership_remove",                "POST", "L    302  404  302  404  404  403  404  403  404  404", contributor_membership, b.no_input, e.contributor_membership),
    row("clusters:invitation_revoke",                "GET",  "L    405  405  405  405  405  405  405  405  405  405", invitation),
    row("clusters:invitation_revoke",                "POST", "L    302  404  403  404  404  403  404  403  404  404", invitation, b.no_input, e.invitation_state),
    row("clusters:invitation_accept",                "GET",  "200  200  200  200  200  200  200  200  200  200  200", invitation_token),
    # The invitation is for a newcomer's address: whoever is signed in with another one is refused.
    row("clusters:invitation_accept",                "POST", "302  403  403  403  403  403  403  403  403  403  403", invitation_token, b.invitation_accept, e.invitation_state),
    row("clusters:invitation_accept",                "GET",  "410  410  410  410  410  410  410  410  410  410  410", bad_token),
    row("clusters:name_change_ask",                  "GET",  "L    200  404  403  404  404  403  404  403  404  404", org),
    row("clusters:name_change_ask",                  "POST", "L    302  404  403  404  404  403  404  403  404  404", org, b.name_change, e.name_changes, e.name_change_withdrawn),
    row("clusters:name_change_decide",               "GET",  "L    405  405  405  405  405  405  405  405  405  405", name_approve),
    row("clusters:name_change_decide",               "POST", "L    403  404  403  404  404  302  404  302  404  404", name_approve, b.no_input, e.organisation_name),
    row("clusters:name_change_decide",               "POST", "L    403  404  403  404  404  302  404  302  404  404", name_refuse, b.reason, e.name_change_state),
    row("clusters:name_change_decide",               "POST", "L    302  404  403  404  404  403  404  403  404  404", name_withdraw, b.no_input, e.name_change_state),
    row("assessments:application_new",               "GET",  "L    200  404  403  404  404  403  404  403  404  404", org),
    row("assessments:application_new",               "POST", "L    302  404  403  404  404  403  404  403  404  404", org, b.level, e.applications, e.gold_draft_withdrawn),
    row("assessments:application_detail",            "GET",  "L    200  404  200  200  404  404  404  200  404  404", case),
    row("assessments:application_detail",            "GET",  "L    200  404  200  404  404  404  404  200  404  404", draft),
    row("assessments:application_section",           "GET",  "L    200  404  200  200  404  404  404  200  404  404", case_section),
    row("assessments:application_section",           "GET",  "L    200  404  200  404  404  404  404  200  404  404", draft_section),
    row("assessments:answer_save",                   "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_indicator),
    # A submitted case: its members are told it can no longer change; anyone else is refused.
    row("assessments:answer_save",                   "POST", "L    302= 404  302= 403  404  404  404  403  404  404", case_indicator, b.case_answer, e.case_answer),
    row("assessments:answer_save",                   "POST", "L    302  404  302  404  404  404  404  403  404  404", draft_indicator, b.draft_answer, e.draft_answer),
    row("assessments:evidence_upload",               "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_indicator),
    row("assessments:evidence_upload",               "POST", "L    302= 404  302= 403  404  404  404  403  404  404", case_indicator, b.evidence, e.case_evidence),
    row("assessments:evidence_upload",               "POST", "L    302  404  302  404  404  404  404  403  404  404", draft_indicator, b.evidence, e.draft_evidence),
    row("assessments:evidence_download",             "GET",  "L    200  404  200  200  404  404  404  200  404  404", case_evidence),
    row("assessments:evidence_download",             "GET",  "L    200  404  200  404  404  404  404  200  404  404", draft_evidence),
    row("assessments:evidence_delete",               "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_evidence),
    row("assessments:evidence_delete",               "POST", "L    403  404  403  403  404  404  404  403  404  404", case_evidence, b.no_input, e.case_evidence),
    row("assessments:evidence_delete",               "POST", "L    302  404  302  404  404  404  404  403  404  404", draft_evidence, b.no_input, e.draft_evidence),
    row("assessments:application_submit",            "GET",  "L    200  404  200  404  404  404  404  200  404  404", draft),
    row("assessments:application_submit",            "POST", "L    302  404  403  404  404  404  404  403  404  404", draft, b.no_input, e.draft_state, e.draft_complete),
    row("assessments:application_submit",            "GET",  "L    200  404  200  200  404  404  404  200  404  404", case),
    row("assessments:application_submit",            "POST", "L    403  404  403  403  404  404  404  403  404  404", case, b.no_input, e.case_state),
    row("assessments:improvement_areas",             "GET",  "L    200  404  200  404  404  404  404  200  404  404", silver_draft),
    # The manager chooses the Silver draft's areas; the contributor and the office see them, no more.
    row("assessments:improvement_areas",             "POST", "L    302  404  403  404  404  404  404  403  404  404", silver_draft, b.improvement_areas, e.silver_areas),
    # The auditor's page is hidden like the scoring pages (the contributor manages the Croatian organisation).
    row("assessments:improvement_areas_validate",    "GET",  "L    404  404  404  200  404  404  404  404  404  404", silver_case),
    row("assessments:improvement_areas_validate",    "POST", "L    404  404  404  302  404  404  404  404  404  404", silver_case, b.area_validation, e.silver_validations),
    row("assessments:application_withdraw",          "GET",  "L    405  405  405  405  405  405  405  405  405  405", case),
    row("assessments:application_withdraw",          "POST", "L    302  404  403  403  404  404  404  403  404  404", case, b.withdraw, e.case_state),
    row("assessments:case_scoring",                  "GET",  "L    404  404  404  200  404  404  404  404  404  404", case_section),
    row("assessments:case_scoring",                  "POST", "L    404  404  404  302  404  404  404  404  404  404", case_section, b.section_scores, e.case_scores),
    row("assessments:own_scores_submit",             "GET",  "L    405  405  405  405  405  405  405  405  405  405", case),
    # One expert: the scores are the agreed ones from the start, there are no own scores to hand in.
    row("assessments:own_scores_submit",             "POST", "L    403  404  403  302= 404  404  404  403  404  404", case, b.no_input, e.own_scores_submitted, e.case_fully_scored),
    # Two experts: each hands in his own scores (the contributor manages the Croatian organisation: he sees the case).
    row("assessments:own_scores_submit",             "POST", "L    404  404  403  302  404  404  404  403  404  404", gold_case, b.no_input, e.gold_scores_submitted, e.gold_case_scored_alone),
    # Two experts who handed in their own scores confirm the agreed ones, or state their positions for the office.
    row("assessments:agreed_confirm",                "GET",  "L    405  405  405  405  405  405  405  405  405  405", gold_case),
    row("assessments:agreed_confirm",                "POST", "L    404  404  403  302  404  404  404  403  404  404", gold_case, b.no_input, e.agreed_confirmations, e.gold_case_agreeing),
    row("assessments:disagreement_state",            "GET",  "L    405  405  405  405  405  405  405  405  405  405", gold_case),
    row("assessments:disagreement_state",            "POST", "L    404  404  403  302  404  404  404  403  404  404", gold_case, b.position, e.disagreement_positions, e.gold_case_agreeing),
    row("assessments:clarification_ask",             "GET",  "L    405  405  405  405  405  405  405  405  405  405", case),
    row("assessments:clarification_ask",             "POST", "L    403  404  403  302  404  404  404  403  404  404", case, b.clarification, e.clarifications),
    row("assessments:clarification_answer",          "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_clarification),
    row("assessments:clarification_answer",          "POST", "L    302  404  302  403  404  404  404  403  404  404", case_clarification, b.clarification_answer, e.clarification_answered),
    row("assessments:case_complete",                 "GET",  "L    404  404  404  200  404  404  404  404  404  404", case),
    row("assessments:case_complete",                 "POST", "L    404  404  404  302  404  404  404  404  404  404", case, b.complete, e.case_state, e.case_ready_to_complete),
    row("assessments:case_assign",                   "GET",  "L    403  404  403  403  404  404  404  200  404  404", case),
    # The case has its expert and is in assessment: the office is told so on the page.
    row("assessments:case_assign",                   "POST", "L    403  404  403  403  404  404  404  200= 404  404", case, b.assign, e.case_assignments),
    row("assessments:case_assign",                   "POST", "L    404  403  404  404  404  404  404  302  404  404", other_case, b.assign, e.other_case_assignments, e.expert_declined_other_case),
    row("assessments:case_quality",                  "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_to_quality),
    row("assessments:case_quality",                  "POST", "L    403  404  403  403  404  404  404  302  404  404", case_to_quality, b.no_input, e.case_state, e.case_assessed),
    row("assessments:assignment_declare",            "GET",  "L    404  404  404  200  404  404  404  404  404  404", assignment),
    # Declared already: the expert is told so.
    row("assessments:assignment_declare",            "POST", "L    404  404  404  200= 404  404  404  404  404  404", assignment, b.declaration, e.assignment_state),
    row("assessments:assignment_declare",            "POST", "L    404  404  404  302  404  404  404  404  404  404", pending_assignment, b.declaration, e.pending_assignment_state),
    row("assessments:office_cases",                  "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("assessments:partner_pipeline",              "GET",  "L    403  403  403  403  403  200  200  403  403  403", none),
    # Nothing stuck: the office's queue of late steps, replacing an expert, extending or closing a question.
    row("assessments:late_steps",                    "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("assessments:assignment_remove",             "GET",  "L    405  405  405  405  405  405  405  405  405  405", pending_assignment),
    row("assessments:assignment_remove",             "POST", "L    403  403  403  403  403  403  403  302  403  403", pending_assignment, b.reason, e.pending_assignment_state),
    row("assessments:clarification_extend",          "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_clarification),
    row("assessments:clarification_extend",          "POST", "L    403  404  403  403  404  404  404  302  404  404", case_clarification, b.extend, e.clarification_due),
    row("assessments:clarification_close",           "GET",  "L    405  405  405  405  405  405  405  405  405  405", case_clarification),
    row("assessments:clarification_close",           "POST", "L    403  404  403  403  404  404  404  302  404  404", case_clarification, b.reason, e.clarification_closed),
    # Each expert's own standing declarations: nobody else's, and nobody else sees them.
    row("assessments:standing_declarations",         "GET",  "L    403  403  403  200  200  403  403  403  403  403", none),
    row("assessments:standing_declarations",         "POST", "L    403  403  403  302  302  403  403  403  403  403", none, b.standing_declaration, e.standing_declarations),
    row("assessments:standing_declaration_withdraw", "GET",  "L    405  405  405  405  405  405  405  405  405  405", standing_declaration),
    row("assessments:standing_declaration_withdraw", "POST", "L    404  404  404  404  302  404  404  404  404  404", standing_declaration, b.no_input, e.standing_declaration_withdrawn),
    row("assessments:report_download",               "GET",  "L    404  404  404  404  404  404  404  404  404  404", case),
    row("assessments:questionnaire_preview",         "GET",  "L    403  403  403  403  403  403  403  200  403  403", questionnaire),
    row("labels:ob_issuer",                          "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("labels:ob_status",                          "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("labels:ob_achievement",                     "GET",  "200  200  200  200  200  200  200  200  200  200  200", level),
    row("labels:ob_credential",                      "GET",  "200  200  200  200  200  200  200  200  200  200  200", label),
    row("labels:logo",                               "GET",  "200  200  200  200  200  200  200  200  200  200  200", logo),
    row("labels:certificates_regenerate",            "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("labels:certificates_regenerate",            "POST", "L    403  403  403  403  403  403  403  302  403  403", none, b.no_input, e.certificate_jobs),
    row("labels:certificate_job",                    "GET",  "L    403  403  403  403  403  403  403  200  403  403", certificate_job),
    # The old address of the label's one page (label_detail): a permanent redirect for everyone, which says nothing.
    row("labels:label_manage",                       "GET",  "301  301  301  301  301  301  301  301  301  301  301", label),
    row("labels:label_manage",                       "POST", "405  405  405  405  405  405  405  405  405  405  405", label, b.no_input, e.label),
    row("labels:label_revoke",                       "POST", "L    403  403  403  403  403  403  403  302  403  403", label, b.label_revoke, e.label_revoked_at),
    row("labels:label_reinstate",                    "POST", "L    403  403  403  403  403  403  403  302  403  403", label, b.label_reinstate, e.label_revoked_at, e.label_revoked),
    row("labels:label_correct",                      "POST", "L    403  403  403  403  403  403  403  302  403  403", label, b.label_correct, e.label_valid_until),
    row("labels:label_certificate_language",         "POST", "L    403  403  403  403  403  403  403  302  403  403", label, b.certificate_language, e.label_certificate_language),
    row("labels:certificate_download",               "GET",  "L    202  404  202  404  404  202  404  202  202  404", label),
    row("labels:office_start",                       "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("labels:committee_start",                    "GET",  "L    403  403  403  403  403  403  403  403  200  403", none),
    # Decisions are taken at the board's meetings: the start page only reads.
    row("labels:committee_start",                    "POST", "L    403  403  403  403  403  403  403  403  405  403", none, b.no_input, e.case_state, e.case_awaiting_decision),
    row("labels:meetings",                           "GET",  "L    403  403  403  403  403  403  403  200  200  403", none),
    row("labels:meeting_schedule",                   "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("labels:meeting_schedule",                   "POST", "L    403  403  403  403  403  403  403  302  403  403", none, b.meeting_schedule, e.meetings, e.case_awaiting_decision),
    row("labels:meeting_detail",                     "GET",  "L    403  403  403  403  403  403  403  200  200  403", meeting),
    row("labels:meeting_open",                       "POST", "L    403  403  403  403  403  403  403  302  403  403", meeting, b.meeting_members, e.meeting_state),
    row("labels:meeting_close",                      "POST", "L    403  403  403  403  403  403  403  302  403  403", meeting, b.no_input, e.meeting_state, e.meeting_in_session),
    # Closed, its minutes not drawn yet: the worker is asked for them (202).
    row("labels:meeting_minutes",                    "GET",  "L    403  403  403  403  403  403  403  202  202  403", closed_meeting),
    # The committee member is present and may judge the case; the office holds no vote (403).
    row("labels:proposal_make",                      "POST", "L    403  403  403  403  403  403  403  403  302  403", agenda_item, b.proposal, e.agenda_item_state, e.case_on_agenda_in_session),
    # Another member proposed: the committee member approves or sends it back.
    row("labels:proposal_approve",                   "POST", "L    403  403  403  403  403  403  403  403  302  403", agenda_item, b.no_input, e.agenda_item_state, e.case_proposed),
    row("labels:proposal_send_back",                 "POST", "L    403  403  403  403  403  403  403  403  302  403", agenda_item, b.send_back, e.agenda_item_state, e.case_proposed),
    # The old address of the statistics (statistics:overview): a permanent redirect for everyone.
    row("labels:policy_start",                       "GET",  "301  301  301  301  301  301  301  301  301  301  301", none),
    row("labels:import_upload",                      "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("labels:import_upload",                      "POST", "L    403  403  403  403  403  403  403  302  403  403", none, b.import_upload, e.import_jobs),
    row("labels:import_detail",                      "GET",  "L    403  403  403  403  403  403  403  200  403  403", import_job),
    row("labels:import_progress",                    "GET",  "L    403  403  403  403  403  403  403  200  403  403", import_job),
    row("verify_search",                             "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("registry",                                  "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("registry_organisation",                     "GET",  "200  200  200  200  200  200  200  200  200  200  200", org),
    row("verify",                                    "GET",  "200  200  200  200  200  200  200  200  200  200  200", label),
    # The history: the organisation's people, the partner for its country and the office; a person's, the office.
    row("history",                                   "GET",  "L    200  404  200  404  404  200  404  200  404  404", history_of_case),
    row("history",                                   "GET",  "L    200  404  200  404  404  200  404  200  404  404", history_of_org),
    row("history",                                   "GET",  "L    200  404  200  404  404  200  404  200  404  404", history_of_label),
    row("history",                                   "GET",  "L    404  404  404  404  404  404  404  200  404  404", history_of_manager),
    row("api_labels",                                "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("api_label",                                 "GET",  "200  200  200  200  200  200  200  200  200  200  200", label),
    row("api_schema",                                "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("api_docs",                                  "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("set_language",                              "GET",  "302  302  302  302  302  302  302  302  302  302  302", none),
    # Anonymous: a cookie only; signed in: the choice is saved on the profile too.
    row("set_language",                              "POST", "302= 302  302  302  302  302  302  302  302  302  302", none, b.language, e.profiles),
    row("assessments:questionnaire_translations",    "GET",  "L    403  403  403  403  403  403  403  200  403  403", questionnaire),
    # A report that only reads: a POST is answered like a GET.
    row("assessments:questionnaire_translations",    "POST", "L    403  403  403  403  403  403  403  200= 403  403", questionnaire, b.no_input, e.questionnaire),
    row("benchmarking:detail",                       "GET",  "L    404  404  404  404  404  404  404  404  404  404", case),
    row("benchmarking:pdf",                          "GET",  "L    404  404  404  404  404  404  404  404  404  404", case),
    row("labels:dashboard",                          "GET",  "L    403  403  403  403  403  200  200  200  403  403", none),
    row("labels:dashboard_list",                     "GET",  "L    403  403  403  403  403  200  200  200  403  403", dashboard_figure),
    row("labels:label_detail",                       "GET",  "L    200  404  200  404  404  200  404  200  404  404", label),
    row("statistics:overview",                       "GET",  "L    403  403  403  403  403  200  200  200  403  200", none),
    row("statistics:comparison",                     "GET",  "L    403  403  403  403  403  200  200  200  403  200", none),
    row("statistics:csv",                            "GET",  "L    403  403  403  403  403  200  200  200  403  200", statistics_figure),
    # Personal data: the privacy notice is public; everyone signed in sees and asks for a copy of their
    # own data, which only its owner downloads; the office (the controller) processes erasures.
    row("privacy:policy",                            "GET",  "200  200  200  200  200  200  200  200  200  200  200", none),
    row("privacy:my_data",                           "GET",  "L    200  200  200  200  200  200  200  200  200  200", none),
    row("privacy:export_request",                    "GET",  "L    405  405  405  405  405  405  405  405  405  405", none),
    row("privacy:export_request",                    "POST", "L    302  302  302  302  302  302  302  302  302  302", none, b.no_input, e.data_exports),
    row("privacy:export_download",                   "GET",  "L    200  403  403  403  403  403  403  403  403  403", export_token),
    row("privacy:erasures",                          "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("privacy:erasures",                          "POST", "L    403  403  403  403  403  403  403  302  403  403", none, b.erasure, e.erasures),
    # Billing: the office issues, records and credits; a case's manager and the partner paying read its
    # invoice (a contributor does not); the case's national partner may name who pays, before invoicing.
    row("billing:office_invoices",                   "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("billing:my_billing",                        "GET",  "L    200  200  200  403  403  200  200  403  403  403", none),
    row("billing:invoice",                           "GET",  "L    200  404  404  404  404  200  404  200  404  404", invoice),
    row("billing:invoice_pdf",                       "GET",  "L    200  404  404  404  404  200  404  200  404  404", invoice),
    row("billing:invoice_xml",                       "GET",  "L    200  404  404  404  404  200  404  200  404  404", invoice),
    row("billing:payment_record",                    "POST", "L    403  404  404  404  404  403  404  302  404  404", invoice, b.payment, e.invoice_payments),
    row("billing:credit_note",                       "POST", "L    403  404  404  404  404  403  404  302  404  404", invoice, b.credit_reason, e.invoice_credited),
    row("billing:invoice_issue",                     "POST", "L    404  403  404  404  404  404  403  302  404  404", other_case, b.no_input, e.other_case_invoices),
    row("billing:case_payer",                        "GET",  "L    404  403  404  404  404  404  200  200  404  404", other_case),
    row("billing:case_payer",                        "POST", "L    404  403  404  404  404  404  302  302  404  404", other_case, b.payer, e.other_case_payer),
    row("billing:prices",                            "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    row("billing:prices",                            "POST", "L    403  403  403  403  403  403  403  302  403  403", none, b.price, e.prices),
    row("billing:quote_delivery",                    "POST", "L    404  403  404  404  404  404  403  302  404  404", other_case, b.delivery, e.other_case_quote),
    row("billing:expert_fees",                       "GET",  "L    403  403  403  403  403  403  403  200  403  403", none),
    # An expert's own statement of fees (the office names any expert with ?expert=).
    row("billing:fee_statement",                     "GET",  "L    403  403  403  200  200  403  403  200  403  403", none),
]
# fmt: on

# POST rows where nobody acts, and why: each proves refusals only; another row of the same page proves the action.
IDLE_POST_ROWS: dict[str, str] = {
    "accounts:signup_confirm[bad_token]-POST": "a link that is not valid",
    "accounts:password_reset_confirm[reset_link]-POST": "a reset link with no token in the session",
    "assessments:answer_save[case_indicator]-POST": "a submitted case's answers are fixed",
    "assessments:evidence_upload[case_indicator]-POST": "a submitted case's evidence is fixed",
    "assessments:evidence_delete[case_evidence]-POST": "a submitted case's evidence is fixed",
    "assessments:application_submit[case]-POST": "submitted already",
    "assessments:own_scores_submit[case]-POST": "a one-expert case has no own scores to hand in",
    "assessments:case_assign[case]-POST": "the case has its expert",
    "assessments:assignment_declare[assignment]-POST": "declared already",
    "labels:label_manage[label]-POST": "an old address that only redirects (405)",
    "labels:committee_start[none]-POST": "the page only reads (405); the board decides at its meetings",
    "notifications[none]-POST": "the page only reads (405); marking read is notifications_read",
    "assessments:questionnaire_translations[questionnaire]-POST": "the page only reads",
}


def build_scenario() -> SimpleNamespace:
    """Create the scenario's people and objects (the caller holds the database open)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.enums import StaffRole
    from assessments.models import Indicator
    from assessments.services import applications, assessing, conflicts
    from billing import services as billing_services
    from billing.documents import invoice_pdf_render
    from billing.enums import PayerKind
    from clusters import names as cluster_names
    from clusters import people as cluster_people
    from clusters import services as cluster_services
    from clusters.enums import EligibilityCriterion, MembershipRole
    from clusters.models import Membership
    from common.enums import Level
    from labels.models import CertificateJob, ImportJob, Meeting
    from privacy.models import DataExport
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
    # The contributor also manages a Croatian organisation: managing one organisation gives no rights in another.
    s.third_org = OrganisationFactory(name="Matrix Cluster Croatia", country="HR", **ELIGIBLE)
    # The manager registered a second Serbian organisation, sent for validation and not yet validated.
    s.pending_org = OrganisationFactory(name="Matrix Cluster Serbia South", country="RS", **ELIGIBLE)
    MembershipFactory(organisation=s.pending_org, user=manager.user, role=MembershipRole.MANAGER)
    type(s.pending_org).objects.filter(pk=s.pending_org.pk).update(state="pending")
    third_manager = MembershipFactory(organisation=s.third_org, user=users["contributor"], role=MembershipRole.MANAGER)

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

    other_manager = Membership.objects.get(user=users["other_manager"])
    s.other_case = submitted(other_manager)
    assessing.assignment_create(application=s.other_case, assessors=[users["assigned_assessor"]], by=users["office"])
    s.pending_assignment = s.other_case.assignments.get()

    # A Gold case of the Croatian organisation in assessment: two experts, each scoring alone first.
    s.gold_case = submitted(third_manager, "gold")
    croatian_expert = AssessorProfileFactory(home_country="HR", countries=["HR"], certified_levels=["gold"]).user
    for expert in assessing.assignment_create(
        application=s.gold_case, assessors=[users["assigned_assessor"], croatian_expert], by=users["office"]
    ):
        assessing.assignment_declare(assignment=expert, by=expert.assessor, no_conflict=True)

    _silver_cases(s, manager.user, third_manager.user)
    # The unassigned expert once advised the Croatian organisation (a standing declaration).
    s.standing_declaration = conflicts.standing_declaration_add(
        by=users["unassigned_assessor"], organisation=s.third_org, kind="advised"
    )

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
    # The board: two more committee members (with the scenario's, the default quorum), a
    # scheduled meeting with nothing on its agenda yet and a closed one.
    s.board_members = [RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user for _ in range(2)]
    s.meeting = Meeting.objects.create(held_on=timezone.localdate(), quorum=3, scheduled_by=users["office"])
    s.closed_meeting = Meeting.objects.create(
        held_on=timezone.localdate() - timedelta(days=30), quorum=3, state="closed", scheduled_by=users["office"]
    )
    s.export = DataExport.objects.create(
        user=users["manager"],
        token="matrix-export-token",
        ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
        file=ContentFile(b"PK matrix export", name="export.zip"),
    )
    # Someone who asked the office to erase their data.
    s.erasable = MembershipFactory(organisation=s.other_org, role=MembershipRole.CONTRIBUTOR).user
    # The Serbian case is sponsored by the Serbian partner and invoiced (no VAT: outside the EU), its PDF drawn.
    partner = users["partner"].partner_staff.get().partner
    billing_services.payer_set(
        application=s.case,
        by=users["office"],
        kind=PayerKind.PARTNER,
        partner=partner,
        name=partner.name,
        street="Knez Mihailova 1",
        postcode="11000",
        city="Belgrade",
        country="RS",
        vat_number="RS101134702",
    )
    s.invoice = billing_services.invoice_issue(application=s.case, by=users["office"])
    invoice_pdf_render(invoice=s.invoice)
    billing_services.payment_record(
        invoice=s.invoice,
        paid_on=timezone.localdate(),
        amount=Decimal("50.00"),
        reference="CANARY-PAYMENT-REFERENCE",
        by=users["office"],
    )
    return s


def _silver_cases(s: SimpleNamespace, manager: Any, croatian_manager: Any) -> None:
    """A Silver draft of the Serbian organisation, 20 months after its first benchmarking (whose
    recommendations it chooses from), and a Croatian Silver case in assessment with three areas."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from assessments.enums import ApplicationState, AssignmentState
    from assessments.models import (
        Application,
        AssessmentReport,
        Assignment,
        Indicator,
        Score,
        SilverImprovementArea,
    )
    from common.enums import Level
    from tests.assessments.conftest import make_version

    s.silver = make_version(Level.SILVER)
    first_on = timezone.localdate() - relativedelta(months=20)
    first = Application.objects.create(
        organisation=s.org,
        level=Level.BRONZE,
        version=s.bronze,
        created_by=manager,
        state=ApplicationState.AWARDED,
        assessed_on=first_on,
    )
    AssessmentReport.objects.create(
        application=first, recommendations={"S1": "Grow the membership.", "S2": "Offer paid services."}, passed=True
    )
    Score.objects.create(
        application=first,
        indicator=Indicator.objects.get(version=s.bronze, code="S1.1"),
        met=True,
        recommendation="Recruit research organisations.",
    )
    s.silver_draft = Application.objects.create(
        organisation=s.org,
        level=Level.SILVER,
        version=s.silver,
        created_by=manager,
        first_benchmarking=first,
        first_benchmarked_on=first_on,
    )
    s.silver_case = Application.objects.create(
        organisation=s.third_org, level=Level.SILVER, version=s.silver, created_by=croatian_manager
    )
    Application.objects.filter(pk=s.silver_case.pk).update(state=ApplicationState.IN_ASSESSMENT)
    Assignment.objects.create(
        application=s.silver_case, assessor=s.users["assigned_assessor"], state=AssignmentState.ACCEPTED
    )
    SilverImprovementArea.objects.bulk_create(
        SilverImprovementArea(application=s.silver_case, position=n, recommendation=f"Area {n}") for n in (1, 2, 3)
    )


PORTAL_APPS = ("common", "accounts", "clusters", "assessments", "billing", "labels", "privacy")


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
