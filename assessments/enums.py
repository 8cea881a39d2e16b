from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class AnswerType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    PERCENTAGE = "percentage", _("Percentage")
    YES_NO = "yes_no", _("Yes or no")
    SINGLE_CHOICE = "single_choice", _("One choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    FILE = "file", _("File evidence")


NUMERIC_TYPES = frozenset({AnswerType.INTEGER, AnswerType.DECIMAL, AnswerType.PERCENTAGE})
CHOICE_TYPES = frozenset({AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE})


class ThresholdKind(models.TextChoices):
    """How a Gold indicator's answer earns its points."""

    AT_LEAST = "at_least", _("at least a value")
    AT_MOST = "at_most", _("at most a value")
    YES = "yes", _("answered yes")
    CHOICE_IN = "choice_in", _("one of the choices that count as met")
    ANSWERED = "answered", _("answered (with evidence where required)")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSOR_ASSIGNMENT = "assessor_assignment", _("Assessor assignment")
    IN_ASSESSMENT = "in_assessment", _("In assessment")
    CLARIFICATION_REQUESTED = "clarification_requested", _("Clarification requested")
    ASSESSED = "assessed", _("Assessed")
    IN_QUALITY_CHECK = "in_quality_check", _("In quality check")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    AWARDED = "awarded", _("Awarded")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # A draft left untouched for the configured time (settings.CASE_DEADLINES):
    # it stays readable, is never edited again, and frees the level for a new start.
    ARCHIVED = "archived", _("Archived (idle draft)")


CLOSED_STATES = (
    ApplicationState.AWARDED,
    ApplicationState.REFUSED,
    ApplicationState.WITHDRAWN,
    ApplicationState.ARCHIVED,
)
# The office may (still) assign experts: after submission, and while experts are being found.
ASSIGNABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.ASSESSOR_ASSIGNMENT)


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Awaiting declaration")
    ACCEPTED = "accepted", _("Accepted, no conflict")
    DECLINED = "declined", _("Declined")
    REMOVED = "removed", _("Removed by the office")
    # A link to the organisation appeared after the assignment (a membership, a
    # standing declaration): the declaration no longer holds and the case closes to the expert.
    VOIDED = "voided", _("Ended: a conflict of interest appeared")


ACTIVE_ASSIGNMENT_STATES = (AssignmentState.PENDING, AssignmentState.ACCEPTED)


class DecisionOutcome(models.TextChoices):
    AWARDED = "awarded", _("Awarded")
    REFUSED = "refused", _("Refused")
