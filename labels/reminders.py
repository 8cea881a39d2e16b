"""Re-certification reminders: which are due, claiming them once, sending them.

Each level's timeline of reminders comes from ``common.scheme.rules_for(level)``:
so many days before the label expires (180, 90, 30 and 0 by default), then so
many days before its renewal window closes (30). On a given day, a label has at
most one *current* reminder: the latest one whose day has come, as long as the
next one has not come yet (the last one stays current until the window
closes). A sweep sends the current reminder if it has not been sent yet, so a
sweep that did not run for a week catches up with what is due now and never
sends a stale one: a label with 20 days left gets the 30-day reminder, not the
180-day one.

Selecting is set-based: every (level, reminder) pair becomes a range of expiry
dates, computed here in Python, so the database picks the labels with an index
range scan and no loop over labels. ``current_reminder`` says the same for one
label in Python; a test holds the two together.

Sending is "at most once" by a database constraint: a sweep first claims the
due reminders by inserting (label, kind) rows that are unique, then sends each
pending row under a row lock and marks it sent in the same transaction.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, TypeAlias, TypedDict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models import CharField as CharFieldType
from django.urls import reverse
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import User
from accounts.selectors import people_with_role
from assessments.enums import CLOSED_STATES, ApplicationState
from assessments.models import Application
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import Membership, NationalPartner
from common.enums import Level
from common.notify import notify
from common.scheme import rules_for
from labels.dashboard import FIGURES, dashboard_figures
from labels.enums import ReminderState
from labels.models import Label, LabelReminder, ReminderDigest
from labels.selectors import earliest_renewable_expiry, held_on
from labels.statistics import Scope
from labels.validity import end_of_month_after, renewal_window_end

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)
Anchor = Literal["expiry", "window_end"]
_KEY_PREFIX: dict[str, str] = {"expiry": "expiry", "window_end": "window"}


@dataclass(frozen=True)
class ReminderKind:
    """One step of a level's reminder timeline, e.g. 90 days before expiry."""

    key: str
    sequence: int
    anchor: Anchor
    days_before: int


def reminder_kinds(level: Level | str) -> list[ReminderKind]:
    """The level's reminders in the order they fall due."""
    rules = rules_for(level)
    expiry_days = sorted(rules.reminder_days_before_expiry, reverse=True)
    steps: list[tuple[Anchor, int]] = [("expiry", days) for days in expiry_days]
    if rules.renewal_window_months:
        _check_window_reminders(rules.renewal_window_months, rules.reminder_days_before_window_end)
        steps += [("window_end", days) for days in sorted(rules.reminder_days_before_window_end, reverse=True)]
    if any(days < 0 for _, days in steps):
        raise ImproperlyConfigured(f"LABEL_SCHEME[{Level(level).value!r}]: reminder days must not be negative.")
    return [
        ReminderKind(key=f"{_KEY_PREFIX[anchor]}-{days}", sequence=i, anchor=anchor, days_before=days)
        for i, (anchor, days) in enumerate(steps)
    ]


def _check_window_reminders(window_months: int, days: Iterable[int]) -> None:
    # A window reminder must fall after the expiry day, or the timeline's order
    # (which the set-based selection relies on) would break.
    shortest_window_days = window_months * 28
    if any(d >= shortest_window_days for d in days):
        raise ImproperlyConfigured("LABEL_SCHEME: a reminder before the window's end must fall inside the window.")


def reminder_due_on(kind: ReminderKind, *, level: Level | str, valid_until: date) -> date:
    if kind.anchor == "expiry":
        return valid_until - timedelta(days=kind.days_before)
    return renewal_window_end(level=level, valid_until=valid_until) - timedelta(days=kind.days_before)


def current_reminder(*, level: Level | str, valid_until: date, today: date) -> ReminderKind | None:
    """The reminder a label expiring on ``valid_until`` should have had by ``today``, if any."""
    if today > renewal_window_end(level=level, valid_until=valid_until):
        return None
    current = None
    for kind in reminder_kinds(level):
        if reminder_due_on(kind, level=level, valid_until=valid_until) <= today:
            current = kind
    return current


def latest_expiry_due_by(kind: ReminderKind, *, level: Level | str, today: date) -> date:
    """The latest expiry date whose reminder ``kind`` has fallen due by ``today``.

    Due dates grow with the expiry date, so the labels whose reminder is due
    are exactly those expiring on or before this date.
    """
    if kind.anchor == "expiry":
        return today + timedelta(days=kind.days_before)
    # The window of a label expiring in month m ends on the last day of month
    # m + W; that end must be on or before today + days_before.
    limit = today + timedelta(days=kind.days_before)
    limit_month = limit.year * 12 + limit.month - 1
    if end_of_month_after(limit, 0) != limit:
        limit_month -= 1
    latest_month = limit_month - rules_for(level).renewal_window_months
    return end_of_month_after(date(latest_month // 12, latest_month % 12 + 1, 1), 0)


def _current_reminder_conditions(today: date) -> list[tuple[Q, ReminderKind]]:
    """For every level and reminder, the expiry dates for which it is the current one today."""
    conditions = []
    for level in Level:
        kinds = reminder_kinds(level)
        for position, kind in enumerate(kinds):
            due = Q(valid_until__lte=latest_expiry_due_by(kind, level=level, today=today))
            if position + 1 < len(kinds):
                next_not_due = Q(valid_until__gt=latest_expiry_due_by(kinds[position + 1], level=level, today=today))
            else:
                next_not_due = Q(valid_until__gte=earliest_renewable_expiry(level, today))
            conditions.append((Q(level=level.value) & due & next_not_due, kind))
    return conditions


def _renewal_in_progress() -> Exists:
    """An application of the same organisation and level that is submitted and not closed:
    the organisation is renewing, so reminding it would be noise."""
    return Exists(
        Application.objects.filter(organisation=OuterRef("organisation"), level=OuterRef("level")).exclude(
            state__in=[ApplicationState.DRAFT, *CLOSED_STATES]
        )
    )


class ReminderAnnotation(TypedDict):
    reminder_kind: str  # a ReminderKind's key
    reminder_sequence: int


DueLabel: TypeAlias = "WithAnnotations[Label, ReminderAnnotation]"


def reminders_due(today: date) -> QuerySet[DueLabel]:
    """Labels whose current reminder has not been claimed yet, annotated with
    ``reminder_kind`` and ``reminder_sequence``."""
    conditions = _current_reminder_conditions(today)
    any_due = Q()
    for condition, _kind in conditions:
        any_due |= condition
    return (
        Label.objects.filter(any_due, revoked_at__isnull=True, superseded_by__isnull=True)
        .exclude(organisation__state=OrganisationState.INACTIVE)
        .annotate(
            reminder_kind=Case(
                *[When(condition, then=Value(kind.key)) for condition, kind in conditions],
                output_field=CharFieldType(),
            ),
            reminder_sequence=Case(
                *[When(condition, then=Value(kind.sequence)) for condition, kind in conditions],
                output_field=IntegerField(),
            ),
        )
        # A reminder at or after this place in the same timeline (same end
        # date) already exists: never send an earlier one after a later one.
        .exclude(
            Exists(
                LabelReminder.objects.filter(
                    label=OuterRef("pk"),
                    for_valid_until=OuterRef("valid_until"),
                    sequence__gte=OuterRef("reminder_sequence"),
                )
            )
        )
        .exclude(_renewal_in_progress())
        .exclude(_higher_level_held(today))
    )


def _higher_level_held(today: date) -> Q:
    """The organisation holds a valid label of a higher level: a Gold holder is
    not asked to renew its old Bronze."""
    levels = list(Level.values)
    condition = Q(pk__in=[])
    for position, level in enumerate(levels):
        above = levels[position + 1 :]
        if above:
            held_above = Label.objects.filter(held_on(today), organisation=OuterRef("organisation"), level__in=above)
            condition |= Q(level=level) & Q(Exists(held_above))
    return condition


def reminders_claim(*, today: date) -> int:
    """Insert a pending row for every reminder due today; rows already there are left alone.

    Returns how many reminders were found due. Side effects: ``LabelReminder`` rows.
    """
    due = list(reminders_due(today).values_list("pk", "level", "valid_until", "reminder_kind", "reminder_sequence"))
    kinds = {level: {kind.key: kind for kind in reminder_kinds(level)} for level in Level.values}
    rows = [
        LabelReminder(
            label_id=pk,
            kind=key,
            sequence=sequence,
            due_on=reminder_due_on(kinds[level][key], level=level, valid_until=valid_until),
            for_valid_until=valid_until,
        )
        for pk, level, valid_until, key, sequence in due
    ]
    # The unique (label, kind, end date) constraint turns a concurrent claim of
    # the same reminder into a no-op instead of a second row.
    LabelReminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


@dataclass
class SweepReport:
    today: date
    due: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    messages: int = 0
    planned: list[dict[str, object]] = field(default_factory=list)


def reminders_sweep(*, today: date | None = None, dry_run: bool = False) -> SweepReport:
    """The daily sweep: claim what is due, then send every pending reminder.

    Pending rows left by a sweep that crashed are sent too, unless they no
    longer apply. A dry run writes and sends nothing and lists what would go.
    Side effects: ``LabelReminder`` rows, notifications and e-mails.
    """
    today = today or timezone.localdate()
    report = SweepReport(today=today)
    if dry_run:
        report.planned = reminders_planned(today)
        report.due = len(report.planned)
        return report
    report.due = reminders_claim(today=today)
    pending = LabelReminder.objects.filter(state=ReminderState.PENDING).order_by("claimed_at", "pk")
    # One SMTP connection and one read of the partners' staff for the whole batch.
    with get_connection() as connection:
        partner_staff = _partner_staff_by_country()
        for reminder_id in list(pending.values_list("pk", flat=True)):
            try:
                outcome = reminder_send(
                    reminder_id=reminder_id, today=today, partner_staff=partner_staff, connection=connection
                )
            except OSError as error:
                # The mail server is unreachable: every other reminder would fail
                # the same way. They stay pending for the retry.
                _record_failure(reminder_id, error)
                report.failed += 1
                raise ReminderDeliveryError(f"mail server unreachable: {error}") from error
            except Exception as error:
                # One broken reminder must not hold back the others: it stays
                # pending with the reason, and is tried again next time.
                logger.exception("Reminder %s could not be sent", reminder_id)
                _record_failure(reminder_id, error)
                report.failed += 1
                continue
            if outcome is not None:
                _count(report, outcome)
    return report


class ReminderDeliveryError(OSError):
    """The sweep stopped because mail could not be delivered; pending reminders wait for the retry."""


def _record_failure(reminder_id: int, error: BaseException) -> None:
    LabelReminder.objects.filter(pk=reminder_id, state=ReminderState.PENDING).update(
        note=f"not sent: {type(error).__name__}: {error}"[:200]
    )


def _count(report: SweepReport, outcome: LabelReminder) -> None:
    if outcome.state == ReminderState.SENT:
        report.sent += 1
        report.messages += len(outcome.recipients)
    else:
        report.skipped += 1


def reminders_planned(today: date) -> list[dict[str, object]]:
    """What a sweep would send today, for the dry run: one entry per label."""
    labels = reminders_due(today).select_related("organisation").order_by("valid_until", "code")
    partner_staff = _partner_staff_by_country()
    managers = _managers_by_organisation(label.organisation_id for label in labels)
    return [
        {
            "code": label.code,
            "organisation": label.organisation.name,
            "country": label.organisation.country.code,
            "reminder": label.reminder_kind,
            "valid_until": label.valid_until,
            "recipients": sorted(
                {p.email for p in managers.get(label.organisation_id, [])}
                | {p.email for p in partner_staff.get(label.organisation.country.code, [])}
            ),
        }
        for label in labels
    ]


def reminder_send(
    *,
    reminder_id: int,
    today: date,
    partner_staff: dict[str, list[User]] | None = None,
    connection: BaseEmailBackend | None = None,
) -> LabelReminder | None:
    """Send one pending reminder, under a row lock; None when another sweep has it or it is done.

    If it no longer applies (renewed, revoked, organisation inactive, overtaken
    by a later reminder), it is marked skipped with the reason instead.
    Side effects: notifications and e-mails to the managers and the partner's staff.
    """
    with transaction.atomic():
        reminder = (
            LabelReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("label__organisation")
            .filter(pk=reminder_id, state=ReminderState.PENDING)
            .first()
        )
        if reminder is None:
            return None
        problem = _why_not_send(reminder, today)
        if problem:
            reminder.state = ReminderState.SKIPPED
            reminder.note = problem
            reminder.save(update_fields=["state", "note"])
            return reminder
        staff = partner_staff if partner_staff is not None else _partner_staff_by_country()
        delivered, refused = _deliver(reminder, today, staff, connection)
        if not delivered and not refused:
            reminder.state = ReminderState.SKIPPED
            reminder.note = "nobody to tell: no active manager, no partner for the country"
            reminder.save(update_fields=["state", "note"])
            return reminder
        # Sent as soon as one person was reached: sending again would tell them twice.
        reminder.recipients = delivered
        reminder.note = f"refused by the mail server: {', '.join(refused)}"[:200] if refused else ""
        reminder.state = ReminderState.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["recipients", "note", "state", "sent_at"])
        return reminder


def _why_not_send(reminder: LabelReminder, today: date) -> str:
    label = reminder.label
    if label.revoked_at is not None:
        return "label revoked"
    if label.superseded_by_id is not None:
        return "label renewed or superseded"
    if label.organisation.state == OrganisationState.INACTIVE:
        return "organisation inactive"
    if reminder.for_valid_until != label.valid_until:
        return "the end date was corrected"
    current = current_reminder(level=label.level, valid_until=label.valid_until, today=today)
    if current is None or current.key != reminder.kind:
        return f"overtaken by {current.key}" if current else "renewal window closed"
    if Label.objects.filter(pk=label.pk).filter(_renewal_in_progress()).exists():
        return "renewal application in progress"
    if Label.objects.filter(pk=label.pk).filter(_higher_level_held(today)).exists():
        return "a higher level is held"
    return ""


def _deliver(
    reminder: LabelReminder,
    today: date,
    partner_staff_by_country: dict[str, list[User]],
    connection: BaseEmailBackend | None,
) -> tuple[list[str], list[str]]:
    """Tell the managers (with the renewal link) and the country's partner staff.

    Returns the addresses reached and those the mail server refused. A refused
    address does not stop the others; once someone was reached, an unreachable
    server is recorded as a refusal for the rest, so no one is told twice.
    """
    label = reminder.label
    organisation = label.organisation
    context = reminder_context(label, reminder.kind, today)
    managers = _managers_by_organisation([organisation.pk]).get(organisation.pk, [])
    partner_staff = [p for p in partner_staff_by_country.get(organisation.country.code, []) if p not in managers]
    audiences = [
        (managers, {**context, "for_partner": False}, renewal_url(label)),
        (partner_staff, {**context, "for_partner": True}, reverse("labels:label_detail", kwargs={"code": label.code})),
    ]
    delivered: list[str] = []
    refused: list[str] = []
    for people, audience_context, url in audiences:
        for person in people:
            try:
                notify(
                    people=[person],
                    template="labels/email/reminder",
                    context=audience_context,
                    url=url,
                    connection=connection,
                )
            except smtplib.SMTPRecipientsRefused:
                refused.append(person.email)
            except OSError:
                if not delivered:
                    raise  # nobody reached yet: the reminder stays pending for the retry
                refused.append(person.email)
            else:
                delivered.append(person.email)
    return sorted(delivered), sorted(refused)


def renewal_url(label: Label) -> str:
    """Where a manager starts the renewal of ``label``: the application page, its level marked."""
    path = reverse("assessments:application_new", kwargs={"slug": label.organisation.slug})
    return f"{path}?level={label.level}#level-{label.level}"


def reminder_context(label: Label, kind: str, today: date) -> dict[str, object]:
    """What a reminder says: when the label expires, what renewing means, until when it is possible."""
    rules = rules_for(label.level)
    return {
        "label": label,
        "organisation": label.organisation,
        "kind": kind,
        "days_left": (label.valid_until - today).days,
        "expired": today > label.valid_until,
        "window_end": renewal_window_end(level=label.level, valid_until=label.valid_until),
        "renewed_until": end_of_month_after(label.valid_until, rules.renewal_extension_months),
        "extension_months": rules.renewal_extension_months,
        "window_months": rules.renewal_window_months,
        "site_url": settings.SITE_URL,
    }


def _managers_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    memberships = Membership.objects.filter(
        organisation_id__in=set(organisation_ids),
        left_at__isnull=True,
        role=MembershipRole.MANAGER,
        user__is_active=True,
    ).select_related("user")
    grouped: dict[int, list[User]] = {}
    for membership in memberships:
        grouped.setdefault(membership.organisation_id, []).append(membership.user)
    return grouped


def _partner_staff_by_country() -> dict[str, list[User]]:
    """The staff of every national partner, by the countries it covers (a handful of rows)."""
    grouped: dict[str, list[User]] = {}
    partners = NationalPartner.objects.prefetch_related("staff__user")
    for partner in partners:
        people = [s.user for s in partner.staff.all() if s.user.is_active]
        for country in partner.countries:
            grouped.setdefault(country.code, []).extend(people)
    return grouped


def reminders_of(label: Label) -> QuerySet[LabelReminder]:
    return label.reminders.order_by("sequence")


def reminder_digest_send(*, today: date | None = None) -> ReminderDigest | None:
    """The label office's weekly digest: the dashboard's figures for every country.

    One row per week (a unique date) makes it go out once: a second run in the
    same week finds the row and sends nothing; a run that fails to send rolls
    the row back, so the next one tries again. Returns the digest, or None when
    this week's was already sent. Side effects: notifications and e-mails to the office.
    """
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    with transaction.atomic():
        digest, created = ReminderDigest.objects.get_or_create(week=week)
        if not created:
            return None
        counts = dashboard_figures(Scope(countries=None), today)
        figures = [{"key": f.key, "title": str(f.title), "count": counts[f.key]} for f in FIGURES]
        sent_this_week = LabelReminder.objects.filter(
            state=ReminderState.SENT, sent_at__date__gte=week - timedelta(days=7), sent_at__date__lt=week
        ).count()
        office = people_with_role(StaffRole.LABEL_OFFICE)
        notify(
            people=office,
            template="labels/email/digest",
            context={"week": week, "figures": figures, "reminders_sent": sent_this_week},
            url=reverse("labels:dashboard"),
        )
        digest.recipients = sorted(p.email for p in office)
        digest.figures = {row["key"]: row["count"] for row in figures}
        digest.save(update_fields=["recipients", "figures"])
        return digest
