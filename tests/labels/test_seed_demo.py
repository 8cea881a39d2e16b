"""seed_demo builds one account per role, can run again, and refuses production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import RoleGrant, User
from clusters.models import ClusterOrganisation, Membership, PartnerStaff
from labels.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (User, RoleGrant, ClusterOrganisation, Membership, PartnerStaff))


def test_seed_demo_creates_one_account_per_role(db: None, settings: pytest.FixtureRequest) -> None:
    settings.DEBUG = True

    call_command("seed_demo", stdout=StringIO())

    users = User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS])
    assert users.count() == 7
    assert all(user.check_password(DEMO_PASSWORD) for user in users)


def test_seed_demo_twice_changes_nothing(db: None, settings: pytest.FixtureRequest) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    before = counts()

    call_command("seed_demo", stdout=StringIO())

    assert counts() == before


def test_seed_demo_refuses_with_debug_off(db: None, settings: pytest.FixtureRequest) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")

    assert User.objects.count() == 0


def test_demo_office_is_no_superuser(db: None, settings: pytest.FixtureRequest) -> None:
    """A superuser passes every rule, the committee's four-eyes rule included."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    office = User.objects.get(email="office@demo.test")

    assert (office.is_staff, office.is_superuser) == (True, False)
    assert office.has_perm("clusters.change_clusterorganisation") is True
    assert office.has_perm("labels.view_committee_start") is False
