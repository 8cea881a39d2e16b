"""The import of legacy labels: a parsed file becomes organisations and labels, all or nothing."""

from __future__ import annotations

import gc
import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

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
from labels.figures import figures_changed
from labels.imports.parser import ParsedFile, ParsedRow, RowError, read_labels_csv
from labels.imports.staging import Staging
from labels.models import ImportJob, Label
from labels.validity import compute_validity

# Organisations checked, and written, per batch: a batch's rows and labels are what is held.
ORGANISATIONS_PER_BATCH = 500
# The plan of this many rows at most is kept for the dry run's listing (the first of the file).
PLANNED_KEPT = 1000


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
    batch of organisations while checking.

    A file of any size is worked through without holding its rows: they are
    read one by one into a temporary staging database (``staging``), then
    checked, and written, ``ORGANISATIONS_PER_BATCH`` organisations at a time,
    keeping only counters, the errors, the ids of the organisations found and
    the plan of the first ``PLANNED_KEPT`` rows.

    Side effects (unless ``dry_run`` or errors), in one transaction: creates
    the organisations not found (active, with city, website and sectors),
    creates the labels (source import, ``imported_in=job``) and supersedes
    older labels of the same organisation and level. No e-mail; after commit, one
    (coalesced) refresh of the stored figures (``labels.figures``) and of the
    benchmarking reports.
    """
    today = today or timezone.localdate()
    sectors = {sector.name: sector for sector in Sector.objects.all()}
    parsed = ParsedFile()
    with Staging() as staging:
        for row in read_labels_csv(content, sector_names=sectors, today=today, into=parsed, seen=staging):
            staging.add(row)
        result = ImportResult(dry_run=dry_run, total_rows=parsed.total_rows, errors=list(parsed.errors))
        if not staging.count:
            return result

        # The check: one batch of organisations at a time; what is kept is counted, not listed.
        organisation_ids: dict[tuple[str, str], int | None] = {}
        planned: list[tuple[int, int, PlannedLabel]] = []  # a heap of the first rows' plans
        created = organisations_created = done = 0
        for batch in _batches(staging.organisations(), ORGANISATIONS_PER_BATCH):
            for group in _groups_planned(batch, result.errors, organisation_ids=None):
                organisation_ids[group.key] = group.organisation.pk if group.organisation else None
                result.unchanged += group.unchanged
                created += len(group.new_rows)
                organisations_created += group.organisation is None and bool(group.new_rows)
                for new_row in group.new_rows:
                    _keep_first(planned, _planned(new_row, organisation_is_new=group.organisation is None))
                done += len(group.rows)
            if progress is not None:
                progress(done, parsed.total_rows)
            gc.collect()
        if progress is not None:
            progress(parsed.total_rows, parsed.total_rows)

        if result.errors:
            return result
        result.created = created
        result.organisations_created = organisations_created
        result.planned = [entry for _row, _n, entry in sorted(planned, key=lambda item: -item[0])]
        if dry_run or not created:
            return result

        # Checked outside this transaction so the progress bar can move; a label
        # written meanwhile by someone else makes the write differ from the check
        # or a constraint fail, and then the whole import rolls back rather than half happen.
        with transaction.atomic():
            for batch in _batches(staging.organisations(), ORGANISATIONS_PER_BATCH):
                errors: list[RowError] = []
                groups = _groups_planned(batch, errors, organisation_ids=organisation_ids)
                if errors:
                    raise ImportChanged(errors)
                _groups_write(groups, sectors, job)
                del groups
                # A model instance and its file field refer to each other: without a collection
                # per batch, the batches' labels would wait for a rare full one, and pile up.
                gc.collect()
            # Imported labels move the benchmarking reports' level groups and the stored
            # figures: one refresh of each for the file.
            benchmarking_reports_refresh()
            figures_changed()
    return result


class ImportChanged(RuntimeError):
    """The database changed between the check and the write: nothing is written."""


T = TypeVar("T")


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _keep_first(heap: list[tuple[int, int, PlannedLabel]], entry: PlannedLabel) -> None:
    """Keep the plans of the ``PLANNED_KEPT`` first rows of the file (the heap's top is the last kept)."""
    heapq.heappush(heap, (-entry.row, entry.row, entry))
    if len(heap) > PLANNED_KEPT:
        heapq.heappop(heap)


def _planned(new_row: _NewRow, *, organisation_is_new: bool) -> PlannedLabel:
    row = new_row.row
    return PlannedLabel(
        row=row.row,
        organisation=row.organisation,
        country=row.country,
        level=row.level.value,
        assessed_on=row.assessed_on,
        valid_from=new_row.valid_from,
        valid_until=new_row.valid_until,
        is_renewal=new_row.is_renewal,
        organisation_is_new=organisation_is_new,
    )


@dataclass
class _Group:
    """One organisation of the file: its rows, and what the import makes of them."""

    key: tuple[str, str]
    rows: list[ParsedRow]
    organisation: ClusterOrganisation | None
    chains: list[list[_NewRow | Label]] = field(default_factory=list)
    new_rows: list[_NewRow] = field(default_factory=list)
    unchanged: int = 0


def _groups_planned(
    batch: list[list[ParsedRow]],
    errors: list[RowError],
    *,
    organisation_ids: dict[tuple[str, str], int | None] | None,
) -> list[_Group]:
    """Each organisation's rows of a batch checked against the database, and their chains.

    The check finds the organisations (one look-up each, by name and country); the write
    reads those the check found by id (``organisation_ids``), and creates the others."""
    if organisation_ids is None:
        found = {
            rows[0].organisation_key: organisation_find(name=rows[0].organisation, country=rows[0].country)
            for rows in batch
        }
    else:
        by_id = ClusterOrganisation.objects.in_bulk(
            [pk for rows in batch if (pk := organisation_ids.get(rows[0].organisation_key)) is not None]
        )
        found = {
            rows[0].organisation_key: by_id.get(organisation_ids.get(rows[0].organisation_key) or 0) for rows in batch
        }
    known_ids = sorted({organisation.pk for organisation in found.values() if organisation is not None})
    existing: dict[tuple[int, str], list[Label]] = defaultdict(list)
    for id_chunk in chunks(known_ids):
        for label in Label.objects.filter(organisation_id__in=id_chunk).select_related("organisation"):
            existing[(label.organisation_id, label.level)].append(label)
    given_codes = sorted({row.label_code for rows in batch for row in rows if row.label_code})
    by_code: dict[str, Label] = {}
    for code_chunk in chunks(given_codes):
        by_code.update(
            (label.code, label) for label in Label.objects.filter(code__in=code_chunk).select_related("organisation")
        )

    groups = []
    for rows in batch:
        key = rows[0].organisation_key
        group = _Group(key=key, rows=rows, organisation=found[key])
        # Per level: the organisation's labels that are not revoked and the file's
        # new ones, oldest first. A new label continues the newest older one.
        chains: dict[str, list[_NewRow | Label]] = {}
        for row in rows:
            organisation = group.organisation
            group_labels = existing[(organisation.pk, row.level.value)] if organisation is not None else []
            if row.level.value not in chains:
                chains[row.level.value] = [*chronological(label for label in group_labels if label.revoked_at is None)]
            chain = chains[row.level.value]
            status = _existing_status(row, group_labels, by_code)
            if isinstance(status, RowError):
                errors.append(status)
                continue
            if status == "unchanged":
                group.unchanged += 1
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
                errors.append(
                    RowError(
                        row.row,
                        "valid_until",
                        _("valid_until must be after %(date)s, where this renewal starts.")
                        % {"date": validity.valid_from},
                    )
                )
                continue
            new_row = _NewRow(row, validity.valid_from, valid_until, validity.is_renewal)
            chain.insert(len(previous), new_row)
            group.new_rows.append(new_row)
        group.chains = [chain for chain in chains.values() if any(isinstance(item, _NewRow) for item in chain)]
        groups.append(group)
    return groups


def _groups_write(groups: list[_Group], sectors: dict[str, Sector], job: ImportJob | None) -> None:
    """Create a batch's new organisations, then build, code and write its new labels."""
    for group in groups:
        if group.organisation is None and group.new_rows:
            group.organisation = _organisation_create(group.new_rows, sectors)
    fresh: list[_NewRow] = []
    for group in groups:
        for new_row in group.new_rows:
            row = new_row.row
            new_row.label = Label(
                organisation=group.organisation,
                level=row.level,
                source=LabelSource.IMPORT,
                assessed_on=row.assessed_on,
                valid_from=new_row.valid_from,
                valid_until=new_row.valid_until,
                score=row.score,
                code=row.label_code,
                imported_in=job,
            )
            fresh.append(new_row)
    # Codes drawn in earlier batches are in the database already, where codes_assign looks.
    codes_assign([new_row.as_label() for new_row in fresh])
    chains_write(
        [
            [item.as_label() if isinstance(item, _NewRow) else item for item in chain]
            for group in groups
            for chain in group.chains
        ]
    )


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


def _organisation_create(new_rows: list[_NewRow], sectors: dict[str, Sector]) -> ClusterOrganisation:
    """The organisation of a group, from its first new row in the file, with the sectors of all its new rows."""
    rows = sorted((new_row.row for new_row in new_rows), key=lambda row: row.row)
    first = rows[0]
    return organisation_create(
        name=first.organisation,
        country=first.country,
        city=first.city,
        website=first.website,
        sectors=[sectors[name] for name in sorted({row.sector for row in rows})],
        state=OrganisationState.ACTIVE,
    )
