"""The supersede chain of an organisation's labels of one level, and label codes.

Every label of one organisation and level that is not revoked forms a chain,
oldest first: each is superseded by the next, the last one is current. Label
creation and the import both write labels through ``chains_write``, which keeps
the database's "one current label per organisation and level" true at every
moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from common.services import history_record, history_record_many
from labels.codes import code_random
from labels.models import Label, registry_sort_name

# Keeps ``IN (...)`` lists under every database's parameter limit.
CHUNK = 500

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def codes_assign(labels: Sequence[Label]) -> None:
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
        for chunk in chunks(candidates):
            in_db.update(Label.objects.filter(code__in=chunk).values_list("code", flat=True))
        clashing = []
        for label in missing:
            if label.code in in_db or label.code in taken:
                clashing.append(label)
            else:
                taken.add(label.code)
        missing = clashing


def chronological(labels: Iterable[Label]) -> list[Label]:
    return sorted(labels, key=lambda label: (label.assessed_on, label.pk or 0))


def chains_write(chains: Iterable[list[Label]]) -> None:
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

    created: list[Label] = []
    while pending:
        ready = [(label, successor) for label, successor in pending if successor is None or successor.pk is not None]
        pending = [(label, successor) for label, successor in pending if successor is not None and successor.pk is None]
        for label, successor in ready:
            label.awarded_name = label.awarded_name or label.organisation.name
            label.sort_name = registry_sort_name(label.organisation.name)
            label.organisation_country = str(label.organisation.country)
            if successor is None and id(label) in parked:
                successor = parked[id(label)][1]
            label.superseded_by = successor
        Label.objects.bulk_create([label for label, _successor in ready])
        created += [label for label, _successor in ready]

    if supersede:
        for label, successor in supersede:
            label.superseded_by = successor
        Label.objects.bulk_update([label for label, _successor in supersede], ["superseded_by"])
        history_record_many(
            objs=[label for label, _successor in supersede],
            action="label.superseded",
            by=None,
            data=lambda label: {"superseded_by": label.superseded_by.code},
        )
    history_record_many(objs=created, action="label.created", by=None, data=_label_facts)
    if parked:
        newest = [label for label, _current in parked.values()]
        for ids in chunks([label.pk for label in newest]):
            Label.objects.filter(pk__in=ids).update(superseded_by=None)
        for label in newest:
            label.superseded_by = None


def _label_facts(label: Label) -> dict[str, object]:
    """What a new label's history row keeps: enough to know it without the label row."""
    return {
        "code": label.code,
        "level": label.level,
        "source": label.source,
        "valid_from": label.valid_from,
        "valid_until": label.valid_until,
        "score": label.score,
        "application": label.application_id,
        "import": label.imported_in_id,
        "superseded_by": label.superseded_by.code if label.superseded_by else None,
    }


def chain_relink(chain: Sequence[Label], *, by: object, reason: str) -> list[Label]:
    """Point every saved label of ``chain`` (oldest first, revoked ones left out
    except one about to be reinstated) at its next one, the last at none.

    A revocation takes a label out of its chain and a reinstatement puts it
    back: the labels around it must follow, or a revoked renewal would keep its
    predecessor "superseded" for ever. Returns the labels whose successor
    changed; each gets a history row: ``label.superseded`` with its new
    successor, or ``label.restored`` when it is the current one again.
    The database allows one current label per organisation and level at every
    moment, so the label that becomes current is written last.
    """
    changed: list[tuple[Label, Label | None]] = []
    for position, label in enumerate(chain):
        successor = chain[position + 1] if position + 1 < len(chain) else None
        if label.superseded_by_id != (successor.pk if successor else None):
            changed.append((label, successor))
    changed.sort(key=lambda pair: pair[1] is None)
    for label, successor in changed:
        before = ""
        if label.superseded_by_id is not None:
            before = Label.objects.filter(pk=label.superseded_by_id).values_list("code", flat=True).first() or ""
        label.superseded_by = successor
        label.save(update_fields=["superseded_by"])
        history_record(
            obj=label,
            action="label.superseded" if successor else "label.restored",
            by=by,
            data={"superseded_by": [before, successor.code if successor else ""]},
            reason=reason,
        )
    return [label for label, _successor in changed]
