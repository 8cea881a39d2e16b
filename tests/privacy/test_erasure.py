"""Erasure keeps the record honest: the person is gone, the label and the figures are not."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.models import User
from assessments.models import AssessmentReport, Clarification
from common.errors import ActionRefused
from common.models import ActivityLog, Notification
from labels.certificates.rendering import certificate_outdated
from labels.models import Label
from privacy.erasure import person_erase, pseudonym_for
from privacy.models import Erasure

pytestmark = pytest.mark.django_db


# What differs between two renderings of the same facts: the request's CSRF
# token, and chart ids numbered per process.
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+"')
CHART_ID = re.compile(r"chart-\d+")


def page(client: Client, url: str) -> str:
    """The page as text, without its per-request CSRF token."""
    answer = client.get(url)
    assert answer.status_code == 200, url
    return CHART_ID.sub("chart", CSRF.sub("", answer.content.decode()))


def public_views(client: Client, case: SimpleNamespace) -> dict[str, object]:
    """What the outside world and the office see of the case: verification, statistics, label, counts."""
    label = Label.objects.get(pk=case.label.pk)
    verify = page(client, reverse("verify", kwargs={"code": label.code}))
    return {
        "verify": verify,
        "label": (label.code, label.level, label.valid_from, label.valid_until, label.score, label.revoked_at),
        "certificate outdated": certificate_outdated(label),
        "history rows": ActivityLog.objects.filter(
            content_type__model="application", object_id=case.application.pk
        ).count(),
        "decisions": list(case.application.__class__.objects.filter(pk=case.application.pk).values_list("state")),
    }


def statistics(client: Client, office: User) -> str:
    client.force_login(office)
    body = page(client, reverse("statistics:overview"))
    client.logout()
    return body


def test_erasing_the_manager_and_an_assessor_keeps_label_verification_history_and_statistics(
    client: Client, gold_awarded: SimpleNamespace, settings: Settings
) -> None:
    case = gold_awarded
    office = case.staff["office"]
    before = public_views(client, case)
    figures_before = statistics(client, office)
    names = {case.manager.full_name, case.manager.email, case.expert.full_name, case.expert.email}

    for person in (case.manager, case.expert):
        person_erase(user=person, reason="Asked by e-mail", legal_basis="GDPR art. 17(1)(a)", by=office)

    assert public_views(client, case) == before
    assert statistics(client, office) == figures_before
    # The history still says who did what, by pseudonym.
    client.force_login(office)
    history = page(client, reverse("history", kwargs={"kind": "application", "pk": case.application.pk}))
    manager, expert = User.objects.get(pk=case.manager.pk), User.objects.get(pk=case.expert.pk)
    assert pseudonym_for(manager) in history and pseudonym_for(expert) in history
    assert [name for name in names if name in history] == []
    # Copied into free text, the names went too.
    clarification = Clarification.objects.get(pk=case.clarification.pk)
    summary = AssessmentReport.objects.get(application=case.application).summary
    assert [n for n in names if n in clarification.question + clarification.answer + summary] == []
    assert pseudonym_for(manager) in clarification.question
    # The accounts are closed and hold nothing that identifies the person.
    assert [(u.is_active, u.has_usable_password(), u.full_name) for u in (manager, expert)] == [
        (False, False, pseudonym_for(manager)),
        (False, False, pseudonym_for(expert)),
    ]
    assert Notification.objects.filter(user__in=[manager, expert]).count() == 0
    assert Erasure.objects.filter(user=manager).values_list("legal_basis", "reason").get() == (
        "GDPR art. 17(1)(a)",
        "Asked by e-mail",
    )


def test_the_pseudonym_is_stable(gold_awarded: SimpleNamespace) -> None:
    assert pseudonym_for(gold_awarded.expert) == pseudonym_for(User.objects.get(pk=gold_awarded.expert.pk))
    assert pseudonym_for(gold_awarded.expert) != pseudonym_for(gold_awarded.manager)


def test_only_the_office_erases_and_only_once(gold_awarded: SimpleNamespace) -> None:
    case = gold_awarded
    with pytest.raises(PermissionDenied):
        person_erase(user=case.expert, reason="r", legal_basis="b", by=case.staff["committee"])
    person_erase(user=case.expert, reason="r", legal_basis="b", by=case.staff["office"])
    with pytest.raises(ActionRefused):
        person_erase(user=case.expert, reason="r", legal_basis="b", by=case.staff["office"])

    assert Erasure.objects.count() == 1
    assert ActivityLog.objects.filter(action="person.erased").count() == 1


def test_an_erased_person_cannot_log_in(client: Client, gold_awarded: SimpleNamespace) -> None:
    from tests.factories import PASSWORD

    email = gold_awarded.manager.email
    person_erase(user=gold_awarded.manager, reason="r", legal_basis="b", by=gold_awarded.staff["office"])

    answer = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert answer.status_code == 200
