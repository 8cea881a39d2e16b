"""Writes of a Silver case: the manager chooses the improvement areas from the first
benchmarking's recommendations; the auditor validates each on site against the Gold criteria.

The result (``assessments.scoring``) reads the validations and the baseline
minimums (``LABEL_SCHEME["silver"]["baseline_minimums"]``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Application, SilverImprovementArea
from assessments.silver import benchmarking_recommendations, gold_criteria
from common.enums import Level
from common.errors import ActionRefused
from common.request_cache import forget
from common.scheme import rules_for
from common.services import history_record


def _lock(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    return locked


def _chosen_rows(application: Application, sources: Sequence[str], texts: Sequence[str]) -> list[tuple[str, str]]:
    """(source, text) of each area: a recommendation of the first benchmarking, or, when that
    benchmarking predates the portal and none is on record, the text copied from its report."""
    needed = rules_for(Level.SILVER).improvement_areas
    offered = {r.source: r for r in benchmarking_recommendations(application)}
    if offered:
        chosen = [source for source in sources if source]
        if len(chosen) != needed or len(set(chosen)) != needed:
            raise ActionRefused(_("Choose %(n)d different recommendations of the first benchmarking.") % {"n": needed})
        if any(source not in offered for source in chosen):
            raise ActionRefused(_("Choose among the recommendations of the first benchmarking."))
        return [(source, offered[source].text) for source in chosen]
    written = [text.strip() for text in texts if text.strip()]
    if len(written) != needed:
        raise ActionRefused(
            _("Copy %(n)d recommendations from the first benchmarking's report, one per area.") % {"n": needed}
        )
    return [("", text) for text in written]


@transaction.atomic
def improvement_areas_choose(
    *, application: Application, by: User, sources: Sequence[str] = (), texts: Sequence[str] = ()
) -> list[SilverImprovementArea]:
    """The manager chooses the Silver case's improvement areas (replacing an earlier choice).

    ``sources`` name recommendations of the first benchmarking (``group:B3``,
    ``indicator:B3.2``); ``texts`` are used only when none is on record.
    Side effects: a history row; no e-mail.
    """
    application = _lock(application)
    if not by.has_perm("assessments.choose_improvement_areas", application):
        raise PermissionDenied
    if application.level != Level.SILVER:
        raise ActionRefused(_("Only a Silver case has improvement areas."))
    if application.state != ApplicationState.DRAFT:
        raise ActionRefused(_("The application has been submitted: its improvement areas can no longer change."))
    rows = _chosen_rows(application, sources, texts)
    before = list(application.improvement_areas.order_by("position").values_list("source", flat=True))
    application.improvement_areas.all().delete()
    areas = SilverImprovementArea.objects.bulk_create(
        SilverImprovementArea(application=application, position=n, source=source, recommendation=text)
        for n, (source, text) in enumerate(rows, start=1)
    )
    history_record(
        obj=application,
        action="application.improvement_areas",
        by=by,
        data={"areas": [", ".join(before), ", ".join(source or text[:40] for source, text in rows)]},
    )
    return areas


@transaction.atomic
def improvement_area_validate(
    *, area: SilverImprovementArea, by: User, validated: bool, gold_criterion: str = "", note: str = ""
) -> SilverImprovementArea:
    """The auditor records the on-site validation of one area against a Gold criterion:
    validated, or not validated with the reason (the organisation reads it with the decision).

    Side effects: a history row; no e-mail.
    """
    application = _lock(area.application)
    if not by.has_perm("assessments.validate_improvement_areas", application):
        raise PermissionDenied
    if application.state not in (ApplicationState.IN_ASSESSMENT, ApplicationState.CLARIFICATION_REQUESTED):
        raise ActionRefused(_("Improvement areas are validated only while the case is in assessment."))
    area = SilverImprovementArea.objects.select_for_update().get(pk=area.pk, application=application)
    criteria = {indicator.code for indicator in gold_criteria()}
    if criteria and gold_criterion not in criteria:
        raise ActionRefused(_("Choose the Gold criterion the area was checked against."))
    if not validated and not note.strip():
        raise ActionRefused(_("Give the reason why the area is not validated: the organisation will read it."))
    before = area.validated
    area.validated, area.gold_criterion, area.validation_note = validated, gold_criterion, note.strip()
    area.validated_by, area.validated_at = by, timezone.now()
    area.save(update_fields=["validated", "gold_criterion", "validation_note", "validated_by", "validated_at"])
    history_record(
        obj=application,
        action="application.area_validated",
        by=by,
        data={"area": area.position, "validated": [before, validated], "gold_criterion": gold_criterion},
        reason=note.strip(),
    )
    return area
