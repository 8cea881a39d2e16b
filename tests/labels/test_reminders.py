"""Re-certification reminders: each offset on its day, catch-up without stale ones, exactly once."""

from __future__ import annotations

import re
import smtplib
import threading
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django import DjangoDbBlocker, Settings

from accounts.models import User
from assessments.enums import ApplicationState
from clusters.enums import OrganisationState
from common.enums import Level
from common.models import Notification
from labels.enums import LabelSource, ReminderState
from labels.models import Label, LabelReminder, ReminderDigest
from labels.reminders import current_reminder, reminder_digest_send, reminder_kinds, reminders_due, reminders_sweep
from labels.services import label_create, label_revoke
from tests.factories import LabelFactory, MembershipFactory, OrganisationFactory, PartnerStaffFactory, RoleGrantFactory

EXPIRY = date(2028, 3, 31)  # a Bronze label assessed in March 2026
WINDOW_END = date(2029, 3, 31)  # its renewal window: 12 months after expiry


@pytest.fixture
def label(db: None) -> Label:
    organisation = OrganisationFactory(country="RS")
    MembershipFactory(organisation=organisation, user__email="manager@example.org")
    PartnerStaffFactory(partner__countries=["RS"], user__email="partner@example.org")
    PartnerStaffFactory(partner__countries=["HR"], user__email="croatia@example.org")
    return LabelFactory(
        organisation=organisation, assessed_on=date(2026, 3, 15), valid_from=date(2026, 3, 15), valid_until=EXPIRY
    )


def sweep(day: date) -> list[str]:
    """Sweep on ``day``; the kinds of the reminders sent that day."""
    before = set(LabelReminder.objects.filter(state=ReminderState.SENT).values_list("pk", flat=True))
    reminders_sweep(today=day)
    return list(
        LabelReminder.objects.filter(state=ReminderState.SENT).exclude(pk__in=before).values_list("kind", flat=True)
    )


def test_the_default_timeline_is_180_90_30_0_days_then_30_before_the_window_closes(settings: Settings) -> None:
    assert [k.key for k in reminder_kinds(Level.BRONZE)] == [
        "expiry-180",
        "expiry-90",
        "expiry-30",
        "expiry-0",
        "window-30",
    ]


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        ("expiry-180", EXPIRY - timedelta(days=180)),
        ("expiry-90", EXPIRY - timedelta(days=90)),
        ("expiry-30", EXPIRY - timedelta(days=30)),
        ("expiry-0", EXPIRY),
        ("window-30", WINDOW_END - timedelta(days=30)),
    ],
)
def test_each_reminder_fires_on_its_day_and_not_the_day_before(label: Label, kind: str, due: date) -> None:
    # Earlier reminders were sent on their own days.
    for earlier in reminder_kinds(Level.BRONZE):
        if earlier.key == kind:
            break
        LabelReminder.objects.create(
            label=label, kind=earlier.key, sequence=earlier.sequence, due_on=due, for_valid_until=EXPIRY, state="sent"
        )

    assert sweep(due - timedelta(days=1)) == []
    assert sweep(due) == [kind]
    assert sweep(due + timedelta(days=1)) == []


def test_a_full_year_of_daily_sweeps_sends_each_reminder_once(label: Label) -> None:
    day = EXPIRY - timedelta(days=200)
    sent: list[tuple[str, date]] = []
    while day <= WINDOW_END + timedelta(days=5):
        sent += [(kind, day) for kind in sweep(day)]
        day += timedelta(days=1)

    assert sent == [
        ("expiry-180", EXPIRY - timedelta(days=180)),
        ("expiry-90", EXPIRY - timedelta(days=90)),
        ("expiry-30", EXPIRY - timedelta(days=30)),
        ("expiry-0", EXPIRY),
        ("window-30", WINDOW_END - timedelta(days=30)),
    ]


def test_a_sweep_after_a_gap_sends_what_is_due_now_not_the_stale_ones(label: Label) -> None:
    # The beat was down from 200 days before expiry until 20 days before it.
    assert sweep(EXPIRY - timedelta(days=20)) == ["expiry-30"]
    assert not LabelReminder.objects.filter(kind__in=["expiry-180", "expiry-90"]).exists()
    assert sweep(EXPIRY - timedelta(days=19)) == []


def test_the_mail_says_when_it_expires_what_renewing_means_and_links_to_the_renewal(label: Label) -> None:
    sweep(EXPIRY - timedelta(days=90))

    to_manager = next(m for m in mail.outbox if m.to == ["manager@example.org"])
    assert to_manager.subject == f"{label.organisation.name}: the Bronze label expires on 2028-03-31"
    assert "is valid until 2028-03-31, 90 days from now" in to_manager.body
    assert "extended by 36 months from the end of the current one, to 2031-03-31" in to_manager.body
    assert "Renewed by 2029-03-31" in to_manager.body
    assert f"/assessments/new/{label.organisation.slug}/?level=bronze" in to_manager.body
    assert isinstance(to_manager, EmailMultiAlternatives)
    html = to_manager.alternatives[0][0]
    assert isinstance(html, str)
    assert f"/assessments/new/{label.organisation.slug}/?level=bronze" in html


def test_managers_and_the_countrys_partner_are_told_and_nobody_else(label: Label) -> None:
    sweep(EXPIRY - timedelta(days=30))

    assert sorted(m.to[0] for m in mail.outbox) == ["manager@example.org", "partner@example.org"]
    reminder = LabelReminder.objects.get()
    assert reminder.recipients == ["manager@example.org", "partner@example.org"]
    assert Notification.objects.filter(user__email="partner@example.org", url=f"/labels/label/{label.code}/").exists()


def test_an_expired_label_is_told_until_when_it_can_still_be_renewed(label: Label) -> None:
    sweep(EXPIRY + timedelta(days=3))

    (to_manager,) = [m for m in mail.outbox if m.to == ["manager@example.org"]]
    assert to_manager.subject == f"{label.organisation.name}: renew the Bronze label by 2029-03-31"
    assert "expired on 2028-03-31. It can still be renewed until 2029-03-31." in to_manager.body


def test_nothing_is_sent_once_the_renewal_window_has_closed(label: Label) -> None:
    assert sweep(WINDOW_END + timedelta(days=1)) == []
    assert mail.outbox == []


def test_a_renewed_label_gets_nothing(label: Label) -> None:
    renewal = label_create(
        organisation=label.organisation, level=Level.BRONZE, assessed_on=date(2028, 1, 10), source=LabelSource.IMPORT
    )
    label.refresh_from_db()
    assert label.superseded_by == renewal

    assert sweep(EXPIRY - timedelta(days=30)) == []
    assert sweep(EXPIRY) == []


def test_a_revoked_label_gets_nothing(label: Label, people: dict[str, User]) -> None:
    label_revoke(label=label, by=people["office"], reason="Fraud in the evidence.")
    assert sweep(EXPIRY - timedelta(days=30)) == []


def test_an_inactive_organisation_gets_nothing(label: Label) -> None:
    type(label.organisation).objects.filter(pk=label.organisation_id).update(state=OrganisationState.INACTIVE)
    assert sweep(EXPIRY - timedelta(days=30)) == []


def test_an_organisation_whose_renewal_is_under_assessment_is_not_reminded(label: Label) -> None:
    from assessments.models import Application
    from tests.assessments.conftest import make_version

    version = make_version(Level.BRONZE)
    Application.objects.create(
        organisation=label.organisation, level=Level.BRONZE, version=version, state=ApplicationState.IN_ASSESSMENT
    )
    assert sweep(EXPIRY - timedelta(days=30)) == []


def test_a_reminder_claimed_by_a_sweep_that_crashed_is_sent_by_the_next(label: Label) -> None:
    day = EXPIRY - timedelta(days=30)
    LabelReminder.objects.create(  # claimed, never sent
        label=label, kind="expiry-30", sequence=2, due_on=day, for_valid_until=EXPIRY
    )

    assert sweep(day + timedelta(days=1)) == ["expiry-30"]
    assert len(mail.outbox) == 2


def test_a_pending_reminder_overtaken_by_a_later_one_is_skipped_with_its_reason(label: Label) -> None:
    LabelReminder.objects.create(
        label=label, kind="expiry-90", sequence=1, due_on=EXPIRY - timedelta(days=90), for_valid_until=EXPIRY
    )

    assert sweep(EXPIRY - timedelta(days=10)) == ["expiry-30"]
    skipped = LabelReminder.objects.get(kind="expiry-90")
    assert (skipped.state, skipped.note) == (ReminderState.SKIPPED, "overtaken by expiry-30")


def test_a_sweep_on_an_earlier_day_never_sends_an_earlier_reminder_after_a_later_one(label: Label) -> None:
    sweep(EXPIRY - timedelta(days=30))
    assert sweep(EXPIRY - timedelta(days=100)) == []


def test_the_same_reminder_cannot_be_recorded_twice(label: Label) -> None:
    from django.db import IntegrityError, transaction

    LabelReminder.objects.create(label=label, kind="expiry-30", sequence=2, due_on=EXPIRY, for_valid_until=EXPIRY)
    with pytest.raises(IntegrityError), transaction.atomic():
        LabelReminder.objects.create(label=label, kind="expiry-30", sequence=2, due_on=EXPIRY, for_valid_until=EXPIRY)


def test_the_dry_run_lists_what_would_be_sent_and_sends_nothing(label: Label) -> None:
    out = StringIO()
    call_command("send_label_reminders", "--dry-run", "--today", "2028-03-01", stdout=out)

    assert f"{label.code}  {label.organisation.name} (RS)  expiry-30" in out.getvalue()
    assert "manager@example.org, partner@example.org" in out.getvalue()
    assert "1 reminder(s) would be sent on 2028-03-01; nothing was sent." in out.getvalue()
    assert (LabelReminder.objects.count(), len(mail.outbox), Notification.objects.count()) == (0, 0, 0)


def test_the_command_sends_and_a_second_run_sends_nothing_new(label: Label) -> None:
    type(label).objects.filter(pk=label.pk).update(valid_until=timezone.localdate() + timedelta(days=20))
    out = StringIO()
    call_command("send_label_reminders", stdout=out)
    call_command("send_label_reminders", stdout=out)

    today = timezone.localdate().isoformat()
    tail = "skipped as no longer applicable, 0 failed (kept for the next run)."
    assert out.getvalue().splitlines() == [
        f"{today}: 1 reminder(s) sent (2 e-mail(s)), 0 {tail}",
        f"{today}: 0 reminder(s) sent (0 e-mail(s)), 0 {tail}",
    ]
    assert len(mail.outbox) == 2


def test_the_command_sends_only_on_the_real_day(label: Label) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="only with --dry-run"):
        call_command("send_label_reminders", "--today", "2028-03-01")
    assert LabelReminder.objects.count() == 0


def test_the_command_refuses_a_bad_date(db: None) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_label_reminders", "--today", "1 March")


def test_the_beat_runs_the_sweep_daily_and_the_digest_weekly(settings: Settings) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["label-reminders"]["task"] == "labels.send_label_reminders"
    assert schedule["label-reminder-digest"]["task"] == "labels.send_reminder_digest"
    from escaportal.celery import app

    app.loader.import_default_modules()
    assert {"labels.send_label_reminders", "labels.send_reminder_digest"} <= set(app.tasks)


def test_the_label_page_shows_every_reminder_sent(client: Client, label: Label) -> None:
    sweep(EXPIRY - timedelta(days=30))
    manager = label.organisation.memberships.get().user
    client.force_login(manager)

    page = client.get(f"/labels/label/{label.code}/").content.decode()

    assert "30 days before expiry" in page and "expiry-30" not in page
    assert "Sent" in page and re.search(r">\d+ (person|people)<", page)


def test_the_office_digest_goes_out_once_a_week(people: dict[str, User]) -> None:
    LabelFactory(valid_until=timezone.localdate() + timedelta(days=10))
    monday = date(2026, 11, 23)

    first = reminder_digest_send(today=monday)
    again = reminder_digest_send(today=monday + timedelta(days=2))

    assert first is not None and again is None
    assert first.figures["expiring-30"] == 1
    assert [m.to for m in mail.outbox] == [[people["office"].email]]
    assert ReminderDigest.objects.count() == 1
    assert reminder_digest_send(today=monday + timedelta(days=7)) is not None


@settings(max_examples=150, deadline=None)
@given(
    level=st.sampled_from(list(Level)),
    valid_until=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    today=st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)),
)
def test_the_database_selection_agrees_with_the_python_rule(
    django_db_blocker: DjangoDbBlocker, level: Level, valid_until: date, today: date
) -> None:
    """The set-based query and ``current_reminder`` pick the same reminder for any label and day."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        label = LabelFactory(level=level, valid_from=valid_until - timedelta(days=700), valid_until=valid_until)
        selected = reminders_due(today).filter(pk=label.pk).values_list("reminder_kind", flat=True).first()
        expected = current_reminder(level=level, valid_until=valid_until, today=today)
        transaction.set_rollback(True)
    assert selected == (expected.key if expected else None)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(postgres: None) -> None:
    RoleGrantFactory()  # a label office, so the scene looks like production
    day = date(2028, 3, 1)
    for _ in range(20):
        organisation = OrganisationFactory(country="RS")
        MembershipFactory(organisation=organisation)
        LabelFactory(organisation=organisation, valid_from=date(2026, 3, 1), valid_until=EXPIRY)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            reminders_sweep(today=day)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert LabelReminder.objects.filter(state=ReminderState.SENT).count() == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Label.objects.values_list("organisation__memberships__user__email", flat=True)
    )


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address, or every connection."""

    refused = "partner@example.org"
    unreachable = False

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if RefusingBackend.unreachable:
            raise ConnectionRefusedError("mail server down")
        for message in messages:
            if RefusingBackend.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({RefusingBackend.refused: (550, b"no such user")})
            mail.outbox.append(message)
        return len(messages)


@pytest.fixture
def refusing_mail(settings: Settings) -> Iterator[type[RefusingBackend]]:
    settings.EMAIL_BACKEND = "tests.labels.test_reminders.RefusingBackend"
    mail.outbox = []
    RefusingBackend.unreachable = False
    yield RefusingBackend
    RefusingBackend.unreachable = False


def test_a_refused_address_does_not_stop_the_others_nor_send_twice(
    label: Label, refusing_mail: type[RefusingBackend]
) -> None:
    day = EXPIRY - timedelta(days=30)
    assert sweep(day) == ["expiry-30"]
    assert sweep(day + timedelta(days=1)) == []

    reminder = LabelReminder.objects.get()
    assert reminder.recipients == ["manager@example.org"]
    assert reminder.note == "refused by the mail server: partner@example.org"
    assert [m.to for m in mail.outbox] == [["manager@example.org"]]


def test_an_unreachable_mail_server_keeps_reminders_for_the_retry(
    label: Label, refusing_mail: type[RefusingBackend]
) -> None:
    from labels.reminders import ReminderDeliveryError

    day = EXPIRY - timedelta(days=30)
    refusing_mail.unreachable = True
    with pytest.raises(ReminderDeliveryError):
        reminders_sweep(today=day)
    pending = LabelReminder.objects.get()
    assert (pending.state, pending.note) == (
        ReminderState.PENDING,
        "not sent: ConnectionRefusedError: mail server down",
    )

    refusing_mail.unreachable = False
    assert sweep(day + timedelta(days=1)) == ["expiry-30"]
    assert sorted(m.to[0] for m in mail.outbox) == ["manager@example.org"]


def test_one_broken_reminder_does_not_hold_back_the_others(label: Label) -> None:
    day = EXPIRY - timedelta(days=30)
    other = LabelFactory(
        organisation=MembershipFactory(organisation__country="RS").organisation,
        valid_from=date(2026, 3, 1),
        valid_until=EXPIRY,
    )
    # A label of a level the scheme does not know (a bad row from elsewhere) makes its
    # pending reminder raise; it stays pending with the reason, and the next one still goes.
    type(label).objects.filter(pk=label.pk).update(level="platinum")
    broken = LabelReminder.objects.create(label=label, kind="expiry-30", sequence=2, due_on=day, for_valid_until=EXPIRY)

    report = reminders_sweep(today=day)

    broken.refresh_from_db()
    assert (broken.state, broken.note.startswith("not sent: ValueError")) == (ReminderState.PENDING, True)
    assert LabelReminder.objects.get(label=other).state == ReminderState.SENT
    assert report.failed == 1


def test_a_corrected_end_date_starts_a_new_timeline(label: Label, people: dict[str, User]) -> None:
    from labels.services import label_correct

    assert sweep(EXPIRY - timedelta(days=30)) == ["expiry-30"]
    later = date(2029, 3, 31)
    label_correct(label=label, by=people["office"], reason="The interview was a year later.", valid_until=later)

    assert sweep(later - timedelta(days=180)) == ["expiry-180"]
    assert sweep(later - timedelta(days=30)) == ["expiry-30"]
    assert LabelReminder.objects.filter(kind="expiry-30").count() == 2


def test_a_bronze_label_of_a_gold_holder_is_not_reminded(label: Label) -> None:
    LabelFactory(
        organisation=label.organisation, level="gold", valid_from=date(2027, 1, 1), valid_until=date(2030, 1, 31)
    )
    assert sweep(EXPIRY - timedelta(days=30)) == []


def test_a_reminder_with_nobody_to_tell_is_skipped_and_says_why(db: None) -> None:
    lonely = LabelFactory(
        organisation=OrganisationFactory(country="IS"), valid_from=date(2026, 3, 1), valid_until=EXPIRY
    )
    reminders_sweep(today=EXPIRY - timedelta(days=30))
    reminder = LabelReminder.objects.get(label=lonely)
    assert (reminder.state, reminder.note) == (
        ReminderState.SKIPPED,
        "nobody to tell: no active manager, no partner for the country",
    )
