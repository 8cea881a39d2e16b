"""How a label is earned: versioned questionnaires, applications, answers, evidence."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.enums import (
    ACTIVE_ASSIGNMENT_STATES,
    CLOSED_STATES,
    AnswerType,
    ApplicationState,
    AssignmentState,
    DecisionOutcome,
    VersionStatus,
)
from common.enums import Level
from common.files import private_storage
from common.transliterate import latin_to_cyrillic

# Questionnaire texts are written in English and translated by hand into the
# languages listed here; other languages derive from one of them (Serbian
# Cyrillic is the transliteration of Serbian Latin), or fall back to English.
TRANSLATED_LANGUAGES = ("sr-latn",)
DERIVED_LANGUAGES = {"sr": ("sr-latn", latin_to_cyrillic)}
TRANSLATIONS_HELP = _('Per language, e.g. {"sr-latn": {"title": "...", "guidance": "..."}}.')


def translated_text(translations: dict[str, dict[str, object]] | None, name: str, english: str) -> str:
    """A text of a questionnaire in the active language, or in English where no translation is given."""
    language = (get_language() or "en").lower()
    source, convert = DERIVED_LANGUAGES.get(language, (language, None))
    text = ((translations or {}).get(source) or {}).get(name)
    if not isinstance(text, str) or not text.strip():
        return english
    return convert(text) if convert else text


class Questionnaire(models.Model):
    """The instrument of one level: Bronze benchmarking, Silver improvement report, Gold self-evaluation."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    translations = models.JSONField(_("translations"), default=dict, blank=True, help_text=TRANSLATIONS_HELP)

    class Meta:
        ordering = ["level"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.tr_title

    @property
    def tr_title(self) -> str:
        return translated_text(self.translations, "title", self.title)


class QuestionnaireVersion(models.Model):
    """A version of a questionnaire. Published versions never change: editing
    makes a new draft, and every application keeps the version it answered."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions", verbose_name=_("questionnaire")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    notes = models.TextField(_("notes"), blank=True, help_text=_("What changed in this version, and why."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Drawn afresh with every change to the version's sections and indicators (the
    # draft's edits, the catalogue's translations), never reused: what a process keeps
    # of them is then read again (``assessments.structure``).
    revision = models.UUIDField(_("revision of its sections and indicators"), default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="assessments_version_number_unique"),
            models.UniqueConstraint(
                fields=["questionnaire"], condition=Q(status="published"), name="assessments_one_published_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Section(models.Model):
    """A group of indicators (a Bronze group, a Gold area, a Silver improvement area)."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True, help_text=TRANSLATIONS_HELP)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["version", "position", "code"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="assessments_section_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def tr_title(self) -> str:
        return translated_text(self.translations, "title", self.title)

    @property
    def tr_guidance(self) -> str:
        return translated_text(self.translations, "guidance", self.guidance)


class Indicator(models.Model):
    """One question. For Gold, ``max_points`` and ``threshold`` say how it scores."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("version")
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("section"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    answer_type = models.CharField(_("answer type"), max_length=20, choices=AnswerType.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=4, null=True, blank=True)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_('For choice answers: [{"value": "a", "label": "..."}].')
    )
    required = models.BooleanField(_("required"), default=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), null=True, blank=True)
    threshold = models.JSONField(
        _("threshold"), default=dict, blank=True, help_text=_('Gold: e.g. {"kind": "at_least", "value": 15}.')
    )
    minimum_requirement = models.BooleanField(
        _("minimum requirement"), default=False, help_text=_("Must be met whatever the total score.")
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_(
            'Per language: {"sr-latn": {"title": "...", "guidance": "...", "unit": "...", '
            '"choices": {"a": "..."}}}. Choices are keyed by their value.'
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["section__position", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="assessments_indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def tr_title(self) -> str:
        return translated_text(self.translations, "title", self.title)

    @property
    def tr_guidance(self) -> str:
        return translated_text(self.translations, "guidance", self.guidance)

    @property
    def tr_unit(self) -> str:
        return translated_text(self.translations, "unit", self.unit)

    @property
    def tr_choices(self) -> list[dict[str, str]]:
        """The choices with their labels in the active language (values never change)."""
        language = (get_language() or "en").lower()
        source, convert = DERIVED_LANGUAGES.get(language, (language, None))
        labels = ((self.translations or {}).get(source) or {}).get("choices") or {}
        result = []
        for choice in self.choices or []:
            label = labels.get(choice["value"]) if isinstance(labels, dict) else None
            if isinstance(label, str) and label.strip():
                label = convert(label) if convert else label
            else:
                label = choice["label"]
            result.append({"value": choice["value"], "label": label})
        return result


class Application(models.Model):
    """An organisation's application for a label at one level, answered against one version."""

    organisation = models.ForeignKey(
        "clusters.ClusterOrganisation",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("organisation"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="applications", verbose_name=_("questionnaire")
    )
    state = models.CharField(
        _("state"), max_length=32, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
        help_text=_("The previous application of this level, whose answers were pre-filled."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(
        _("in this state since"),
        null=True,
        blank=True,
        help_text=_("Set by every move: the deadline of the step the case waits in counts from it."),
    )
    assessed_on = models.DateField(
        _("interview or visit date"), null=True, blank=True, help_text=_("The label's validity counts from its month.")
    )
    # {"country": "RS", "sectors": [1, 4]}: the organisation's country and sectors when it
    # submitted. The benchmarking report forms its peer groups from them, so that editing the
    # profile afterwards cannot steer the report into a group that isolates one peer.
    peer_basis = models.JSONField(_("peer groups formed from"), null=True, blank=True, editable=False)
    first_benchmarking = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first benchmarking"),
        help_text=_(
            "Silver: the first Bronze benchmarking of the pair, whose recommendations the improvement areas "
            "come from (empty when it was recorded before the portal)."
        ),
    )
    first_benchmarked_on = models.DateField(
        _("first benchmarking on"),
        null=True,
        blank=True,
        help_text=_("Silver: the date of the first Bronze benchmarking, from which its window is counted."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "level"],
                condition=~Q(state__in=CLOSED_STATES),
                name="assessments_one_open_application",
            ),
        ]
        indexes = [models.Index(fields=["state"], name="assessments_app_state")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_level_display()} ({self.get_state_display()})"

    @property
    def is_editable(self) -> bool:
        return self.state == ApplicationState.DRAFT


class Answer(models.Model):
    """The answer to one indicator. ``revision`` grows with every save, so a
    save made from an older copy of the page is recognised and refused."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="answers", verbose_name=_("application")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="answers", verbose_name=_("indicator")
    )
    value = models.JSONField(_("value"), null=True, blank=True)
    previous_value = models.JSONField(
        _("previous cycle's value"), null=True, blank=True, help_text=_("Pre-filled from the renewed application.")
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["indicator__section__position", "indicator__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["application", "indicator"], name="assessments_answer_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.indicator.code}"


class Evidence(models.Model):
    """A file uploaded for an indicator. Stored privately, served only through a permission check."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("application")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("indicator")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    clarification = models.ForeignKey(
        "Clarification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("clarification"),
        help_text=_("Set when the file answers an assessor's question."),
    )

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class Assignment(models.Model):
    """An assessor assigned to an application. They see nothing of it until they
    have declared that they have no conflict of interest."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("application")
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("assessor")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    scores_submitted_at = models.DateTimeField(
        _("own scores submitted at"),
        null=True,
        blank=True,
        help_text=_("With two experts, neither sees the other's scores before submitting their own."),
    )
    agreed_confirmed_at = models.DateTimeField(
        _("agreed scores confirmed at"),
        null=True,
        blank=True,
        help_text=_("With two experts, each confirms the agreed scores; a change to them voids the confirmations."),
    )
    position = models.TextField(
        _("position on the disagreement"),
        blank=True,
        help_text=_("What this expert holds where the two still disagree; the office reads both."),
    )
    position_at = models.DateTimeField(_("position stated at"), null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "assessor"],
                condition=Q(state__in=ACTIVE_ASSIGNMENT_STATES),
                name="assessments_one_active_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} → {self.application_id} ({self.get_state_display()})"


class Score(models.Model):
    """An assessor's verdict on one indicator. ``assignment`` is that expert's own
    score; a row without assignment is the agreed (consolidated) score."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scores", verbose_name=_("application")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("indicator")
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scores",
        verbose_name=_("assessor's own"),
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        ordering = ["indicator__section__position", "indicator__position"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "indicator", "assignment"],
                condition=Q(assignment__isnull=False),
                name="assessments_one_score_per_expert",
            ),
            models.UniqueConstraint(
                fields=["application", "indicator"],
                condition=Q(assignment__isnull=True),
                name="assessments_one_agreed_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.indicator.code}"


class Clarification(models.Model):
    """A question of the assessor to the organisation, with a due date: the case
    is always on someone's list (the manager's while open, the office's when overdue)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="clarifications", verbose_name=_("application")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("asked by")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(
        _("closed by the office at"), null=True, blank=True, help_text=_("Closed unanswered: no longer awaited.")
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    close_reason = models.TextField(_("why it was closed"), blank=True)
    overdue_notified_at = models.DateTimeField(_("office told it is overdue"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        indexes = [models.Index(fields=["due_on"], name="assessments_clar_due")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.question[:40]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.closed_at is None


# A question still awaited: neither answered nor closed by the office.
OPEN_CLARIFICATION = Q(answered_at__isnull=True, closed_at__isnull=True)


class AssessmentReport(models.Model):
    """The assessors' report and the computed result: what the committee decides on."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="report", verbose_name=_("application")
    )
    summary = models.TextField(_("summary"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    recommendations = models.JSONField(_("recommendations per group"), default=dict, blank=True)
    score_percent = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passes the level's rule"), null=True, blank=True)
    result_notes = models.JSONField(_("why it passes or not"), default=list, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="reports/", blank=True)
    pdf_fingerprint = models.CharField(_("PDF made from"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("assessment report")
        verbose_name_plural = _("assessment reports")

    def __str__(self) -> str:
        return f"report {self.application_id}"


class Decision(models.Model):
    """The committee's decision. One per application: deciding twice is impossible."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision", verbose_name=_("application")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=DecisionOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_outcome_display()}"


class BenchmarkingReport(models.Model):
    """The benchmarking report of a completed Bronze benchmarking as a PDF.

    The figures move whenever another organisation completes a benchmarking, so
    the PDF is kept with the fingerprint of the figures it shows and rendered
    again (by a Celery task) only when they have changed.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="benchmarking_report", verbose_name=_("application")
    )
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="benchmarkings/", blank=True)
    fingerprint = models.CharField(_("fingerprint of the figures shown"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    # The stored copy's language (its last reader's): the one it is rendered in again when figures move.
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("benchmarking report")
        verbose_name_plural = _("benchmarking reports")

    def __str__(self) -> str:
        return f"benchmarking report {self.application_id}"


class SilverImprovementArea(models.Model):
    """One of a Silver case's three improvement areas: a recommendation of the first
    benchmarking the organisation chose, and the auditor's on-site validation of it
    against the Gold criteria (validated, or not with a reason)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="improvement_areas", verbose_name=_("application")
    )
    position = models.PositiveSmallIntegerField(_("area"))
    source = models.CharField(
        _("recommendation"),
        max_length=40,
        blank=True,
        help_text=_("Which recommendation of the first benchmarking: group:<code> or indicator:<code>."),
    )
    recommendation = models.TextField(_("recommendation text"))
    gold_criterion = models.CharField(
        _("Gold criterion"),
        max_length=20,
        blank=True,
        help_text=_("The Gold indicator the area was validated against."),
    )
    validated = models.BooleanField(_("validated"), null=True, blank=True)
    validation_note = models.TextField(_("auditor's note"), blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("improvement area")
        verbose_name_plural = _("improvement areas")
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="assessments_one_area_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.position}"


class StandingDeclaration(models.Model):
    """An expert's standing link to an organisation (advised it, works or worked
    for it, competes with it), declared once and checked at every assignment.

    Never deleted: withdrawing keeps the row (``withdrawn_at``), so the history
    of what an expert declared, and when, stays readable to the office.
    """

    class Kind(models.TextChoices):
        ADVISED = "advised", _("I advise or advised it")
        EMPLOYER = "employer", _("It employs or employed me")
        COMPETITOR = "competitor", _("I work for a competitor")
        OTHER = "other", _("Another link")

    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="standing_declarations",
        verbose_name=_("assessor"),
    )
    organisation = models.ForeignKey(
        "clusters.ClusterOrganisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("link"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("details"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("standing declaration")
        verbose_name_plural = _("standing declarations")
        indexes = [models.Index(fields=["organisation", "withdrawn_at"], name="assessments_standing_org")]

    def __str__(self) -> str:
        return f"{self.assessor_id} ~ {self.organisation_id} ({self.kind})"


class DeadlineReminder(models.Model):
    """One reminder of one late step: the unique (step, record, deadline) row is
    what makes it go out once, whatever the beat does (a second sweep, a retried
    task, two beats find the row there). A moved deadline (an extended question)
    is a new deadline, with its own reminder."""

    step = models.CharField(_("step"), max_length=32)
    record_id = models.PositiveBigIntegerField(_("record"))
    deadline = models.DateField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(fields=["step", "record_id", "deadline"], name="assessments_deadline_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.record_id} {self.deadline}"
