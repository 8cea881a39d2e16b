"""seed_demo builds one account per role, can run again, and refuses production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import RoleGrant, User
from accounts.rules import is_label_committee
from clusters.models import ClusterOrganisation, Membership, PartnerStaff
from common.scheme import board_rules
from labels.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from labels.models import CertificateJob, Label
from tests.files import stored_name


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (User, RoleGrant, ClusterOrganisation, Membership, PartnerStaff))


def test_seed_demo_creates_one_account_per_role(db: None, settings: Settings) -> None:
    settings.DEBUG = True

    call_command("seed_demo", stdout=StringIO())

    users = User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS])
    assert users.count() == 9
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    # The demo committee is enough for a board meeting with the default quorum.
    committee = [user for user in users if is_label_committee(user)]
    assert len(committee) == board_rules().quorum


def test_seed_demo_twice_changes_nothing(db: None, settings: Settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    before = counts()

    call_command("seed_demo", stdout=StringIO())

    assert counts() == before


def test_seed_demo_refuses_with_debug_off(db: None, settings: Settings) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")

    assert User.objects.count() == 0


def test_demo_office_is_no_superuser(db: None, settings: Settings) -> None:
    """A superuser passes every rule, the committee's four-eyes rule included."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    office = User.objects.get(email="office@demo.test")

    assert (office.is_staff, office.is_superuser) == (True, False)
    assert office.has_perm("clusters.change_clusterorganisation") is True
    assert office.has_perm("labels.view_committee_start") is False


def test_demo_tells_the_serbian_story(db: None, settings: Settings) -> None:
    from datetime import date

    from labels.models import Label
    from labels.validity import label_state

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    serbian = Label.objects.filter(organisation__country="RS").order_by("assessed_on")
    story = [label for label in serbian if label.assessed_on.year in (2012, 2013)]
    assert [(label.level, label_state(label, date(2026, 11, 25))) for label in story] == [("bronze", "lapsed")] * 5
    assert [label.organisation.name for label in serbian if label.assessed_on.year > 2013] == [
        "Panonija Food Valley Cluster"
    ]
    never_labelled = ClusterOrganisation.objects.filter(country="RS", labels__isnull=True)
    assert never_labelled.count() >= 3
    # The demo manager, reading in Serbian, gets the current certificate in English and Serbian.
    assert [label.certificate_language for label in serbian if label.assessed_on.year > 2013] == ["en+sr-latn"]


def test_demo_has_sixty_organisations_in_twelve_countries(db: None, settings: Settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    assert ClusterOrganisation.objects.count() >= 60
    assert ClusterOrganisation.objects.values("country").distinct().count() >= 12


def test_seed_demo_renders_a_certificate_for_every_current_label(
    db: None, settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    settings.DEBUG = True

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())

    current = [label for label in Label.objects.all() if label.is_current]
    without = [
        label.code
        for label in current
        if not (label.certificate and label.certificate.storage.exists(stored_name(label.certificate)))
    ]
    assert len(current) >= 40
    assert without == []
    # One bulk job, with its progress for the office; the second run found every certificate there.
    assert list(CertificateJob.objects.values_list("state", "total", "failed")) == [("done", len(current), [])]
