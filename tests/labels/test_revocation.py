"""Revocation that keeps the chain, its reversal, and one story told by every surface.

Revoking a renewal takes it out of its organisation's chain: the label it had
replaced is the current one again, in the state its own dates give it, with
its reminders. The office can reverse a revocation made in error. Whatever
the chain looks like, the verification page, the registry, the API, the
partner's dashboard and the reminders say the same thing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clusters.models import ClusterOrganisation
from common.enums import Level
from common.errors import ActionRefused
from common.selectors import history_of
from labels import openbadges
from labels.enums import LabelSource, LabelState
from labels.models import Label
from labels.reminders import reminders_planned
from labels.selectors import label_events_of
from labels.services import label_create, label_reinstate, label_revoke
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory

TODAY = timezone.localdate()


def months_ago(months: int) -> date:
    """The 15th of the month ``months`` before this one (negative: ahead)."""
    index = TODAY.year * 12 + TODAY.month - 1 - months
    return date(index // 12, index % 12 + 1, 15)


@pytest.fixture
def organisation(db: None) -> ClusterOrganisation:
    organisation = OrganisationFactory(country="RS")
    MembershipFactory(organisation=organisation, user__email="manager@example.org")
    return organisation


@pytest.fixture
def partner(db: None) -> User:
    return PartnerStaffFactory(partner__countries=["RS"], user__email="partner@example.org").user


def bronze(organisation: ClusterOrganisation, assessed_on: date) -> Label:
    return label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=assessed_on, source=LabelSource.IMPORT
    )


def fresh(label: Label) -> Label:
    return Label.objects.get(pk=label.pk)


# --- What each surface says ---------------------------------------------------------------------


@dataclass
class Story:
    """What one surface tells about an organisation's Bronze labels, by label name."""

    states: dict[str, str] = field(default_factory=dict)
    holds: bool | None = None
    listed: set[str] = field(default_factory=set)  # in the public registry of current labels
    reminded: set[str] = field(default_factory=set)  # would get a reminder today
    renewable: set[str] = field(default_factory=set)  # the dashboard's "expired, still renewable"
    lapsed: set[str] = field(default_factory=set)  # the dashboard's "lapsed"


def told_by_verification(client: Client, labels: dict[str, Label]) -> dict[str, str]:
    client.logout()
    return {name: client.get(reverse("verify", args=[label.code])).context["state"] for name, label in labels.items()}


def told_by_api(client: Client, labels: dict[str, Label]) -> dict[str, str]:
    client.logout()
    return {name: client.get(reverse("api_label", args=[label.code])).json()["state"] for name, label in labels.items()}


def listed_in_registry(client: Client, labels: dict[str, Label]) -> set[str]:
    client.logout()
    shown = {label.code for label in client.get(reverse("registry")).context["page"].object_list}
    return {name for name, label in labels.items() if label.code in shown}


def told_by_dashboard(client: Client, partner: User, labels: dict[str, Label]) -> tuple[bool, set[str], set[str]]:
    """Whether the partner's dashboard counts the organisation as holding a label, and its two lists."""
    client.force_login(partner)
    by_code = {label.code: name for name, label in labels.items()}

    def listed(figure: str) -> set[str]:
        page = client.get(reverse("labels:dashboard_list", args=[figure])).context["page"]
        return {by_code[label.code] for label in page.object_list if label.code in by_code}

    holding = client.get(reverse("labels:dashboard_list", args=["holding"])).context["page"].object_list
    organisation = next(iter(labels.values())).organisation
    counted = client.get(reverse("labels:dashboard")).context["figures"]
    holding_count = next(row["count"] for row in counted if row["figure"].key == "holding")
    holds = organisation in holding
    assert holding_count == int(holds)  # the figure and its list agree
    renewable, lapsed = listed("renewable"), listed("lapsed")
    client.logout()
    return holds, renewable, lapsed


def reminded_today(labels: dict[str, Label]) -> set[str]:
    planned = {entry["code"] for entry in reminders_planned(TODAY)}
    return {name for name, label in labels.items() if label.code in planned}


def what_everyone_says(client: Client, partner: User, labels: dict[str, Label]) -> dict[str, Story]:
    labels = {name: fresh(label) for name, label in labels.items()}
    holds, renewable, lapsed = told_by_dashboard(client, partner, labels)
    return {
        "verification": Story(states=told_by_verification(client, labels)),
        "api": Story(states=told_by_api(client, labels)),
        "registry": Story(listed=listed_in_registry(client, labels)),
        "dashboard": Story(holds=holds, renewable=renewable, lapsed=lapsed),
        "reminders": Story(reminded=reminded_today(labels)),
    }


def assert_one_story(told: dict[str, Story], expected: Story) -> None:
    """Every surface tells the expected story, each in its own terms."""
    assert told["verification"].states == expected.states
    assert told["api"].states == expected.states
    assert told["registry"].listed == expected.listed
    assert told["dashboard"].holds == expected.holds
    assert (told["dashboard"].renewable, told["dashboard"].lapsed) == (expected.renewable, expected.lapsed)
    assert told["reminders"].reminded == expected.reminded


# --- The chains, and the story each must tell ----------------------------------------------------

V, E, R, L = LabelState.VALID, LabelState.EXPIRING, LabelState.RENEWABLE, LabelState.LAPSED
REVOKED, SUPERSEDED = LabelState.REVOKED, LabelState.SUPERSEDED


def single_valid(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    return {"first": bronze(org, months_ago(6))}


def single_expiring(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    return {"first": bronze(org, months_ago(23))}


def single_revoked(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    first = bronze(org, months_ago(6))
    label_revoke(label=first, by=office, reason="Misrepresented its members.")
    return {"first": first}


def expired_renewable(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    return {"first": bronze(org, months_ago(27))}


def lapsed(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    return {"first": bronze(org, months_ago(40))}


def renewal_chain(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    """Expired six months ago, renewed three months ago: the renewal runs since its expiry."""
    return {"first": bronze(org, months_ago(30)), "renewal": bronze(org, months_ago(3))}


def revoked_renewal(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    labels = renewal_chain(org, office)
    label_revoke(label=labels["renewal"], by=office, reason="The benchmarking was not done.")
    return labels


def reinstated_renewal(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    labels = revoked_renewal(org, office)
    label_reinstate(label=labels["renewal"], by=office, reason="Revoked in error: it was another organisation.")
    return labels


def future_renewal(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    """Renewed before it expires: the renewal starts the day after the first one ends."""
    return {"first": bronze(org, months_ago(23)), "renewal": bronze(org, TODAY - timedelta(days=1))}


def revoked_future_renewal(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    labels = future_renewal(org, office)
    label_revoke(label=labels["renewal"], by=office, reason="The benchmarking was not done.")
    return labels


def reinstated_future_renewal(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    labels = revoked_future_renewal(org, office)
    label_reinstate(label=labels["renewal"], by=office, reason="Revoked in error.")
    return labels


def revoked_first_of_a_chain(org: ClusterOrganisation, office: User) -> dict[str, Label]:
    """The older label of a running chain is revoked: the renewal stays the current one."""
    labels = renewal_chain(org, office)
    label_revoke(label=labels["first"], by=office, reason="Its benchmarking was copied.")
    return labels


CHAINS: dict[str, tuple[Callable[[ClusterOrganisation, User], dict[str, Label]], Story]] = {
    "single valid": (single_valid, Story(states={"first": V}, holds=True, listed={"first"})),
    "single expiring": (
        single_expiring,
        Story(states={"first": E}, holds=True, listed={"first"}, reminded={"first"}),
    ),
    "single revoked": (single_revoked, Story(states={"first": REVOKED}, holds=False)),
    "expired, renewable": (
        expired_renewable,
        Story(states={"first": R}, holds=False, reminded={"first"}, renewable={"first"}),
    ),
    "lapsed": (lapsed, Story(states={"first": L}, holds=False, lapsed={"first"})),
    "renewal chain": (
        renewal_chain,
        Story(states={"first": SUPERSEDED, "renewal": V}, holds=True, listed={"renewal"}),
    ),
    "revoked renewal": (
        revoked_renewal,
        Story(states={"first": R, "renewal": REVOKED}, holds=False, reminded={"first"}, renewable={"first"}),
    ),
    "reinstated renewal": (
        reinstated_renewal,
        Story(states={"first": SUPERSEDED, "renewal": V}, holds=True, listed={"renewal"}),
    ),
    "future-starting renewal": (
        future_renewal,
        Story(states={"first": SUPERSEDED, "renewal": V}, holds=True, listed={"renewal"}),
    ),
    "revoked future-starting renewal": (
        revoked_future_renewal,
        Story(states={"first": E, "renewal": REVOKED}, holds=True, listed={"first"}, reminded={"first"}),
    ),
    "reinstated future-starting renewal": (
        reinstated_future_renewal,
        Story(states={"first": SUPERSEDED, "renewal": V}, holds=True, listed={"renewal"}),
    ),
    "revoked first of a chain": (
        revoked_first_of_a_chain,
        Story(states={"first": REVOKED, "renewal": V}, holds=True, listed={"renewal"}),
    ),
}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_every_surface_tells_the_same_story(
    client: Client, organisation: ClusterOrganisation, partner: User, people: dict[str, User], chain: str
) -> None:
    build, expected = CHAINS[chain]
    labels = build(organisation, people["office"])

    told = what_everyone_says(client, partner, labels)

    assert_one_story(told, expected)
    # The story holds together: the organisation is listed exactly when it holds a label,
    # and only a label that is neither revoked nor replaced is ever reminded.
    assert bool(expected.listed) == expected.holds
    assert all(expected.states[name] not in (REVOKED, SUPERSEDED) for name in expected.reminded)


# --- A renewal revoked, then reinstated ------------------------------------------------------------


def test_a_revoked_renewal_gives_back_the_previous_label_and_its_reinstatement_takes_it_again(
    client: Client, organisation: ClusterOrganisation, partner: User, people: dict[str, User]
) -> None:
    office = people["office"]
    labels = future_renewal(organisation, office)
    before = what_everyone_says(client, partner, labels)

    label_revoke(label=labels["renewal"], by=office, reason="The benchmarking was not done.")
    revoked = what_everyone_says(client, partner, labels)
    label_reinstate(label=labels["renewal"], by=office, reason="Revoked in error: it was another organisation.")
    reinstated = what_everyone_says(client, partner, labels)

    assert_one_story(before, Story(states={"first": SUPERSEDED, "renewal": V}, holds=True, listed={"renewal"}))
    # The previous label is the current one again: valid (expiring soon) by its own dates, listed,
    # counted as holding, and reminded again.
    assert_one_story(
        revoked, Story(states={"first": E, "renewal": REVOKED}, holds=True, listed={"first"}, reminded={"first"})
    )
    assert_one_story(reinstated, Story(states={"first": SUPERSEDED, "renewal": V}, holds=True, listed={"renewal"}))
    first, renewal = fresh(labels["first"]), fresh(labels["renewal"])
    assert (first.superseded_by_id, renewal.superseded_by_id, renewal.revoked_at, renewal.revoke_reason) == (
        renewal.pk,
        None,
        None,
        "",
    )


def test_the_label_page_and_history_show_revoked_then_reinstated(
    client: Client, organisation: ClusterOrganisation, people: dict[str, User]
) -> None:
    office = people["office"]
    labels = future_renewal(organisation, office)
    renewal = labels["renewal"]
    client.force_login(office)

    client.post(reverse("labels:label_revoke", args=[renewal.code]), {"reason": "Not done."})
    page = client.get(reverse("labels:label_detail", args=[renewal.code])).content.decode()
    response = client.post(reverse("labels:label_reinstate", args=[renewal.code]), {"reason": "Revoked in error."})

    assert 'data-testid="reinstate-form"' in page
    assert response.status_code == 302
    assert [(e.kind, e.reason) for e in label_events_of(renewal)] == [
        ("revoked", "Not done."),
        ("reinstated", "Revoked in error."),
    ]
    # The previous label's history: replaced, current again on the revocation, replaced again.
    first_history = list(history_of(labels["first"]).order_by("at", "id").values_list("action", "data"))
    assert [action for action, _data in first_history] == [
        "label.created",
        "label.superseded",
        "label.restored",
        "label.superseded",
    ]
    assert first_history[2][1] == {"superseded_by": [renewal.code, ""]}
    assert (
        'data-testid="reinstate-form"'
        not in client.get(reverse("labels:label_detail", args=[renewal.code])).content.decode()
    )


def test_the_open_badges_status_list_follows_revocation_and_reinstatement(
    organisation: ClusterOrganisation, people: dict[str, User]
) -> None:
    label = bronze(organisation, months_ago(6))

    label_revoke(label=label, by=people["office"], reason="Misrepresented its members.")
    revoked = openbadges.status_list_credential()
    label_reinstate(label=label, by=people["office"], reason="Revoked in error.")
    reinstated = openbadges.status_list_credential()

    assert (openbadges.is_revoked_in(revoked, label.pk), openbadges.is_revoked_in(reinstated, label.pk)) == (
        True,
        False,
    )


def test_a_label_recorded_after_the_revocation_blocks_the_reinstatement(
    organisation: ClusterOrganisation, people: dict[str, User]
) -> None:
    """The organisation renewed again after the revocation: the new label's validity was
    computed without the revoked one, so bringing that one back would overlap it."""
    office = people["office"]
    labels = revoked_renewal(organisation, office)
    again = bronze(organisation, months_ago(1))

    with pytest.raises(ActionRefused, match="recorded after the revocation"):
        label_reinstate(label=labels["renewal"], by=office, reason="Revoked in error.")

    assert fresh(labels["renewal"]).revoked_at is not None
    assert fresh(labels["first"]).superseded_by_id == again.pk


def test_only_a_revoked_label_is_reinstated_and_only_with_a_reason(
    organisation: ClusterOrganisation, people: dict[str, User]
) -> None:
    label = bronze(organisation, months_ago(6))

    with pytest.raises(ActionRefused, match="not revoked"):
        label_reinstate(label=label, by=people["office"], reason="Why not.")
    label_revoke(label=label, by=people["office"], reason="Misrepresented its members.")
    with pytest.raises(ActionRefused, match="reason"):
        label_reinstate(label=label, by=people["office"], reason="  ")

    assert fresh(label).revoked_at is not None


@pytest.mark.parametrize("role", ["manager", "committee", "partner", "outsider"])
def test_only_the_office_reinstates(organisation: ClusterOrganisation, people: dict[str, User], role: str) -> None:
    from django.core.exceptions import PermissionDenied

    label = bronze(organisation, months_ago(6))
    label_revoke(label=label, by=people["office"], reason="Misrepresented its members.")

    with pytest.raises(PermissionDenied):
        label_reinstate(label=label, by=people[role], reason="Revoked in error.")
