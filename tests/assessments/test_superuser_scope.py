"""The scheme's roles are not the admin's: a superuser with no role sees no case.

Django's ``User.has_perm`` lets any active superuser through before any rule; the case
pages ask the rule itself (``assessments.selectors.application_for``)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from assessments.models import QuestionnaireVersion
from assessments.selectors import application_for
from clusters.models import Membership
from tests.assessments.test_hot_page_queries import _draft
from tests.factories import UserFactory


def test_a_superuser_without_a_role_gets_no_case(
    client: Client, bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = _draft(manager, bronze, 1)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)

    with pytest.raises(Http404):
        application_for(superuser, application.pk)
    assert client.get(reverse("assessments:application_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("assessments:application_section", args=[application.pk, "S1"])).status_code == 404


@pytest.mark.django_db
def test_a_case_key_no_column_holds_is_no_such_case(client: Client, manager: Membership) -> None:
    """Read by a prepared query (``common.prepared``): a key beyond 64 bits is a 404, not the driver's overflow."""
    client.force_login(manager.user)

    assert client.get("/assessments/a/99999999999999999999999/").status_code == 404
    assert client.get("/assessments/a/99999999999999999999999/s/S1/").status_code == 404
