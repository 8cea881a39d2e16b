"""Reads on labels that several places share."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, DateField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from assessments.providers import RenewalWindow
from clusters.models import ClusterOrganisation
from common.enums import Level
from common.http import AuthenticatedHttpRequest
from common.models import ActivityLog
from common.scheme import rules_for
from labels.enums import LabelEventKind, LabelState
from labels.models import Label
from labels.validity import renewal_opens_on, renewal_window_end

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class StateAnnotation(TypedDict):
    state: str  # a LabelState value


LabelWithState: TypeAlias = "WithAnnotations[Label, StateAnnotation]"
AnyLabel = TypeVar("AnyLabel", bound=Label)

# A current label is neither revoked nor superseded (``Label.is_current``, the
# database's one-current-label rule): the one its organisation's people see
# and download. A lapsed label stays current until a renewal supersedes it.
CURRENT_LABEL = Q(revoked_at__isnull=True, superseded_by__isnull=True)


def bronze_assessed_dates(organisation_ids: Collection[int]) -> dict[int, list[date]]:
    """Per organisation, the dates of its Bronze benchmarkings on record as labels (not revoked)."""
    dates: dict[int, list[date]] = {}
    rows = Label.objects.filter(
        organisation_id__in=organisation_ids, level=Level.BRONZE, revoked_at__isnull=True
    ).values_list("organisation_id", "assessed_on")
    for pk, day in rows:
        dates.setdefault(pk, []).append(day)
    return dates


def current_renewal_window(organisation: ClusterOrganisation, level: Level) -> RenewalWindow | None:
    """The renewal window of the organisation's current label of ``level`` (neither
    revoked nor superseded), or None when it holds none."""
    label = Label.objects.filter(CURRENT_LABEL, organisation=organisation, level=level).first()
    return None if label is None else renewal_window_of(label)


def renewal_window_of(label: Label) -> RenewalWindow:
    return RenewalWindow(
        label_code=label.code,
        valid_until=label.valid_until,
        opens_on=renewal_opens_on(level=label.level, valid_until=label.valid_until),
        closes_on=renewal_window_end(level=label.level, valid_until=label.valid_until),
    )


@dataclass(frozen=True)
class RenewalPrompt:
    """What the start page says about renewing one label: the window, and "renew now" while it is open."""

    window: RenewalWindow
    is_open: bool
    # Days left to renew seamlessly before expiry, or (once expired) to the window's end.
    days_left: int
    expired: bool
    can_start: bool


def renewal_prompt(label: Label, today: date, can_start: bool) -> RenewalPrompt | None:
    window = renewal_window_of(label)
    if today > window.closes_on:
        return None  # lapsed: a new first application, not a renewal
    expired = today > window.valid_until
    days_left = ((window.closes_on if expired else window.valid_until) - today).days
    return RenewalPrompt(window, today >= window.opens_on, days_left, expired, can_start)


def manager_labels_panel(request: AuthenticatedHttpRequest) -> dict[str, object]:
    """The current labels of the person's organisations, for their start page, each
    with its renewal window and, while it is open, a prompt to renew."""
    labels = list(
        Label.objects.filter(
            organisation__memberships__user=request.user,
            organisation__memberships__left_at__isnull=True,
            revoked_at__isnull=True,
            superseded_by__isnull=True,
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "level")
    )
    today = timezone.localdate()
    may_start: dict[int, bool] = {}
    for label in labels:
        if label.organisation_id not in may_start:
            may_start[label.organisation_id] = request.user.has_perm(
                "assessments.start_application", label.organisation
            )
        label.renewal = renewal_prompt(label, today, may_start[label.organisation_id])  # type: ignore[attr-defined]
    return {"labels": labels}


def with_state(queryset: QuerySet[Label], today: date) -> QuerySet[LabelWithState]:
    """Annotate each label's state in the database, by the same rules as
    ``labels.validity.label_state`` (a test holds the two together)."""
    expiring_limits = [
        When(level=level.value, then=Value(today + timedelta(days=rules_for(level).expiring_days))) for level in Level
    ]
    window_starts = [When(level=level.value, then=Value(earliest_renewable_expiry(level, today))) for level in Level]
    return queryset.annotate(
        expiring_limit=Case(*expiring_limits, output_field=DateField()),
        renewable_from=Case(*window_starts, output_field=DateField()),
    ).annotate(
        state=Case(
            When(revoked_at__isnull=False, then=Value(LabelState.REVOKED.value)),
            When(superseded_by__isnull=False, then=Value(LabelState.SUPERSEDED.value)),
            When(valid_until__gte=today, valid_until__gt=F("expiring_limit"), then=Value(LabelState.VALID.value)),
            When(valid_until__gte=today, then=Value(LabelState.EXPIRING.value)),
            When(valid_until__gte=F("renewable_from"), then=Value(LabelState.RENEWABLE.value)),
            default=Value(LabelState.LAPSED.value),
            output_field=CharField(),
        )
    )


def earliest_renewable_expiry(level: Level, today: date) -> date:
    """The earliest expiry date still inside its renewal window today.

    The window of a label expiring on ``d`` ends on the last day of the month
    ``renewal_window_months`` after ``d``'s month; it is open today when that
    end is on or after today, that is when ``d`` lies in or after the month
    ``renewal_window_months`` before today's month.
    """
    months = rules_for(level).renewal_window_months
    index = today.year * 12 + (today.month - 1) - months
    return date(index // 12, index % 12 + 1, 1)


def held_on(day: date, prefix: str = "") -> Q:
    """A label is *held* on a day when it is not revoked and the day lies inside its
    validity. A superseded label still counts while its own dates run: a renewal
    decided before expiry supersedes a label that is still valid. ``prefix``
    reaches labels through a relation (``"labels__"``)."""
    return Q(
        **{
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}valid_from__lte": day,
            f"{prefix}valid_until__gte": day,
        }
    )


def holds_label_on(day: date, organisation: str = "pk") -> Exists:
    """The organisation (``OuterRef(organisation)``) holds some label on ``day``."""
    return Exists(Label.objects.filter(held_on(day), organisation=OuterRef(organisation)))


def levels_held(organisation_ids: Collection[int]) -> dict[int, str]:
    """The highest level of a label each organisation holds today."""
    rank = {level: position for position, level in enumerate(Level.values)}
    held: dict[int, str] = {}
    current = Label.objects.filter(
        held_on(timezone.localdate()), organisation_id__in=list(organisation_ids)
    ).values_list("organisation_id", "level")
    for organisation_id, level in current:
        if rank[level] > rank.get(held.get(organisation_id, ""), -1):
            held[organisation_id] = level
    return held


def with_state_in(queryset: QuerySet[AnyLabel], states: Iterable[LabelState | str], today: date) -> QuerySet[AnyLabel]:
    """Keep the labels in one of ``states`` on ``today``.

    The same rules as ``with_state``, written as plain conditions on the
    columns, so the database can use its index on ``valid_until`` instead of
    computing the state of every label first (a test holds the two together).
    """
    wanted = {LabelState(state) for state in states}
    current = Q(revoked_at__isnull=True, superseded_by__isnull=True)
    if wanted == {LabelState.VALID, LabelState.EXPIRING}:
        # Held today, whatever the level's expiring threshold: one range.
        return queryset.filter(current, valid_until__gte=today)
    condition = Q(pk__in=[])
    for state in wanted:
        condition |= _state_condition(state, today)
    return queryset.filter(condition)


def _state_condition(state: LabelState, today: date) -> Q:
    if state == LabelState.REVOKED:
        return Q(revoked_at__isnull=False)
    if state == LabelState.SUPERSEDED:
        return Q(revoked_at__isnull=True, superseded_by__isnull=False)
    per_level = Q(pk__in=[])
    for level in Level:
        expiring_limit = today + timedelta(days=rules_for(level).expiring_days)
        renewable_from = earliest_renewable_expiry(level, today)
        dates = {
            LabelState.VALID: Q(valid_until__gt=expiring_limit, valid_until__gte=today),
            LabelState.EXPIRING: Q(valid_until__gte=today, valid_until__lte=expiring_limit),
            LabelState.RENEWABLE: Q(valid_until__lt=today, valid_until__gte=renewable_from),
            LabelState.LAPSED: Q(valid_until__lt=today) & ~Q(valid_until__gte=renewable_from),
        }[state]
        per_level |= Q(level=level.value) & dates
    return Q(revoked_at__isnull=True, superseded_by__isnull=True) & per_level


@dataclass(frozen=True)
class LabelEvent:
    """What happened to a label after its award, as its page lists it (read
    from the ``label.<kind>`` rows of the one history)."""

    kind: str
    by: Any
    at: datetime
    reason: str
    changes: dict[str, Any]

    def get_kind_display(self) -> str:
        return str(dict(LabelEventKind.choices).get(self.kind, self.kind))


def label_events_of(label: Label) -> list[LabelEvent]:
    """Revocations, corrections and certificate changes of a label, oldest first."""
    rows = (
        ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Label),
            object_id=label.pk,
            action__in=[f"label.{kind}" for kind in LabelEventKind.values],
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        LabelEvent(
            kind=row.action.removeprefix("label."),
            by=row.actor,
            at=row.at,
            reason=row.reason,
            # Before and after pairs only; other values (carried ids) are not changes to list.
            changes={k: v for k, v in row.data.items() if isinstance(v, list) and len(v) == 2},
        )
        for row in rows
    ]
