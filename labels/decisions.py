"""The committee's decision: the last step of an application, and the label it creates.

It lives in labels, not assessments, because an award creates a label and
imports run one way (labels -> assessments).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.enums import ApplicationState, DecisionOutcome
from assessments.models import Application, Decision
from assessments.selectors import with_organisation_key
from assessments.services.applications import application_transition
from common.enums import Level
from common.errors import ActionRefused
from common.request_cache import forget
from common.services import history_record
from labels.certificates.language import certificate_language_default
from labels.certificates.rendering import certificate_queue
from labels.enums import AgendaItemState, CertificateLanguage, LabelSource, MeetingState
from labels.models import AgendaItem
from labels.services import label_create


@transaction.atomic
def application_decide(
    *,
    application: Application,
    by: User,
    outcome: DecisionOutcome,
    reason: str = "",
    today: date | None = None,
    certificate_language: CertificateLanguage | str | None = None,
) -> Decision:
    """The label committee decides a case awaiting its decision.

    Award: in one transaction the application moves to awarded (through the
    assessments transition service) and the label is created, valid by the
    scheme's rules from the month of the interview, its certificate in
    ``certificate_language`` (by default ``certificate_language_default``:
    bilingual in Serbia, English elsewhere; ignored on refusal). Refuse: a reason is
    required. The board decides in a meeting (``labels.board``): ``by`` is the second
    member who has just approved the rapporteur's proposal of this ``outcome``; a
    member alone is refused. The person deciding is never an assessor of the case. Deciding
    twice (two tabs, two members at once) gives one decision and one label:
    the second is refused. Side effects after commit: the organisation's
    managers are notified; the certificate is rendered by a Celery task.
    """
    locked = with_organisation_key(
        Application.objects.select_for_update().select_related("organisation"), application.pk
    ).get()
    forget()  # rules answer from rows read under the lock, not earlier in the request
    if not by.has_perm("assessments.decide", locked):
        raise PermissionDenied
    if Decision.objects.filter(application=locked).exists():
        raise ActionRefused(_("This case has already been decided."))
    if locked.state != ApplicationState.AWAITING_DECISION:
        raise ActionRefused(_("Only cases awaiting a decision can be decided."))
    outcome = DecisionOutcome(outcome)
    _approved_at_meeting(locked, by, outcome)
    report = getattr(locked, "report", None)
    if outcome == DecisionOutcome.AWARDED and (report is None or not report.passed):
        raise ActionRefused(_("The assessment does not pass the level's rule: refuse with a reason instead."))
    if outcome == DecisionOutcome.REFUSED and not reason.strip():
        raise ActionRefused(_("Give the reason for refusing: the organisation will read it."))
    if certificate_language and certificate_language not in CertificateLanguage.values:
        raise ActionRefused(_("Choose English, or English and Serbian in Latin or Cyrillic script."))
    language = CertificateLanguage(certificate_language or certificate_language_default(locked.organisation))
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                application=locked, outcome=outcome, reason=reason.strip(), decided_by=by
            )
            history_record(obj=locked, action="application.decided", by=by, data={"outcome": outcome}, reason=reason)
    except IntegrityError:
        raise ActionRefused(_("This case has already been decided.")) from None
    if outcome == DecisionOutcome.AWARDED:
        application_transition(application=locked, to_state=ApplicationState.AWARDED, by=by, note=reason)
        label = label_create(
            organisation=locked.organisation,
            level=Level(locked.level),
            assessed_on=locked.assessed_on or (today or timezone.localdate()),
            source=LabelSource.APPLICATION,
            score=report.score_percent if report and locked.level == Level.GOLD else None,
            application=locked,
            certificate_language=language,
        )
        transaction.on_commit(lambda: certificate_queue(label.pk))
    else:
        application_transition(application=locked, to_state=ApplicationState.REFUSED, by=by, note=reason)
    return decision


def _approved_at_meeting(application: Application, by: User, outcome: DecisionOutcome) -> None:
    """Four eyes inside the committee: the decision follows a proposal approved by
    ``by`` (never its rapporteur) in a meeting in session."""
    approved = AgendaItem.objects.filter(
        application=application,
        state=AgendaItemState.APPROVED,
        approved_by=by,
        outcome=outcome,
        meeting__state=MeetingState.OPEN,
    ).exclude(rapporteur=by)
    if not approved.exists():
        raise ActionRefused(_("The board decides in a meeting: a member proposes, another member approves."))
