"""A renewal opens some months before expiry (``renewal_opens_months_before``), not the day after the award."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from assessments.models import QuestionnaireVersion
from assessments.services import applications
from clusters.models import Membership
from common.enums import Level
from common.errors import ActionRefused
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create

# Interviewed 15 March 2026: valid to 31 March 2028; six months before, the renewal opens on 1 October 2027.
ASSESSED = date(2026, 3, 15)
OPENS = date(2027, 10, 1)


def _label(membership: Membership, assessed_on: date = ASSESSED) -> Label:
    return label_create(
        organisation=membership.organisation, level=Level.BRONZE, assessed_on=assessed_on, source=LabelSource.IMPORT
    )


def _start(membership: Membership, today: date) -> None:
    applications.application_start(
        organisation=membership.organisation, level=Level.BRONZE, by=membership.user, today=today
    )


def test_renewal_a_day_before_it_opens_is_refused_saying_from_when(
    bronze: QuestionnaireVersion, manager: Membership
) -> None:
    _label(manager)

    with pytest.raises(ActionRefused, match="Its renewal can start from") as refusal:
        _start(manager, date(2027, 9, 30))

    assert "2027-10-01" in str(refusal.value)
    assert manager.organisation.applications.count() == 0


def test_renewal_on_the_day_it_opens_starts(bronze: QuestionnaireVersion, manager: Membership) -> None:
    _label(manager)

    _start(manager, OPENS)

    assert manager.organisation.applications.get().level == "bronze"


def test_renewal_a_month_after_the_award_is_refused(bronze: QuestionnaireVersion, manager: Membership) -> None:
    _label(manager)

    with pytest.raises(ActionRefused, match="Its renewal can start from"):
        _start(manager, date(2026, 4, 15))


def test_after_the_window_the_organisation_starts_again_as_a_first_applicant(
    bronze: QuestionnaireVersion, manager: Membership
) -> None:
    _label(manager)  # valid to 31 March 2028, renewable until 31 March 2029

    _start(manager, date(2029, 4, 1))

    assert manager.organisation.applications.count() == 1


def test_opening_follows_the_configuration(
    bronze: QuestionnaireVersion, manager: Membership, settings: Settings
) -> None:
    settings.LABEL_SCHEME = {
        **settings.LABEL_SCHEME,
        "bronze": {**settings.LABEL_SCHEME["bronze"], "renewal_opens_months_before": 3},
    }
    _label(manager)

    assert applications.renewal_timing_problem(manager.organisation, Level.BRONZE, date(2027, 12, 31)) is not None
    assert applications.renewal_timing_problem(manager.organisation, Level.BRONZE, date(2028, 1, 1)) is None


def test_start_page_shows_the_window_then_renew_now(
    bronze: QuestionnaireVersion, manager: Membership, client: Client
) -> None:
    today = timezone.localdate()
    early = _label(manager, assessed_on=today)  # a fresh label: the window is shown, no prompt
    client.force_login(manager.user)

    page = client.get(reverse("clusters:manager_start")).content.decode()

    assert f'data-testid="renewal-{early.code}"' in page
    assert "Renewal possible from" in page
    assert f'data-testid="renew-now-{early.code}"' not in page

    Label.objects.filter(pk=early.pk).update(valid_until=date.fromordinal(today.toordinal() + 40))
    cache.clear()  # no service made that change (no history row): the kept page is drawn afresh (common.kept)
    page = client.get(reverse("clusters:manager_start")).content.decode()

    assert f'data-testid="renew-now-{early.code}"' in page
    assert "Renew now: 40 days left before the label expires." in page


def test_label_page_offers_the_renewal_only_once_it_opens(
    bronze: QuestionnaireVersion, manager: Membership, client: Client
) -> None:
    today = timezone.localdate()
    label = _label(manager, assessed_on=today)
    client.force_login(manager.user)
    url = reverse("labels:label_detail", args=[label.code])

    assert 'data-testid="renew"' not in client.get(url).content.decode()

    Label.objects.filter(pk=label.pk).update(valid_until=date.fromordinal(today.toordinal() + 40))
    assert 'data-testid="renew"' in client.get(url).content.decode()
