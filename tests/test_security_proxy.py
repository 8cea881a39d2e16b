"""The limits protect the right thing, behind the proxy and without it.

Every request goes through the whole middleware stack (Django's test Client).
Behind the proxy (``PROXY_COUNT=1``) each request arrives from the proxy's
address with ``X-Forwarded-For`` as nginx's ``$proxy_add_x_forwarded_for``
leaves it: whatever the client sent, then the address the proxy saw. Without a
proxy (``PROXY_COUNT=0``) clients connect directly and may send any header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.enums import StaffRole
from labels.models import Label
from tests.factories import PASSWORD, LabelFactory, RoleGrantFactory, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

PROXY = "10.0.0.2"
VISITOR = "198.51.100.7"
ATTACKER = "203.0.113.66"
LOGIN = "/accounts/login/"


class Route(Protocol):
    """How a request reaches the portal: the WSGI environment it arrives with."""

    def __call__(self, client_address: str, forged: str | None = None) -> dict[str, Any]: ...


def through_proxy(client_address: str, forged: str | None = None) -> dict[str, Any]:
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def direct(client_address: str, forged: str | None = None) -> dict[str, Any]:
    return {"REMOTE_ADDR": client_address} | ({"HTTP_X_FORWARDED_FOR": forged} if forged else {})


@pytest.fixture
def behind_proxy(settings: Settings) -> Route:
    settings.PROXY_COUNT = 1
    return through_proxy


@pytest.fixture(params=[1, 0], ids=["behind-proxy", "direct"])
def route(request: pytest.FixtureRequest, settings: Settings) -> Route:
    settings.PROXY_COUNT = request.param
    return through_proxy if request.param else direct


def forged(n: int) -> str:
    """A different made-up address on every request, as a client escaping a limit would send."""
    return f"192.0.2.{n % 250 + 1}"


def login(route: dict[str, Any], email: str, password: str) -> TestResponse:
    return Client().post(LOGIN, {"username": email, "password": password}, **route)


def verify(route: dict[str, Any], code: str, client: Client | None = None) -> int:
    return (client or Client()).get(reverse("verify", args=[code]), **route).status_code


def unknown_code(n: int) -> str:
    return f"XX-B-2026-{n:04d}"


@pytest.fixture
def label(db: None) -> Label:
    return LabelFactory()


# --- Login lockout ----------------------------------------------------------------


def test_wrong_passwords_from_one_client_leave_the_account_open_to_another(
    behind_proxy: Route, settings: Settings, db: None
) -> None:
    owner = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(behind_proxy(ATTACKER), owner.email, "wrong")

    assert login(behind_proxy(ATTACKER), owner.email, PASSWORD).status_code == 429
    assert login(behind_proxy(VISITOR), owner.email, PASSWORD).status_code == 302


def test_a_forged_header_does_not_escape_the_login_lockout(route: Route, settings: Settings, db: None) -> None:
    owner = UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(route(ATTACKER, forged(n)), owner.email, "wrong")

    response = login(route(ATTACKER, forged(99)), owner.email, PASSWORD)

    assert response.status_code == 429


def test_the_failure_record_names_the_client_not_the_proxy(behind_proxy: Route, db: None) -> None:
    """What the office reads in the admin (axes masks addresses in its log lines)."""
    owner = UserFactory()
    login(behind_proxy(ATTACKER, "192.0.2.1"), owner.email, "wrong")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]


# --- Verification and the Open Badges credential --------------------------------------


def test_unknown_codes_from_one_client_leave_verification_working_for_others(
    behind_proxy: Route, settings: Settings, label: Label
) -> None:
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    answers = [verify(behind_proxy(ATTACKER), unknown_code(n)) for n in range(limit + 1)]

    assert answers == [404] * limit + [429]
    refused = Client().get(reverse("verify", args=[label.code]), **behind_proxy(ATTACKER))
    assert 0 < int(refused["Retry-After"]) <= settings.VERIFY_WINDOW.total_seconds()
    assert verify(behind_proxy(VISITOR), label.code) == 200
    assert verify(behind_proxy(VISITOR), unknown_code(0)) == 404


def test_a_spent_budget_refuses_known_codes_too(behind_proxy: Route, settings: Settings, label: Label) -> None:
    """Otherwise a script past its budget would still learn which of its guesses exist."""
    for n in range(settings.VERIFY_UNKNOWN_CODES_LIMIT):
        verify(behind_proxy(ATTACKER), unknown_code(n))

    assert verify(behind_proxy(ATTACKER), label.code) == 429


def test_known_codes_never_spend_the_budget(behind_proxy: Route, settings: Settings, label: Label) -> None:
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    scans = [verify(behind_proxy(VISITOR), label.code) for _ in range(limit + 1)]
    credentials = [
        Client().get(reverse("labels:ob_credential", args=[label.code]), **behind_proxy(VISITOR)).status_code
        for _ in range(limit + 1)
    ]
    typos = [verify(behind_proxy(VISITOR), unknown_code(n)) for n in range(limit)]

    assert scans == [200] * (limit + 1)
    assert credentials == [200] * (limit + 1)
    assert typos == [404] * limit


def test_a_forged_header_does_not_escape_the_verification_budget(route: Route, settings: Settings, db: None) -> None:
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    answers = [verify(route(ATTACKER, forged(n)), unknown_code(n)) for n in range(limit + 1)]

    assert answers == [404] * limit + [429]


def test_the_credential_and_verification_share_one_budget(
    behind_proxy: Route, settings: Settings, label: Label
) -> None:
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    half = limit // 2
    credential = reverse("labels:ob_credential", args=[unknown_code(0)])
    for n in range(half):
        verify(behind_proxy(ATTACKER), unknown_code(n))
    answers = [Client().get(credential, **behind_proxy(ATTACKER)).status_code for _ in range(limit - half + 1)]

    assert answers == [404] * (limit - half) + [429]
    assert verify(behind_proxy(ATTACKER), label.code) == 429
    refused = Client().get(credential, **behind_proxy(ATTACKER))
    assert 0 < int(refused["Retry-After"]) <= settings.VERIFY_WINDOW.total_seconds()
    assert Client().get(reverse("labels:ob_credential", args=[label.code]), **behind_proxy(VISITOR)).status_code == 200


def test_the_verify_box_spends_the_same_budget(behind_proxy: Route, settings: Settings, db: None) -> None:
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    for n in range(limit):
        Client().get(reverse("verify_search"), {"code": f"bad/{n}"}, **behind_proxy(ATTACKER))

    assert verify(behind_proxy(ATTACKER), unknown_code(0)) == 429


def test_people_with_a_staff_role_are_never_limited(behind_proxy: Route, settings: Settings, db: None) -> None:
    staff = Client()
    staff.force_login(RoleGrantFactory(role=StaffRole.POLICY_READER).user)
    answers = [
        verify(behind_proxy(VISITOR), unknown_code(n), staff) for n in range(settings.VERIFY_UNKNOWN_CODES_LIMIT + 1)
    ]

    assert set(answers) == {404}


def test_signed_in_people_without_a_staff_role_share_the_budget(
    behind_proxy: Route, settings: Settings, db: None
) -> None:
    member = Client()
    member.force_login(UserFactory())
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    answers = [verify(behind_proxy(VISITOR), unknown_code(n), member) for n in range(limit + 1)]

    assert answers == [404] * limit + [429]


def test_the_budget_reads_its_numbers_from_the_settings(behind_proxy: Route, settings: Settings, db: None) -> None:
    settings.VERIFY_UNKNOWN_CODES_LIMIT = 3
    answers = [verify(behind_proxy(ATTACKER), unknown_code(n)) for n in range(4)]

    assert answers == [404, 404, 404, 429]


# --- The public API's throttle ---------------------------------------------------------


@pytest.fixture
def api_limit(settings: Settings) -> int:
    settings.API_ANON_PER_MINUTE = 3
    return 3


def api_call(route: dict[str, Any]) -> TestResponse:
    return Client().get(reverse("api_labels"), **route)


def test_the_api_throttles_one_client_and_says_when_to_come_back(behind_proxy: Route, api_limit: int, db: None) -> None:
    answers = [api_call(behind_proxy(ATTACKER)) for _ in range(api_limit + 1)]

    assert [answer.status_code for answer in answers] == [200] * api_limit + [429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert api_call(behind_proxy(VISITOR)).status_code == 200


def test_a_forged_header_does_not_escape_the_api_throttle(route: Route, api_limit: int, db: None) -> None:
    answers = [api_call(route(ATTACKER, forged(n))).status_code for n in range(api_limit + 1)]

    assert answers == [200] * api_limit + [429]
