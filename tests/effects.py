"""What each action of the access matrix changes, read from the database, and
the states some actions need first.

An effect takes the scenario ``s`` and returns a value that the action, when
it happens, changes: a state, a timestamp, a count of rows. The matrix reads it
before and after each POST cell: an allowed cell must change it (the action
really happened); a refused one must change neither it nor anything else
(``fingerprint``).

A preparation brings the scenario to the state the action needs (a case
ready for the committee, a complete draft), inside the cell's savepoint, before
anything is read: the refused roles are then refused from the same state the
allowed one acts in.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core import mail

# --- Effects ---------------------------------------------------------------------------------------


def data_exports(s: SimpleNamespace) -> Any:
    from privacy.models import DataExport

    return DataExport.objects.count()


def erasures(s: SimpleNamespace) -> Any:
    from privacy.models import Erasure

    return Erasure.objects.count()


def unread_notifications(s: SimpleNamespace) -> Any:
    from common.models import Notification

    return Notification.objects.filter(read_at__isnull=True).count()


def last_logins(s: SimpleNamespace) -> Any:
    from accounts.models import User

    return sorted(User.objects.values_list("pk", "last_login"))


def sessions(s: SimpleNamespace) -> Any:
    from django.contrib.sessions.models import Session

    return Session.objects.count()


def users(s: SimpleNamespace) -> Any:
    from accounts.models import User

    return User.objects.count()


def confirmed_users(s: SimpleNamespace) -> Any:
    from accounts.models import User

    return User.objects.filter(email_confirmed_at__isnull=False).count()


def profiles(s: SimpleNamespace) -> Any:
    from accounts.models import User

    return sorted(User.objects.values_list("pk", "full_name", "preferred_language"))


def passwords(s: SimpleNamespace) -> Any:
    from accounts.models import User

    return sorted(User.objects.values_list("pk", "password"))


def mails_sent(s: SimpleNamespace) -> Any:
    return len(getattr(mail, "outbox", []))


def organisations(s: SimpleNamespace) -> Any:
    from clusters.models import ClusterOrganisation

    return ClusterOrganisation.objects.count()


def organisation_profile(s: SimpleNamespace) -> Any:
    from clusters.models import ClusterOrganisation

    return ClusterOrganisation.objects.values_list("city", "updated_at").get(pk=s.org.pk)


def organisation_state(s: SimpleNamespace) -> Any:
    from clusters.models import ClusterOrganisation

    return ClusterOrganisation.objects.values_list("state", flat=True).get(pk=s.org.pk)


def pending_organisation_state(s: SimpleNamespace) -> Any:
    from clusters.models import ClusterOrganisation

    return ClusterOrganisation.objects.values_list("state", flat=True).get(pk=s.pending_org.pk)


def active_waivers(s: SimpleNamespace) -> Any:
    from clusters.models import EligibilityWaiver

    return EligibilityWaiver.objects.filter(organisation=s.org, withdrawn_at__isnull=True).count()


def waiver_withdrawn_at(s: SimpleNamespace) -> Any:
    from clusters.models import EligibilityWaiver

    return EligibilityWaiver.objects.values_list("withdrawn_at", flat=True).get(pk=s.waiver.pk)


def invitations(s: SimpleNamespace) -> Any:
    from clusters.models import Invitation

    return Invitation.objects.filter(organisation=s.org).count()


def invitation_state(s: SimpleNamespace) -> Any:
    from clusters.models import Invitation

    return Invitation.objects.values_list("state", flat=True).get(pk=s.invitation.pk)


def contributor_membership(s: SimpleNamespace) -> Any:
    from clusters.models import Membership

    return Membership.objects.values_list("role", "left_at").get(pk=s.contributor_membership.pk)


def name_changes(s: SimpleNamespace) -> Any:
    from clusters.models import NameChangeRequest

    return NameChangeRequest.objects.count()


def name_change_state(s: SimpleNamespace) -> Any:
    from clusters.models import NameChangeRequest

    return NameChangeRequest.objects.get(pk=s.name_change.pk).state


def organisation_name(s: SimpleNamespace) -> Any:
    from clusters.models import ClusterOrganisation

    return ClusterOrganisation.objects.get(pk=s.org.pk).name


def applications(s: SimpleNamespace) -> Any:
    from assessments.models import Application

    return Application.objects.filter(organisation=s.org).count()


def case_answer(s: SimpleNamespace) -> Any:
    from assessments.models import Answer

    return sorted(
        Answer.objects.filter(application=s.case, indicator=s.case_indicator).values_list("revision", flat=True)
    )


def draft_answer(s: SimpleNamespace) -> Any:
    from assessments.models import Answer

    return sorted(
        Answer.objects.filter(application=s.draft, indicator=s.draft_indicator).values_list("revision", flat=True)
    )


def case_evidence(s: SimpleNamespace) -> Any:
    return sorted(s.case.evidence.values_list("pk", flat=True))


def draft_evidence(s: SimpleNamespace) -> Any:
    return sorted(s.draft.evidence.values_list("pk", flat=True))


def case_state(s: SimpleNamespace) -> Any:
    from assessments.models import Application

    return Application.objects.values_list("state", flat=True).get(pk=s.case.pk)


def draft_state(s: SimpleNamespace) -> Any:
    from assessments.models import Application

    return Application.objects.values_list("state", flat=True).get(pk=s.draft.pk)


def case_scores(s: SimpleNamespace) -> Any:
    from assessments.models import Score

    return sorted(Score.objects.filter(application=s.case).values_list("indicator_id", "met", "comment"))


def own_scores_submitted(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return Assignment.objects.values_list("scores_submitted_at", flat=True).get(pk=s.assignment.pk)


def gold_scores_submitted(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return Assignment.objects.values_list("scores_submitted_at", flat=True).get(
        application=s.gold_case, assessor=s.users["assigned_assessor"]
    )


def clarifications(s: SimpleNamespace) -> Any:
    from assessments.models import Clarification

    return Clarification.objects.filter(application=s.case).count()


def clarification_answered(s: SimpleNamespace) -> Any:
    from assessments.models import Clarification

    return Clarification.objects.values_list("answered_at", flat=True).get(pk=s.clarification.pk)


def clarification_due(s: SimpleNamespace) -> Any:
    from assessments.models import Clarification

    return Clarification.objects.values_list("due_on", flat=True).get(pk=s.clarification.pk)


def clarification_closed(s: SimpleNamespace) -> Any:
    from assessments.models import Clarification

    return Clarification.objects.values_list("closed_at", flat=True).get(pk=s.clarification.pk)


def standing_declarations(s: SimpleNamespace) -> Any:
    from assessments.models import StandingDeclaration

    return StandingDeclaration.objects.count()


def standing_declaration_withdrawn(s: SimpleNamespace) -> Any:
    from assessments.models import StandingDeclaration

    return StandingDeclaration.objects.values_list("withdrawn_at", flat=True).get(pk=s.standing_declaration.pk)


def other_case_assignments(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return sorted(Assignment.objects.filter(application=s.other_case).values_list("pk", "state"))


def assignment_state(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return Assignment.objects.values_list("state", flat=True).get(pk=s.assignment.pk)


def case_assignments(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return sorted(Assignment.objects.filter(application=s.case).values_list("pk", "state"))


def pending_assignment_state(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return Assignment.objects.values_list("state", flat=True).get(pk=s.pending_assignment.pk)


def certificate_jobs(s: SimpleNamespace) -> Any:
    from labels.models import CertificateJob

    return CertificateJob.objects.count()


def label(s: SimpleNamespace) -> Any:
    from labels.models import Label

    return Label.objects.values_list("revoked_at", "valid_until", "certificate_language").get(pk=s.label.pk)


def label_revoked_at(s: SimpleNamespace) -> Any:
    from labels.models import Label

    return Label.objects.values_list("revoked_at", flat=True).get(pk=s.label.pk)


def label_valid_until(s: SimpleNamespace) -> Any:
    from labels.models import Label

    return Label.objects.values_list("valid_until", flat=True).get(pk=s.label.pk)


def label_certificate_language(s: SimpleNamespace) -> Any:
    from labels.models import Label

    return Label.objects.values_list("certificate_language", flat=True).get(pk=s.label.pk)


def import_jobs(s: SimpleNamespace) -> Any:
    from labels.models import ImportJob

    return ImportJob.objects.count()


def questionnaire(s: SimpleNamespace) -> Any:
    from assessments.models import Indicator, QuestionnaireVersion

    version = QuestionnaireVersion.objects.values_list("status", "number").get(pk=s.bronze.pk)
    return version, sorted(Indicator.objects.filter(version=s.bronze).values_list("pk", "title"))


# --- Preparations ----------------------------------------------------------------------------------


def name_change_withdrawn(s: SimpleNamespace) -> None:
    """The scenario's pending request for a new name is withdrawn, so a manager may ask again."""
    from clusters.enums import NameChangeState
    from clusters.models import NameChangeRequest

    NameChangeRequest.objects.filter(pk=s.name_change.pk).update(state=NameChangeState.WITHDRAWN)


def everyone_has_unread_news(s: SimpleNamespace) -> None:
    from common.models import Notification

    Notification.objects.bulk_create(Notification(user=user, title="Matrix news", url="/") for user in s.users.values())


def gold_draft_withdrawn(s: SimpleNamespace) -> None:
    """The Gold draft is withdrawn, so a new Gold application may start."""
    from assessments.enums import ApplicationState
    from assessments.services.applications import application_transition

    application_transition(application=s.draft, to_state=ApplicationState.WITHDRAWN, by=s.users["manager"])


def draft_complete(s: SimpleNamespace) -> None:
    """Every required answer of the Gold draft given (its evidence is there already)."""
    from tests.assessments.test_applications import answer_all

    answer_all(s.draft, s.users["manager"])


def question_answered(s: SimpleNamespace) -> None:
    from assessments.services import assessing

    assessing.clarification_answer(clarification=s.clarification, by=s.users["manager"], answer="Our annual fair.")


def case_fully_scored(s: SimpleNamespace) -> None:
    """Every indicator of the case scored by its expert (the question still open)."""
    from tests.assessments.test_workflow import score_everything

    score_everything(s.case, s.users["assigned_assessor"])


def label_revoked(s: SimpleNamespace) -> None:
    """The scenario's label is revoked, so the office may reinstate it."""
    from labels.services import label_revoke

    label_revoke(label=s.label, by=s.users["office"], reason="Revoked by mistake.")


def gold_case_scored_alone(s: SimpleNamespace) -> None:
    """The Serbian case's assessor has scored every indicator of the Gold case on his own."""
    from tests.assessments.test_workflow import score_everything

    score_everything(s.gold_case, s.users["assigned_assessor"])


def gold_case_agreeing(s: SimpleNamespace) -> None:
    """Both experts of the Gold case scored alone, alike, and handed in: the agreed scores stand."""
    from assessments.enums import AssignmentState
    from assessments.services import assessing
    from tests.assessments.test_workflow import score_everything

    for assignment in s.gold_case.assignments.filter(state=AssignmentState.ACCEPTED).select_related("assessor"):
        score_everything(s.gold_case, assignment.assessor)
        assessing.own_scores_submit(application=s.gold_case, by=assignment.assessor)


def agreed_confirmations(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return sorted(Assignment.objects.filter(application=s.gold_case).values_list("pk", "agreed_confirmed_at"))


def disagreement_positions(s: SimpleNamespace) -> Any:
    from assessments.models import Assignment

    return sorted(Assignment.objects.filter(application=s.gold_case).values_list("pk", "position"))


def case_ready_to_complete(s: SimpleNamespace) -> None:
    question_answered(s)
    case_fully_scored(s)


def case_assessed(s: SimpleNamespace) -> None:
    from django.utils import timezone

    from assessments.services import assessing

    case_ready_to_complete(s)
    assessing.assessment_complete(
        application=s.case, by=s.users["assigned_assessor"], assessed_on=timezone.localdate(), summary="Good."
    )


def case_awaiting_decision(s: SimpleNamespace) -> None:
    from assessments.enums import ApplicationState
    from assessments.services import assessing

    case_assessed(s)
    for to_state in (ApplicationState.IN_QUALITY_CHECK, ApplicationState.AWAITING_DECISION):
        assessing.quality_check(application=s.case, by=s.users["office"], to_state=to_state)


def expert_declined_other_case(s: SimpleNamespace) -> None:
    """The expert of the German case declined, so the office assigns another."""
    from assessments.services import assessing

    assessing.assignment_declare(
        assignment=s.pending_assignment, by=s.users["assigned_assessor"], no_conflict=False, reason="I advised them."
    )


def silver_areas(s: SimpleNamespace) -> Any:
    from assessments.models import SilverImprovementArea

    return sorted(SilverImprovementArea.objects.filter(application=s.silver_draft).values_list("position", "source"))


def silver_validations(s: SimpleNamespace) -> Any:
    from assessments.models import SilverImprovementArea

    return sorted(
        SilverImprovementArea.objects.filter(application=s.silver_case).values_list(
            "position", "validated", "gold_criterion"
        )
    )


# --- The board -------------------------------------------------------------------------------------


def meetings(s: SimpleNamespace) -> Any:
    from labels.models import Meeting

    return Meeting.objects.count()


def meeting_state(s: SimpleNamespace) -> Any:
    from labels.models import Meeting

    return Meeting.objects.values_list("state", flat=True).get(pk=s.meeting.pk)


def agenda_item_state(s: SimpleNamespace) -> Any:
    from labels.models import AgendaItem

    return sorted(AgendaItem.objects.values_list("pk", "state"))


def meeting_in_session(s: SimpleNamespace) -> None:
    """The scenario's scheduled meeting, opened by the office with a quorum present."""
    from labels import board

    board.meeting_open(meeting=s.meeting, by=s.users["office"], members=[s.users["committee"], *s.board_members])


def case_on_agenda_in_session(s: SimpleNamespace) -> None:
    """The scenario's case awaits a decision, on the agenda of a meeting in session."""
    from django.utils import timezone

    from labels import board

    case_awaiting_decision(s)
    meeting = board.meeting_schedule(by=s.users["office"], held_on=timezone.localdate(), applications=[s.case])
    board.meeting_open(meeting=meeting, by=s.users["office"], members=[s.users["committee"], *s.board_members])


def case_proposed(s: SimpleNamespace) -> None:
    """... and another member present, its rapporteur, proposes to award it."""
    from assessments.enums import DecisionOutcome
    from labels import board
    from labels.models import AgendaItem

    case_on_agenda_in_session(s)
    item = AgendaItem.objects.get(application=s.case, meeting__state="open")
    board.proposal_make(item=item, by=s.board_members[0], outcome=DecisionOutcome.AWARDED)


def invoice_payments(s: SimpleNamespace) -> Any:
    from billing.models import Payment

    return sorted(Payment.objects.filter(invoice=s.invoice).values_list("pk", "amount"))


def invoice_credited(s: SimpleNamespace) -> Any:
    from billing.models import Invoice

    return (Invoice.objects.get(pk=s.invoice.pk).state, Invoice.objects.filter(credits=s.invoice).count())


def other_case_invoices(s: SimpleNamespace) -> Any:
    from billing.models import Invoice

    return Invoice.objects.filter(application=s.other_case).count()


def other_case_payer(s: SimpleNamespace) -> Any:
    from billing.models import Quote

    return Quote.objects.get(application=s.other_case).payer_id


def prices(s: SimpleNamespace) -> Any:
    from billing.models import PriceEntry

    return PriceEntry.objects.count()


def other_case_quote(s: SimpleNamespace) -> Any:
    from billing.models import Quote

    quote = Quote.objects.get(application=s.other_case)
    return (quote.delivery, quote.net_amount)
