"""The import of legacy labels: a parsed file becomes organisations and labels, all or nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.benchmarking.pdf import benchmarking_reports_refresh
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from clusters.selectors import organisation_find
from clusters.services import organisation_create
from common.models import Sector
from labels.chains import chains_write, chronological, chunks, codes_assign
from labels.enums import LabelSource
from labels.imports.parser import ParsedRow, RowError, parse_labels_csv
from labels.models import ImportJob, Label
from labels.validity import compute_validity

# Rows between two progress reports: often enough for a progress bar, rare
# enough not to cost a query per row.
PROGRESS_EVERY = 100
# Chains (an organisation's labels of one level) written per batch of the import's write.
WRITE_BATCH_CHAINS = 500


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
    for id_chunk in chunks(known_ids):
        for label in Label.objects.filter(organisation_id__in=id_chunk).select_related("organisation"):
            existing[(label.organisation_id, label.level)].append(label)
    given_codes = sorted({row.label_code for row in rows if row.label_code})
    by_code: dict[str, Label] = {}
    for code_chunk in chunks(given_codes):
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
            chains[chain_key] = [*chronological(label for label in group_labels if label.revoked_at is None)]
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
        # Chains are independent of each other: written a batch at a time, so the new labels
        # and their history rows are in memory one batch at a time, not the whole file's.
        changed = [chain for chain in chains.values() if any(isinstance(item, _NewRow) for item in chain)]
        for batch in chunks(changed, WRITE_BATCH_CHAINS):
            _chains_write_batch(batch, organisations, job)
        # Imported labels move the benchmarking reports' level groups: one refresh for the file.
        benchmarking_reports_refresh()
    return result


def _chains_write_batch(
    batch: Sequence[list[_NewRow | Label]],
    organisations: dict[tuple[str, str], ClusterOrganisation | None],
    job: ImportJob | None,
) -> None:
    """Build, code and write the new labels of a batch of chains, then let them go."""
    fresh = [item for chain in batch for item in chain if isinstance(item, _NewRow)]
    for new_row in fresh:
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
    # Codes drawn in earlier batches are in the database already, where codes_assign looks.
    codes_assign([new_row.as_label() for new_row in fresh])
    chains_write([[item.as_label() if isinstance(item, _NewRow) else item for item in chain] for chain in batch])
    for new_row in fresh:
        new_row.label = None


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
