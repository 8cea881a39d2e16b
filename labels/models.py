"""What is awarded: labels, and the jobs that import legacy labels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.enums import DecisionOutcome
from common.enums import Level
from common.files import private_storage
from common.models import BackgroundJob
from labels.codes import CODE_MAX_LENGTH
from labels.enums import (
    AgendaItemState,
    CertificateLanguage,
    LabelSource,
    LabelState,
    MeetingState,
    ReminderState,
    reminder_kind_words,
)


class ImportJob(BackgroundJob):
    """One upload of a legacy label file, worked through by ``labels.tasks.run_import``.

    ``total`` and ``processed`` count the file's rows.
    """

    file = models.FileField(_("file"), upload_to="imports/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    dry_run = models.BooleanField(_("dry run"), default=False, help_text=_("Check the file only, write nothing."))
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("label import")
        verbose_name_plural = _("label imports")

    def __str__(self) -> str:
        return f"{self.file.name} ({self.get_state_display()})"


def registry_sort_name(name: str) -> str:
    """How the registry sorts an organisation's name: case folded, spaces collapsed."""
    return " ".join(name.casefold().split())[:250]


class Label(models.Model):
    """A label held by an organisation at one level, from ``valid_from`` to ``valid_until``.

    Its state (valid, expiring, renewable, lapsed ...) is computed by
    ``labels.validity.label_state``; only revocation and supersession are stored.
    """

    organisation = models.ForeignKey(
        "clusters.ClusterOrganisation",
        on_delete=models.PROTECT,
        related_name="labels",
        verbose_name=_("organisation"),
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    source = models.CharField(_("source"), max_length=16, choices=LabelSource.choices)
    assessed_on = models.DateField(_("assessed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    score = models.DecimalField(
        _("score (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Gold only: percentage of the maximum excellence score."),
    )
    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    # The organisation's name when the label was awarded: what its certificate and
    # credential say, whatever the organisation is called later.
    awarded_name = models.CharField(_("awarded to"), max_length=250, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    application = models.OneToOneField(
        "assessments.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="label",
        verbose_name=_("application"),
        help_text=_("The application the label was awarded on (empty for imports)."),
    )
    certificate = models.FileField(_("certificate"), storage=private_storage, upload_to="certificates/", blank=True)
    certificate_fingerprint = models.CharField(
        _("certificate made from"),
        max_length=64,
        blank=True,
        help_text=_("A hash of what the certificate shows: rendering again with the same facts changes nothing."),
    )
    certificate_language = models.CharField(
        _("certificate language"),
        max_length=12,
        choices=CertificateLanguage.choices,
        default=CertificateLanguage.ENGLISH,
        help_text=_("English, or English and Serbian side by side."),
    )
    imported_in = models.ForeignKey(
        ImportJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="labels",
        verbose_name=_("imported in"),
    )
    # The organisation's name as the public registry sorts it (``registry_sort_name``) and its
    # country, kept here so that a page of the registry walks one index of this table instead
    # of sorting every label: written with the label (``labels.chains.chains_write``) and again
    # when the organisation is renamed (``labels.receivers``).
    sort_name = models.CharField(_("sorted as"), max_length=250, blank=True, editable=False)
    organisation_country = models.CharField(_("country"), max_length=2, blank=True, editable=False)

    class Meta:
        ordering = ["organisation", "level", "-assessed_on"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        indexes = [
            models.Index(fields=["valid_until"], name="labels_label_valid_until"),
            models.Index(fields=["organisation", "level"], name="labels_label_org_level"),
            # The registry's sorts (``labels.registry.SORTS``), each ending in the primary key
            # so that a cursor names one place in the order (keyset pagination).
            models.Index(fields=["sort_name", "id"], name="labels_registry_name"),
            models.Index(fields=["organisation_country", "sort_name", "id"], name="labels_registry_country"),
            models.Index(fields=["level", "sort_name", "id"], name="labels_registry_level"),
            models.Index(fields=["-valid_until", "sort_name", "id"], name="labels_registry_until"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="labels_label_until_after_from"),
            models.UniqueConstraint(
                fields=["organisation", "level"],
                condition=Q(revoked_at__isnull=True, superseded_by__isnull=True),
                name="labels_label_one_current",
                violation_error_message=_("This organisation already holds a current label of this level."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="labels_label_score_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_level_display()}"

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None and self.superseded_by_id is None

    @property
    def state_name(self) -> str:
        """The state ``labels.selectors.with_state`` annotated, in the reader's words ("Lapsed", "Isteklo ...")."""
        return str(LabelState(getattr(self, "state", "")).label)


class CertificateJob(BackgroundJob):
    """A bulk rendering of certificates, worked through by a Celery task: after a
    template change (every current label, and every label that has a
    certificate), or after an import (the current labels it wrote).

    ``total`` and ``processed`` count certificates.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    import_job = models.ForeignKey(
        ImportJob,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_jobs",
        verbose_name=_("label import"),
    )
    # Only the labels of this level (the command's --level); blank: every level.
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    total = models.PositiveIntegerField(_("certificates"), default=0)
    rendered = models.PositiveIntegerField(_("rendered again"), default=0)
    failed = models.JSONField(_("failures"), default=list, blank=True)
    # The job is cut into ranges of label ids, [first, last], one task each; a range is counted
    # once, when its first id joins ``chunks_done``, however often its task is delivered.
    chunk_bounds = models.JSONField(_("ranges of labels"), default=list, blank=True)
    chunks_done = models.JSONField(_("ranges done"), default=list, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("certificate regeneration")
        verbose_name_plural = _("certificate regenerations")

    def __str__(self) -> str:
        return f"certificates {self.created_at:%Y-%m-%d %H:%M} ({self.get_state_display()})"


class LabelReminder(models.Model):
    """One re-certification reminder of one label, e.g. "expiry-90" or "window-30".

    A sweep first claims the reminders that are due (rows in ``pending``), then
    sends each one under a row lock and marks it ``sent``. The unique
    (label, kind, end date) constraint is what makes "at most once" hold: a
    second sweep, a beat started twice or a retried task can only find the row
    already there. A corrected end date starts a new timeline.
    """

    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("label"))
    kind = models.CharField(_("reminder"), max_length=32)
    sequence = models.PositiveSmallIntegerField(
        _("position"), help_text=_("The reminder's place in the label's timeline; an earlier one is never sent later.")
    )
    due_on = models.DateField(_("due on"))
    for_valid_until = models.DateField(
        _("for the end date"),
        help_text=_("The end of validity the reminder was about: a corrected end date starts a new timeline."),
    )
    state = models.CharField(_("state"), max_length=16, choices=ReminderState.choices, default=ReminderState.PENDING)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["label", "sequence"]
        verbose_name = _("label reminder")
        verbose_name_plural = _("label reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["label", "kind", "for_valid_until"],
                name="labels_reminder_once",
                violation_error_message=_("This reminder was already sent for this label."),
            )
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="labels_reminder_state")]

    def __str__(self) -> str:
        return f"{self.label.code}: {self.kind} ({self.get_state_display()})"

    @property
    def kind_name(self) -> str:
        return reminder_kind_words(self.kind)


class ReminderDigest(models.Model):
    """The label office's weekly digest: one row per week, so it goes out once."""

    week = models.DateField(_("week starting"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-week"]
        verbose_name = _("weekly reminder digest")
        verbose_name_plural = _("weekly reminder digests")

    def __str__(self) -> str:
        return f"{self.week:%Y-%m-%d}"


class Meeting(models.Model):
    """A board meeting of the label committee: the office schedules it with the
    cases ready for a decision, records the members present when it opens (at least
    the quorum), and closes it; its minutes are a PDF rendered by the worker."""

    held_on = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=16, choices=MeetingState.choices, default=MeetingState.SCHEDULED)
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), help_text=_("Members who must be present, from the scheme's configuration when scheduled.")
    )
    members_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="board_meetings", blank=True, verbose_name=_("members present")
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("scheduled by")
    )
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    minutes = models.FileField(_("minutes"), storage=private_storage, upload_to="minutes/", blank=True)
    minutes_fingerprint = models.CharField(_("minutes made from"), max_length=64, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("board meeting")
        verbose_name_plural = _("board meetings")

    def __str__(self) -> str:
        return f"{_('Board meeting')} {self.held_on:%Y-%m-%d}"


class AgendaItem(models.Model):
    """A case on a meeting's agenda, with its rapporteur's proposal and the second
    member's approval (four eyes inside the committee)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting"))
    application = models.ForeignKey(
        "assessments.Application", on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("case")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    state = models.CharField(
        _("state"), max_length=16, choices=AgendaItemState.choices, default=AgendaItemState.PENDING
    )
    outcome = models.CharField(_("proposed outcome"), max_length=10, choices=DecisionOutcome.choices, blank=True)
    reason = models.TextField(_("reasons"), blank=True)
    certificate_language = models.CharField(
        _("certificate language"), max_length=16, choices=CertificateLanguage.choices, blank=True
    )
    rapporteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapporteur"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="labels_agenda_case_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.application_id}"


class StoredFigure(models.Model):
    """One figure of the dashboards and statistics for one scope, kept ready by the worker.

    Derived data: ``labels.figures.figures_refresh`` is its one writer and
    overwrites the row in place (no history row: it records nothing a person did,
    and can be computed again from the labels at any time). ``scope`` is
    ``labels.figures.scope_key``: ``all``, one country code, or a partner's
    codes joined by commas. ``value`` is JSON in no language (codes, not names);
    ``day`` is the day it was computed for.
    """

    name = models.CharField(_("figure"), max_length=40)
    scope = models.CharField(_("scope"), max_length=200)
    day = models.DateField(_("computed for"))
    computed_at = models.DateTimeField(_("computed at"))
    value = models.JSONField(_("value"))

    class Meta:
        verbose_name = _("stored figure")
        verbose_name_plural = _("stored figures")
        constraints = [models.UniqueConstraint(fields=["name", "scope"], name="labels_storedfigure_once")]

    def __str__(self) -> str:
        return f"{self.name} · {self.scope} · {self.day:%Y-%m-%d}"
