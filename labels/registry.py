"""The public registry of labelled organisations: filters, sorting and paging in the database.

A page is cut by a cursor (keyset pagination), never by an offset: the cursor
holds the sort key of the last (or first) label shown, and the next page is the
50 labels after it in the order of one index (``Label.Meta.indexes``), so a page
costs the same whatever page it is and however many labels there are.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from urllib.parse import quote as url_quote

from django import forms
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Field, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clusters.models import ClusterOrganisation
from common.countries import country_choices_with_any, country_name
from common.enums import Level
from common.models import ActivityLog, Sector
from labels.enums import LabelState
from labels.models import Label, registry_sort_name
from labels.selectors import LabelWithState, with_state, with_state_in

CURRENT = "current"
PAGE_SIZE = 50

# Each sort: its keys, (field, descending), ending in the primary key so the order is
# total (two organisations of the same name, or two labels of one). All but the
# Each walks an index of Label's own columns (``Label.Meta.indexes``: the stored
# ``sort_name`` and ``organisation_country``), never the organisation's table.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "name": (("sort_name", False), ("id", False)),
    "country": (("organisation_country", False), ("sort_name", False), ("id", False)),
    "level": (("level", False), ("sort_name", False), ("id", False)),
    "valid_until": (("valid_until", True), ("sort_name", False), ("id", False)),
}
KEY_TYPES: dict[str, Callable[[Any], Any]] = {"id": int, "valid_until": date.fromisoformat}
CURSOR_SALT = "labels.registry.cursor"

SORT_NAMES = {
    "name": _("Organisation"),
    "country": _("Country"),
    "level": _("Level"),
    "valid_until": _("Valid until"),
}


class LongSelect(forms.Select):
    """A select written in one pass: the same markup as Django's ``Select``, without a
    template per option (the 250 countries took 47 ms of the registry's 80 that way)."""

    def options_html(self) -> str:
        return format_html_join("", '<option value="{}">{}</option>', self.choices)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        options = self.options_html()
        for chosen in {str(item) for item in self.format_value(value)}:
            mark = format_html('<option value="{}"', chosen)
            options = options.replace(f"{mark}>", f"{mark} selected>", 1)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options)
        )


class CountrySelect(LongSelect):
    """Every country and "Any": the options are the same for every reader of a language,
    so they are written once per language and process."""

    def options_html(self) -> str:
        return _country_options(get_language() or "")


@functools.lru_cache(maxsize=8)
def _country_options(language: str) -> str:
    return format_html_join("", '<option value="{}">{}</option>', country_choices_with_any())


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=CountrySelect)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any")), *Level.choices], widget=LongSelect
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("Any"),
        widget=LongSelect,
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[(CURRENT, _("Valid (current)")), ("", _("Any, history included")), *LabelState.choices],
        widget=LongSelect,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORT_NAMES.items()), widget=LongSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = country_choices_with_any()
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"


def registry_labels(filters: dict[str, Any], today: date) -> QuerySet[LabelWithState]:
    # Only what the list shows: the rows are sorted before the page is cut, and
    # an organisation's full profile (description, address ...) would ride along.
    shown = Label.objects.select_related("organisation").only(
        "code",
        "sort_name",
        "organisation_country",
        "level",
        "valid_from",
        "valid_until",
        "revoked_at",
        "superseded_by_id",
        "organisation_id",
        "organisation__name",
        "organisation__slug",
        "organisation__country",
    )
    labels = with_state(shown, today)
    state = filters.get("state", CURRENT)
    if state == CURRENT:
        labels = with_state_in(labels, [LabelState.VALID, LabelState.EXPIRING], today)
    elif state:
        labels = with_state_in(labels, [state], today)
    if filters.get("q"):
        labels = labels.filter(organisation__name__icontains=filters["q"])
    if filters.get("country"):
        labels = labels.filter(organisation_country=filters["country"])
    if filters.get("level"):
        labels = labels.filter(level=filters["level"])
    if filters.get("sector"):
        labels = labels.filter(organisation__sectors=filters["sector"])
    return labels


# A safety net: every change to what the registry shows changes its key's data version.
REGISTRY_KEPT_SECONDS = 300


def registry_content_key(version: str, query: str, today: date, can_manage: bool) -> str:
    """Where a registry page's drawn content is kept: one per data version, address (its
    filters and cursor), day, language and whether the reader may manage labels (a link per row)."""
    address = hashlib.blake2b(query.encode(), digest_size=12).hexdigest()
    return f"labels:registry-page:{version}:{address}:{today.isoformat()}:{get_language()}:{int(can_manage)}"


def public_data_version() -> str:
    """A cheap stamp that changes whenever a public page may: the newest label and the newest
    row of the one history (every service that writes adds one: a revocation, a correction,
    a rename, a profile edit ...). One query, two index lookups, whatever the volume."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {Label._meta.db_table}), (SELECT MAX(id) FROM {ActivityLog._meta.db_table})"
        )
        newest_label, newest_record = cursor.fetchone()
    return f"{newest_label or 0}.{newest_record or 0}"


def registry_keys_refill(organisation_ids: Iterable[int] | None = None) -> int:
    """Write the registry's keys (``Label.sort_name``, ``Label.organisation_country``) of the
    labels of these organisations (all when None) from the organisations as they are now:
    for labels written around ``labels.chains.chains_write`` (a bulk load, a benchmark's
    data). One UPDATE per organisation whose labels are out of step; returns how many rows."""
    organisations = ClusterOrganisation.objects.filter(labels__isnull=False).distinct()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=list(organisation_ids))
    written = 0
    for pk, name, country in organisations.values_list("pk", "name", "country").iterator(chunk_size=2000):
        key = registry_sort_name(name)
        written += (
            Label.objects.filter(organisation_id=pk)
            .exclude(sort_name=key, organisation_country=country)
            .update(sort_name=key, organisation_country=country)
        )
    return written


def registry_total(today: date, version: str | None = None) -> int:
    """How many labels the registry holds today (valid or expiring): the one place that
    counts them, so that the figure can later be read from stored figures instead.

    The count walks every current label (23 ms for 42,000 on PostgreSQL), so it is kept
    under the data's version (``public_data_version``) and the day: counted once per change.
    """
    version = version or public_data_version()
    return cast(
        int,
        cache.get_or_set(
            f"labels:registry-total:{version}:{today.isoformat()}",
            lambda: with_state_in(Label.objects.all(), [LabelState.VALID, LabelState.EXPIRING], today).count(),
            timeout=24 * 3600,
        ),
    )


class BadCursor(ValueError):
    """A cursor this registry did not write, or written for another sort."""


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: tuple[Any, ...]
    backwards: bool = False

    def encode(self) -> str:
        key = [value.isoformat() if isinstance(value, date) else value for value in self.key]
        return signing.dumps({"s": self.sort, "k": key, "b": self.backwards}, salt=CURSOR_SALT, compress=True)

    @classmethod
    def decode(cls, token: str, sort: str) -> Cursor:
        """The cursor ``token`` names, checked: signed by us, for ``sort``, its key well formed."""
        try:
            data = signing.loads(token, salt=CURSOR_SALT)
            fields = [field for field, _descending in SORTS[sort]]
            values = data["k"]
            if data["s"] != sort or not isinstance(values, list) or len(values) != len(fields):
                raise BadCursor(token)
            key = tuple(KEY_TYPES.get(field, str)(value) for field, value in zip(fields, values, strict=True))
            return cls(sort, key, bool(data["b"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise BadCursor(token) from error


def _key_of(label: Label, sort: str) -> tuple[Any, ...]:
    values = []
    for field, _descending in SORTS[sort]:
        value: Any = label
        for part in field.split("__"):
            value = getattr(value, part)
        values.append(value)
    return tuple(values)


def _column(name: str) -> str:
    field = Label._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"not a column of Label: {name}")
    return field.column


def _after(sort: str, key: tuple[Any, ...], backwards: bool) -> Q | RawSQL:
    """The rows after ``key`` in ``sort``'s order (before it when ``backwards``).

    Keys all in one direction compare as one row value, ``(level, sort_name, id) > (...)``,
    which the database turns into one range of the sort's index. Mixed directions (the
    latest expiry first, then by name) are spelled out, bounded by the first key.
    """
    keys = SORTS[sort]
    if len({descending for _field, descending in keys}) == 1:
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(Label._meta.db_table)}.{quote(_column(field))}" for field, _d in keys)
        beyond = "<" if keys[0][1] != backwards else ">"
        placeholders = ", ".join(["%s"] * len(key))
        return RawSQL(f"({columns}) {beyond} ({placeholders})", key, output_field=BooleanField())
    condition = Q(pk__in=[])
    for position, (field, descending) in enumerate(keys):
        equal = {name: value for (name, _d), value in zip(keys[:position], key, strict=False)}
        beyond = "lt" if descending != backwards else "gt"
        condition |= Q(**equal, **{f"{field}__{beyond}": key[position]})
    first, descending = keys[0]
    bound = "lte" if descending != backwards else "gte"
    return Q(**{f"{first}__{bound}": key[0]}) & condition


@dataclass
class RegistryPage:
    """One page of the registry: its labels and the cursors of the pages either side."""

    labels: list[LabelWithState]
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self) -> Iterator[LabelWithState]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def object_list(self) -> list[LabelWithState]:
        """The labels, by the name Django's ``Page`` gives them."""
        return self.labels

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def registry_page(labels: QuerySet[LabelWithState], sort: str, cursor: Cursor | None) -> RegistryPage:
    """The page of ``labels`` after ``cursor`` (the first page without one): one query,
    ``PAGE_SIZE`` + 1 rows, the one more only saying whether another page follows."""
    backwards = cursor is not None and cursor.backwards
    order = [("-" if descending != backwards else "") + field for field, descending in SORTS[sort]]
    after = labels if cursor is None else labels.filter(_after(sort, cursor.key, backwards))
    rows = list(after.order_by(*order)[: PAGE_SIZE + 1])
    if cursor is not None and not rows:
        return registry_page(labels, sort, None)  # the labels either side are gone: start again
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    # Going forwards, a page after a cursor has one before it; going back, one after it.
    has_next = more if not backwards else True
    has_previous = more if backwards else cursor is not None
    return RegistryPage(
        labels=rows,
        next_cursor=Cursor(sort, _key_of(rows[-1], sort)).encode() if rows and has_next else None,
        previous_cursor=Cursor(sort, _key_of(rows[0], sort), backwards=True).encode()
        if rows and has_previous
        else None,
    )


@dataclass(frozen=True, slots=True)
class RegistryRow:
    """One label of a registry page, every value as the page shows it."""

    name: str
    organisation_path: str
    country_name: str
    level: str
    level_name: str
    valid_until: str
    valid_until_shown: str
    state_name: str
    code: str
    verify_path: str
    manage_path: str


def registry_rows(labels: Iterable[LabelWithState]) -> list[RegistryRow]:
    """The page's rows, written once per page: paths from their prefix, names from one
    dictionary each (reversing three URLs and translating a country per row in the
    template was most of a page's time)."""
    organisation_path = _path_of("registry_organisation")
    verify_path = _path_of("verify")
    manage_path = _path_of("labels:label_detail")
    level_names = {value: str(name) for value, name in Level.choices}
    state_names = {value: str(name) for value, name in LabelState.choices}
    return [
        RegistryRow(
            name=label.organisation.name,
            organisation_path=organisation_path(label.organisation.slug),
            country_name=country_name(str(label.organisation.country)),
            level=label.level,
            level_name=level_names.get(label.level, label.level),
            valid_until=label.valid_until.isoformat(),
            valid_until_shown=formats.date_format(label.valid_until, "SHORT_DATE_FORMAT"),
            state_name=state_names.get(getattr(label, "state", ""), ""),
            code=label.code,
            verify_path=verify_path(label.code),
            manage_path=manage_path(label.code),
        )
        for label in labels
    ]


PLACEHOLDER = "registry-placeholder"


def _path_of(name: str) -> Callable[[str], str]:
    """``reverse(name, args=[value])`` for many values at the cost of one ``reverse``."""
    before, _placeholder, after = reverse(name, args=[PLACEHOLDER]).partition(PLACEHOLDER)
    return lambda value: f"{before}{url_quote(value)}{after}"
