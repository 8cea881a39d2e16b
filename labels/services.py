"""Writes on labels: creating one, importing legacy files, running import jobs."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.enums import ApplicationState, DecisionOutcome
from assessments.models import Application, Decision
from assessments.services import application_transition
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from clusters.selectors import organisation_find
from clusters.services import managers_of, organisation_create
from common.enums import JobState, Level
from common.errors import ActionRefused
from common.models import Sector
from common.notify import notify
from labels.certificates import certificate_language_default
from labels.codes import code_random
from labels.enums import CertificateLanguage, LabelSource
from labels.importing import ParsedRow, RowError, parse_labels_csv
from labels.models import CertificateJob, ImportJob, Label, LabelEvent
from labels.selectors import CURRENT_LABEL
from labels.validity import compute_validity

logger = logging.getLogger(__name__)

# Rows between two progress reports: often enough for a progress bar, rare
# enough not to cost a query per row.
PROGRESS_EVERY = 100
# Keeps ``IN (...)`` lists under every database's parameter limit.
CHUNK = 500

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Creating labels -------------------------------------------------------


def _codes_assign(labels: Sequence[Label]) -> None:
    """Give every label without a code a fresh one, drawing again on a collision
    (with the database, or within the batch)."""
    taken = {label.code for label in labels if label.code}
    missing = [label for label in labels if not label.code]
    while missing:
        for label in missing:
            # str() of a django-countries Country is its code.
            label.code = code_random(
                country=str(label.organisation.country), level=label.level, year=label.assessed_on.year
            )
        candidates = [label.code for label in missing]
        in_db: set[str] = set()
        for chunk in _chunks(candidates):
            in_db.update(Label.objects.filter(code__in=chunk).values_list("code", flat=True))
        clashing = []
        for label in missing:
            if label.code in in_db or label.code in taken:
                clashing.append(label)
            else:
                taken.add(label.code)
        missing = clashing


def _chronological(labels: Iterable[Label]) -> list[Label]:
    return sorted(labels, key=lambda label: (label.assessed_on, label.pk or 0))


def _labels_write(chains: Iterable[list[Label]]) -> None:
    """Insert the unsaved labels of each chain and link every chain by ``superseded_by``.

    A chain holds every label of one organisation and level that is not
    revoked, saved or not, oldest first. Afterwards each new label is
    superseded by the next one in its chain, the last one is current, and an
    existing current label that is no longer last is superseded by its next.

    The database allows one current label per organisation and level at every
    moment, and a label can only point to a saved one. So labels are inserted
    newest first (each points to an already saved successor), and a new
    newest label that must replace an existing current one is first inserted
    pointing to that one, then freed once the old one is superseded.
    """
    pending: list[tuple[Label, Label | None]] = []
    supersede: list[tuple[Label, Label]] = []  # (existing current label, its successor)
    parked: dict[int, tuple[Label, Label]] = {}  # id(new newest) -> (new newest, existing current)
    for chain in chains:
        last = chain[-1]
        for position, label in enumerate(chain):
            successor = chain[position + 1] if position + 1 < len(chain) else None
            if label.pk is None:
                pending.append((label, successor))
            elif successor is not None and label.is_current and last.pk is None:
                supersede.append((label, successor))
                parked[id(last)] = (last, label)

    while pending:
        ready = [(label, successor) for label, successor in pending if successor is None or successor.pk is not None]
        pending = [(label, successor) for label, successor in pending if successor is not None and successor.pk is None]
        for label, successor in ready:
            if successor is None and id(label) in parked:
                successor = parked[id(label)][1]
            label.superseded_by = successor
        Label.objects.bulk_create([label for label, _successor in ready])

    if supersede:
        for label, successor in supersede:
            label.superseded_by = successor
        Label.objects.bulk_update([label for label, _successor in supersede], ["superseded_by"])
    if parked:
        newest = [label for label, _current in parked.values()]
        for ids in _chunks([label.pk for label in newest]):
            Label.objects.filter(pk__in=ids).update(superseded_by=None)
        for label in newest:
            label.superseded_by = None


@transaction.atomic
def label_create(
    *,
    organisation: ClusterOrganisation,
    level: Level,
    assessed_on: date,
    source: LabelSource,
    valid_until: date | None = None,
    score: Decimal | None = None,
    code: str = "",
    imported_in: ImportJob | None = None,
    application: Application | None = None,
    certificate_language: CertificateLanguage = CertificateLanguage.ENGLISH,
) -> Label:
    """Create a label, its validity computed from the organisation's previous label of that level.

    ``valid_until`` overrides the computed end (legacy records);
    ``certificate_language`` is what its certificate is printed in. Side effects:
    the current label of that organisation and level, when older, is
    superseded by the new one; when newer, the new label is created already
    superseded by it (a late record of history). No e-mail, no task.
    Raises ``ValidationError`` for a second label on the same assessment date.
    """
    others = _chronological(
        Label.objects.select_for_update()
        .select_related("organisation")
        .filter(organisation=organisation, level=level, revoked_at__isnull=True)
    )
    if any(other.assessed_on == assessed_on for other in others):
        raise ValidationError(_("A label of this level assessed on that date already exists."))
    previous = [other for other in others if other.assessed_on < assessed_on]
    validity = compute_validity(
        level=level, assessed_on=assessed_on, previous_valid_until=previous[-1].valid_until if previous else None
    )
    label = Label(
        organisation=organisation,
        level=level,
        source=source,
        assessed_on=assessed_on,
        valid_from=validity.valid_from,
        valid_until=valid_until or validity.valid_until,
        score=score,
        code=code,
        imported_in=imported_in,
        application=application,
        certificate_language=certificate_language,
    )
    if label.valid_until <= label.valid_from:
        raise ValidationError(_("valid_until must be after valid_from (%(date)s).") % {"date": label.valid_from})
    _codes_assign([label])
    _labels_write([_chronological([*others, label])])
    return label


# --- Importing legacy labels -----------------------------------------------


@dataclass(frozen=True)
class PlannedLabel:
    """A label the import creates (or would create, in a dry run)."""

    row: int
    organisation: str
    country: str
    level: str
    assessed_on: date
    valid_from: date
    valid_until: date
    is_renewal: bool
    organisation_is_new: bool


@dataclass
class ImportResult:
    dry_run: bool = False
    total_rows: int = 0
    created: int = 0
    unchanged: int = 0
    organisations_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    planned: list[PlannedLabel] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=_error_order)

    def as_dict(self) -> dict[str, object]:
        """What ``ImportJob.report`` keeps: JSON, without the per-row plan."""
        return {
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "organisations_created": self.organisations_created,
            "errors": [error.as_dict() for error in self.sorted_errors],
        }


def _error_order(error: RowError) -> tuple[int, str]:
    return error.row, error.column


@dataclass
class _NewRow:
    """A row that becomes a label, with the validity worked out for it."""

    row: ParsedRow
    valid_from: date
    valid_until: date
    is_renewal: bool
    label: Label | None = None

    @property
    def assessed_on(self) -> date:
        return self.row.assessed_on

    def as_label(self) -> Label:
        assert self.label is not None, "built in the write phase"
        return self.label


def labels_import(
    *,
    content: bytes,
    dry_run: bool = False,
    job: ImportJob | None = None,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import a legacy label file (``labels.importing.COLUMNS``), all or nothing.

    Every row is checked first; if any is wrong nothing is written and the
    result lists every error. Rows whose label exists already (same code, or
    same organisation, level and assessment date) are counted unchanged, so a
    file can be imported twice. ``progress(done, total)`` is called every
    ``PROGRESS_EVERY`` rows while checking.

    Side effects (unless ``dry_run`` or errors), in one transaction: creates
    the organisations not found (active, with city, website and sectors),
    creates the labels (source import, ``imported_in=job``) and supersedes
    older labels of the same organisation and level. No e-mail, no task.
    """
    today = today or timezone.localdate()
    sectors = {sector.name: sector for sector in Sector.objects.all()}
    parsed = parse_labels_csv(content, sector_names=sectors, today=today)
    result = ImportResult(dry_run=dry_run, total_rows=parsed.total_rows, errors=list(parsed.errors))
    if not parsed.rows:
        return result

    rows = sorted(parsed.rows, key=lambda r: (*r.organisation_key, r.level.value, r.assessed_on))
    total = parsed.total_rows

    # Organisations: one look-up per organisation of the file, not per row.
    organisations: dict[tuple[str, str], ClusterOrganisation | None] = {}
    for done, row in enumerate(rows):
        if row.organisation_key not in organisations:
            organisations[row.organisation_key] = organisation_find(name=row.organisation, country=row.country)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)

    known_ids = sorted({organisation.pk for organisation in organisations.values() if organisation is not None})
    existing: dict[tuple[int, str], list[Label]] = defaultdict(list)
    for id_chunk in _chunks(known_ids):
        for label in Label.objects.filter(organisation_id__in=id_chunk).select_related("organisation"):
            existing[(label.organisation_id, label.level)].append(label)
    given_codes = sorted({row.label_code for row in rows if row.label_code})
    by_code: dict[str, Label] = {}
    for code_chunk in _chunks(given_codes):
        by_code.update(
            (label.code, label) for label in Label.objects.filter(code__in=code_chunk).select_related("organisation")
        )

    # Per organisation and level: its labels that are not revoked and the
    # file's new ones, oldest first. A new label continues the newest older one.
    chains: dict[tuple[object, ...], list[_NewRow | Label]] = {}
    new_rows: list[_NewRow] = []
    for row in rows:
        organisation = organisations[row.organisation_key]
        if organisation is None:
            group_labels: list[Label] = []
            chain_key: tuple[object, ...] = ("new", *row.organisation_key, row.level.value)
        else:
            group_labels = existing[(organisation.pk, row.level.value)]
            chain_key = ("id", organisation.pk, row.level.value)
        if chain_key not in chains:
            chains[chain_key] = [*_chronological(label for label in group_labels if label.revoked_at is None)]
        chain = chains[chain_key]
        status = _existing_status(row, group_labels, by_code)
        if isinstance(status, RowError):
            result.errors.append(status)
            continue
        if status == "unchanged":
            result.unchanged += 1
            continue
        # Rows come sorted, but a label already in the database may be newer
        # than this row: the previous label is the newest older one.
        previous = [item for item in chain if item.assessed_on < row.assessed_on]
        validity = compute_validity(
            level=row.level,
            assessed_on=row.assessed_on,
            previous_valid_until=previous[-1].valid_until if previous else None,
        )
        valid_until = row.valid_until or validity.valid_until
        if valid_until <= validity.valid_from:
            result.errors.append(
                RowError(
                    row.row,
                    "valid_until",
                    _("valid_until must be after %(date)s, where this renewal starts.") % {"date": validity.valid_from},
                )
            )
            continue
        new_row = _NewRow(row, validity.valid_from, valid_until, validity.is_renewal)
        chain.insert(len(previous), new_row)
        new_rows.append(new_row)
    if progress is not None:
        progress(total, total)

    if result.errors:
        return result
    result.created = len(new_rows)
    new_organisations = sorted(
        {r.row.organisation_key for r in new_rows if organisations[r.row.organisation_key] is None}
    )
    result.organisations_created = len(new_organisations)
    result.planned = [
        PlannedLabel(
            row=r.row.row,
            organisation=r.row.organisation,
            country=r.row.country,
            level=r.row.level.value,
            assessed_on=r.row.assessed_on,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            is_renewal=r.is_renewal,
            organisation_is_new=organisations[r.row.organisation_key] is None,
        )
        for r in sorted(new_rows, key=lambda r: r.row.row)
    ]
    if dry_run or not new_rows:
        return result

    # Checked outside this transaction so the progress bar can move; a label
    # written meanwhile by someone else makes a constraint fail, and then the
    # whole import rolls back rather than half happen.
    with transaction.atomic():
        created_organisations = _organisations_create(new_organisations, new_rows, sectors)
        organisations.update(created_organisations)
        for new_row in new_rows:
            row = new_row.row
            new_row.label = Label(
                organisation=organisations[row.organisation_key],
                level=row.level,
                source=LabelSource.IMPORT,
                assessed_on=row.assessed_on,
                valid_from=new_row.valid_from,
                valid_until=new_row.valid_until,
                score=row.score,
                code=row.label_code,
                imported_in=job,
            )
        _codes_assign([new_row.as_label() for new_row in new_rows])
        _labels_write(
            [
                [item.as_label() if isinstance(item, _NewRow) else item for item in chain]
                for chain in chains.values()
                if any(isinstance(item, _NewRow) for item in chain)
            ]
        )
    return result


def _existing_status(
    row: ParsedRow,
    group_labels: list[Label],
    by_code: dict[str, Label],
) -> str | RowError:
    """ "new", "unchanged", or the error that a row's label clashes with one in the database."""
    same_day = next((label for label in group_labels if label.assessed_on == row.assessed_on), None)
    if row.label_code and row.label_code in by_code:
        holder = by_code[row.label_code]
        if same_day is not None and holder.pk == same_day.pk:
            return "unchanged"
        return RowError(
            row.row,
            "label_code",
            _("Code %(code)s already belongs to the %(level)s label of %(organisation)s assessed on %(date)s.")
            % {
                "code": row.label_code,
                "level": holder.get_level_display(),
                "organisation": holder.organisation,
                "date": holder.assessed_on,
            },
        )
    if same_day is None:
        return "new"
    if row.label_code and row.label_code != same_day.code:
        return RowError(
            row.row,
            "label_code",
            _("This label exists already, with code %(code)s.") % {"code": same_day.code},
        )
    return "unchanged"


def _organisations_create(
    keys: list[tuple[str, str]], new_rows: list[_NewRow], sectors: dict[str, Sector]
) -> dict[tuple[str, str], ClusterOrganisation]:
    """One organisation per key, from its first row in the file, with the sectors of all its rows."""
    rows_by_key: dict[tuple[str, str], list[ParsedRow]] = defaultdict(list)
    for new_row in sorted(new_rows, key=lambda r: r.row.row):
        rows_by_key[new_row.row.organisation_key].append(new_row.row)
    created = {}
    for key in keys:
        first = rows_by_key[key][0]
        created[key] = organisation_create(
            name=first.organisation,
            country=first.country,
            city=first.city,
            website=first.website,
            sectors=[sectors[name] for name in sorted({row.sector for row in rows_by_key[key]})],
            state=OrganisationState.ACTIVE,
        )
    return created


# --- Import jobs (the upload page) ------------------------------------------


def import_job_create(*, file: File, uploaded_by: User, dry_run: bool = False) -> ImportJob:
    """Store an uploaded label file and queue its import.

    Side effects: the file is saved under ``MEDIA_ROOT/imports/``;
    ``labels.tasks.run_import`` is queued once the transaction commits (so the
    worker never looks for a job that is not saved yet).
    """
    # tasks.py sits above services.py (it calls them): import it late.
    from labels.tasks import run_import

    job = ImportJob(uploaded_by=uploaded_by, dry_run=dry_run)
    job.file.save(Path(file.name or "labels.csv").name, file, save=False)
    job.save()
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a queued import job; a finished job is left as it is (tasks may be delivered twice).

    Side effects: the job goes running, then done (report: counts and
    errors) or failed (report: the failure); its progress is saved every
    ``PROGRESS_EVERY`` rows; the labels and organisations of the file are
    written as ``labels_import`` describes, unless the job is a dry run; once
    done, one bulk certificate job renders the current labels it wrote
    (``certificate_job_queue``), queued with the job's last save.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            return job
        job.state = JobState.RUNNING
        job.processed = 0
        job.save(update_fields=["state", "processed"])

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        result = labels_import(content=content, dry_run=job.dry_run, job=job, progress=progress)
    except Exception:
        # A bug or a lost database must not leave the page polling forever.
        logger.exception("label import job %s failed", job.pk)
        job.state = JobState.FAILED
        job.report = {"failure": _("The import stopped on an unexpected error; nothing was written.")}
    else:
        job.state = JobState.DONE
        job.total = result.total_rows
        job.processed = result.total_rows
        job.report = result.as_dict()
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["state", "total", "processed", "report", "finished_at"])
        # Asked of the database, not of this run's count: a run redelivered after a
        # crash that followed the write finds its labels unchanged, yet without certificates.
        if (
            job.state == JobState.DONE
            and not job.certificate_jobs.exists()
            and Label.objects.filter(CURRENT_LABEL, imported_in=job).exists()
        ):
            certificate_job_queue(created_by=job.uploaded_by, import_job=job)
    return job


# --- The committee's decision ------------------------------------------------------


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
    required. The person deciding is never an assessor of the case. Deciding
    twice (two tabs, two members at once) gives one decision and one label:
    the second is refused. Side effects after commit: the organisation's
    managers are notified; the certificate is rendered by a Celery task.
    """
    locked = Application.objects.select_for_update().select_related("organisation").get(pk=application.pk)
    if not by.has_perm("assessments.decide", locked):
        raise PermissionDenied
    if Decision.objects.filter(application=locked).exists():
        raise ActionRefused(_("This case has already been decided."))
    if locked.state != ApplicationState.AWAITING_DECISION:
        raise ActionRefused(_("Only cases awaiting a decision can be decided."))
    outcome = DecisionOutcome(outcome)
    report = getattr(locked, "report", None)
    if outcome == DecisionOutcome.AWARDED and (report is None or not report.passed):
        raise ActionRefused(_("The assessment does not pass the level's rule: refuse with a reason instead."))
    if outcome == DecisionOutcome.REFUSED and not reason.strip():
        raise ActionRefused(_("Give the reason for refusing: the organisation will read it."))
    if certificate_language and certificate_language not in CertificateLanguage.values:
        raise ActionRefused(_("Choose English, or English and Serbian."))
    language = CertificateLanguage(certificate_language or certificate_language_default(locked.organisation))
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                application=locked, outcome=outcome, reason=reason.strip(), decided_by=by
            )
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
        transaction.on_commit(lambda: _queue_certificate(label.pk))
    else:
        application_transition(application=locked, to_state=ApplicationState.REFUSED, by=by, note=reason)
    transaction.on_commit(
        lambda: notify(
            people=managers_of(locked.organisation),
            template="assessments/email/decided",
            context={"application": locked, "decision": decision},
            url=reverse("assessments:application_detail", args=[locked.pk]),
        )
    )
    return decision


def _queue_certificate(label_id: int) -> None:
    from labels.tasks import render_certificate  # the task module imports this one

    render_certificate.delay(label_id)


# --- Revocation and correction ------------------------------------------------------


@transaction.atomic
def label_revoke(*, label: Label, by: User, reason: str) -> Label:
    """The label office revokes a label, with a mandatory reason.

    Side effects: a history event; verification says revoked and why at once;
    the certificate is rendered again after commit.
    """
    if not by.has_perm("labels.revoke_label"):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(_("Give the reason for revoking: the verification page shows it."))
    label = Label.objects.select_for_update().get(pk=label.pk)
    if label.revoked_at is not None:
        raise ActionRefused(_("This label is already revoked."))
    label.revoked_at, label.revoked_by, label.revoke_reason = timezone.now(), by, reason.strip()
    label.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    LabelEvent.objects.create(label=label, kind=LabelEvent.Kind.REVOKED, by=by, reason=reason.strip())
    transaction.on_commit(lambda: _queue_certificate(label.pk))
    return label


@transaction.atomic
def label_correct(
    *, label: Label, by: User, reason: str, valid_until: date | None = None, organisation_name: str | None = None
) -> Label:
    """The office corrects a label's end date or the organisation's name as
    printed, with a reason.

    Side effects: a history event with the old and new value; the certificate
    is rendered again after commit.
    """
    if not by.has_perm("labels.revoke_label"):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(_("Give the reason for the correction."))
    label = Label.objects.select_for_update().get(pk=label.pk)
    changes = {}
    if valid_until is not None and valid_until != label.valid_until:
        if valid_until <= label.valid_from:
            raise ActionRefused(
                _("The end of validity must come after its start (%(date)s).") % {"date": label.valid_from}
            )
        changes["valid_until"] = [label.valid_until.isoformat(), valid_until.isoformat()]
        label.valid_until = valid_until
        label.save(update_fields=["valid_until"])
    name = (organisation_name or "").strip()
    if name and name != label.organisation.name:
        changes["organisation_name"] = [label.organisation.name, name]
        ClusterOrganisation.objects.filter(pk=label.organisation_id).update(name=name)
    if not changes:
        raise ActionRefused(_("Nothing to correct: the values are the same."))
    LabelEvent.objects.create(
        label=label, kind=LabelEvent.Kind.CORRECTED, by=by, reason=reason.strip(), changes=changes
    )
    transaction.on_commit(lambda: _queue_certificate(label.pk))
    return label


# --- Bulk regeneration of certificates ----------------------------------------------


def certificate_job_labels(job: CertificateJob) -> QuerySet[Label]:
    """The labels a bulk job renders: the current labels its import wrote; or,
    for a regeneration, every current label and every label that has a
    certificate (so a template change reaches the history too)."""
    if job.import_job_id is not None:
        return Label.objects.filter(CURRENT_LABEL, imported_in_id=job.import_job_id)
    return Label.objects.filter(CURRENT_LABEL | ~Q(certificate=""))


def certificate_job_create(*, by: User) -> CertificateJob:
    """The office renders every current label's certificate that is missing or
    outdated (after a template change), and every other one that is outdated.

    Side effects: a job row; the work runs in a Celery task after commit.
    """
    if not by.has_perm("labels.revoke_label"):
        raise PermissionDenied
    return certificate_job_queue(created_by=by)


def certificate_job_queue(*, created_by: User | None = None, import_job: ImportJob | None = None) -> CertificateJob:
    """Queue one bulk rendering of ``certificate_job_labels``: of the current
    labels ``import_job`` wrote, or without it of every current label and every
    certificate. No permission check: for the office's button, the import job
    and the demo.

    Side effects: a job row; ``labels.tasks.regenerate_certificates`` is
    queued after commit.
    """
    with transaction.atomic():
        job = CertificateJob(created_by=created_by, import_job=import_job)
        job.total = certificate_job_labels(job).count()
        job.save()
        transaction.on_commit(lambda: _queue_certificate_job(job.pk))
    return job


def _queue_certificate_job(job_id: int) -> None:
    from labels.tasks import regenerate_certificates

    regenerate_certificates.delay(job_id)


def certificate_job_run(*, job: CertificateJob) -> CertificateJob:
    """Render every certificate of ``certificate_job_labels`` that is missing or
    whose facts or template changed. A re-run after a crash skips what is
    already current (the fingerprint), so nothing is rendered twice. Progress is
    saved every few labels for the office's page."""
    from labels.certificates import certificate_missing, certificate_outdated, certificate_render

    labels = certificate_job_labels(job)
    # Labels written between queueing and running count too.
    CertificateJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, total=labels.count())
    processed = rendered = 0
    failed: list[str] = []
    # A chunked cursor: however many labels there are, only a chunk is in memory.
    for label in labels.select_related("organisation").order_by("pk").iterator(chunk_size=200):
        try:
            if certificate_missing(label) or certificate_outdated(label):
                certificate_render(label=label)
                rendered += 1
        except Exception as exc:  # one broken label must not stop the others; it is reported
            logger.exception("certificate %s failed", label.code)
            failed.append(f"{label.code}: {type(exc).__name__}")
        processed += 1
        if processed % 10 == 0:
            CertificateJob.objects.filter(pk=job.pk).update(processed=processed, rendered=rendered)
    CertificateJob.objects.filter(pk=job.pk).update(
        processed=processed, rendered=rendered, failed=failed, state=JobState.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
