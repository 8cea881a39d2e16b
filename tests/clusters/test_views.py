"""Organisation pages in the browser's terms: who sees what, and the flows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypedDict

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from accounts.enums import StaffRole
from accounts.models import User
from clusters import people
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, Membership, NameChangeRequest
from common.models import Sector
from tests.bodies import register_data
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
    UserFactory,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

Person = Literal["manager", "contributor", "other_manager", "partner", "other_partner", "office", "outsider"]


class World(TypedDict):
    organisation: ClusterOrganisation
    manager: User
    contributor: User
    other_manager: User
    partner: User
    other_partner: User
    office: User
    outsider: User


@pytest.fixture
def world(db: None) -> World:
    """A Serbian organisation with a manager and a contributor, and people around it."""
    organisation = OrganisationFactory(country="RS", state=OrganisationState.PENDING)
    elsewhere = OrganisationFactory(country="DE")
    return {
        "organisation": organisation,
        "manager": MembershipFactory(organisation=organisation).user,
        "contributor": MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user,
        "other_manager": MembershipFactory(organisation=elsewhere).user,
        "partner": PartnerStaffFactory(partner__countries=["RS"]).user,
        "other_partner": PartnerStaffFactory(partner__countries=["DE"]).user,
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "outsider": UserFactory(),
    }


def organisation_pages(slug: str) -> list[tuple[str, str]]:
    return [
        ("GET", reverse("clusters:organisation_detail", args=[slug])),
        ("GET", reverse("clusters:organisation_edit", args=[slug])),
        ("GET", reverse("clusters:organisation_people", args=[slug])),
        ("POST", reverse("clusters:organisation_move", args=[slug, "active"])),
        ("POST", reverse("clusters:waiver_add", args=[slug])),
        ("POST", reverse("clusters:membership_remove", args=[slug, 1])),
        ("POST", reverse("clusters:membership_role", args=[slug, 1])),
        ("POST", reverse("clusters:invitation_revoke", args=[slug, 1])),
        ("POST", reverse("clusters:waiver_remove", args=[slug, 1])),
    ]


@pytest.mark.parametrize("visitor", ["other_manager", "other_partner", "outsider"])
def test_organisation_pages_are_404_for_those_who_may_not_see_them(
    client: Client, world: World, visitor: Person
) -> None:
    client.force_login(world[visitor])
    slug = world["organisation"].slug

    answers = {url: client.generic(method, url).status_code for method, url in organisation_pages(slug)}

    assert set(answers.values()) == {404}
    assert ClusterOrganisation.objects.get(slug=slug).state == OrganisationState.PENDING


def test_organisation_pages_send_anonymous_to_login(client: Client, world: World) -> None:
    for method, url in organisation_pages(world["organisation"].slug):
        response = client.generic(method, url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize(
    ("visitor", "detail", "edit", "people"),
    [
        ("manager", 200, 200, 200),
        ("contributor", 200, 403, 200),
        ("partner", 200, 403, 200),
        ("office", 200, 403, 200),
    ],
)
def test_organisation_pages_for_those_who_may_see_them(
    client: Client, world: World, visitor: Person, detail: int, edit: int, people: int
) -> None:
    client.force_login(world[visitor])
    slug = world["organisation"].slug

    assert client.get(reverse("clusters:organisation_detail", args=[slug])).status_code == detail
    assert client.get(reverse("clusters:organisation_edit", args=[slug])).status_code == edit
    assert client.get(reverse("clusters:organisation_people", args=[slug])).status_code == people


def test_partner_cannot_edit_the_organisation_or_its_people(client: Client, world: World) -> None:
    client.force_login(world["partner"])
    slug = world["organisation"].slug
    membership = Membership.objects.get(user=world["contributor"])

    assert (
        client.post(
            reverse("clusters:organisation_people", args=[slug]), {"email": "x@example.test", "role": "manager"}
        ).status_code
        == 403
    )
    assert client.post(reverse("clusters:membership_remove", args=[slug, membership.pk])).status_code == 403
    assert Membership.objects.get(pk=membership.pk).left_at is None


def test_newcomer_registers_and_partner_validates(client: Client, world: World) -> None:
    newcomer = UserFactory()
    client.force_login(newcomer)

    response = client.post(reverse("clusters:organisation_register"), register_data())

    organisation = ClusterOrganisation.objects.get(name="Sava Digital Cluster")
    assert response["Location"] == reverse("clusters:organisation_detail", args=[organisation.slug])
    assert organisation.state == OrganisationState.PENDING
    page = client.get(response["Location"])
    assert page.context["eligibility"].is_eligible is True

    client.force_login(world["partner"])
    queue = client.get(reverse("clusters:validation_queue"))
    assert [o.name for o in queue.context["page"]] == [world["organisation"].name, "Sava Digital Cluster"]
    client.post(reverse("clusters:organisation_move", args=[organisation.slug, "active"]))

    assert ClusterOrganisation.objects.get(pk=organisation.pk).state == OrganisationState.ACTIVE


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("eccp_url", "https://example.com/profile", "ECCP profile"),
        ("founding_year", "1850", "between 1900 and this year"),
        ("management_fte", "-1", "between 0 and 500"),
        ("sectors", [], "This field is required"),
        ("name", "", "This field is required"),
    ],
)
def test_register_with_bad_input_says_why_and_saves_nothing(
    client: Client, world: World, field: str, value: object, message: str
) -> None:
    client.force_login(UserFactory())

    response = client.post(reverse("clusters:organisation_register"), register_data(**{field: value}))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert ClusterOrganisation.objects.filter(name="Sava Digital Cluster").count() == 0


def test_register_refuses_svg_logo(client: Client, world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(UserFactory())
    svg = SimpleUploadedFile("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png")

    response = client.post(reverse("clusters:organisation_register"), {**register_data(), "logo": svg})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["logo"]


def test_refusal_reason_is_shown_to_the_manager(client: Client, world: World) -> None:
    slug = world["organisation"].slug
    client.force_login(world["partner"])
    client.post(reverse("clusters:organisation_move", args=[slug, "draft"]), {"reason": "Website is not in English"})

    client.force_login(world["manager"])
    response = client.get(reverse("clusters:organisation_detail", args=[slug]))

    assert response.context["organisation"].state == OrganisationState.DRAFT
    assert "Website is not in English" in response.content.decode()
    assert response.context["can_submit"] is True


def test_refusal_without_reason_is_refused_with_message(client: Client, world: World) -> None:
    slug = world["organisation"].slug
    client.force_login(world["partner"])

    response = client.post(reverse("clusters:organisation_move", args=[slug, "draft"]), {"reason": " "}, follow=True)

    assert "Please give a reason" in response.content.decode()
    assert ClusterOrganisation.objects.get(slug=slug).state == OrganisationState.PENDING


def test_manager_edits_profile_and_eligibility_follows(client: Client, world: World) -> None:
    organisation = world["organisation"]
    client.force_login(world["manager"])

    client.post(reverse("clusters:organisation_edit", args=[organisation.slug]), register_data(name=organisation.name))

    organisation.refresh_from_db()
    assert organisation.management_fte == Decimal("1.5")
    page = client.get(reverse("clusters:organisation_detail", args=[organisation.slug]))
    assert page.context["eligibility"].is_eligible is True


def test_manager_invites_newcomer_who_signs_up_and_joins(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    slug = world["organisation"].slug
    client.force_login(world["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("clusters:organisation_people", args=[slug]), {"email": "new@example.test", "role": "contributor"}
        )
    link = next(line for line in mail.outbox[0].body.splitlines() if "/clusters/invitation/" in line)
    path = link[link.index("/clusters/invitation/") :]
    client.logout()

    response = client.post(
        path,
        {
            "full_name": "Nina New",
            "preferred_language": "en",
            "password1": "a-good-long-password-1",
            "password2": "a-good-long-password-1",
        },
    )

    assert response["Location"] == reverse("clusters:organisation_detail", args=[slug])
    joined = Membership.objects.get(user__email="new@example.test")
    assert (joined.organisation.slug, joined.role) == (slug, MembershipRole.CONTRIBUTOR)
    assert client.get(path).status_code == 410


def test_existing_user_logs_in_then_accepts(client: Client, world: World) -> None:
    invitation = people.invitation_send(
        organisation=world["organisation"],
        email=world["other_manager"].email,
        role=MembershipRole.MANAGER,
        by=world["manager"],
    )
    path = reverse("clusters:invitation_accept", args=[people.invitation_token(invitation)])
    page = client.get(path)
    assert page.context["has_account"] is True

    client.force_login(world["other_manager"])
    client.post(path)

    assert Membership.objects.filter(user=world["other_manager"], organisation=world["organisation"]).count() == 1


def test_expired_or_tampered_invitation_page_says_so(client: Client, db: None) -> None:
    response = client.get(reverse("clusters:invitation_accept", args=["nonsense"]))

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_last_manager_leaving_gets_a_message(client: Client, world: World) -> None:
    membership = Membership.objects.get(user=world["manager"])
    client.force_login(world["manager"])

    response = client.post(
        reverse("clusters:membership_remove", args=[world["organisation"].slug, membership.pk]), follow=True
    )

    assert "last manager" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).left_at is None


def test_office_list_filters_and_exports_csv(client: Client, world: World) -> None:
    OrganisationFactory(
        name="Eligible One",
        country="RS",
        management_fte=Decimal("1"),
        members_sme=20,
        members_public=1,
        website="https://e.example",
        website_in_english=True,
        eccp_url="https://clustercollaboration.eu/e",
    )
    client.force_login(world["office"])
    url = reverse("clusters:organisation_list")

    eligible = client.get(url, {"eligible": "yes"})
    serbian = client.get(url, {"country": "RS"})
    exported = client.get(url, {"country": "RS", "format": "csv"})

    assert [o.name for o in eligible.context["page"]] == ["Eligible One"]
    assert {o.country.code for o in serbian.context["page"]} == {"RS"}
    rows = list(csv.reader(io.StringIO(exported.getvalue().decode())))
    assert rows[0][:3] == ["name", "acronym", "country"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["Eligible One", world["organisation"].name])


def test_partner_list_holds_only_its_countries(client: Client, world: World) -> None:
    client.force_login(world["partner"])

    response = client.get(reverse("clusters:organisation_list"), {"country": "DE"})
    everything = client.get(reverse("clusters:organisation_list"))

    assert list(response.context["form"].errors) == ["country"]
    assert {o.country.code for o in response.context["page"]} == {"RS"}
    assert [o.country.code for o in everything.context["page"]] == ["RS"]


@pytest.mark.parametrize("role", ["manager", "contributor", "outsider"])
def test_lists_are_forbidden_to_others(client: Client, world: World, role: Person) -> None:
    client.force_login(world[role])

    assert client.get(reverse("clusters:organisation_list")).status_code == 403
    assert client.get(reverse("clusters:validation_queue")).status_code == 403


def _many(n: int) -> None:
    sectors = list(Sector.objects.all()[:2])
    for _ in range(n):
        organisation = OrganisationFactory(country="RS", state=OrganisationState.PENDING)
        organisation.sectors.set(sectors)
        MembershipFactory(organisation=organisation)


@pytest.mark.parametrize("size", [2, 20])
def test_organisation_list_queries_do_not_grow(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    _many(size)
    client.force_login(office)

    # Was 15: the memberships, partners and roles are read once per request (common.request_cache).
    with django_assert_num_queries(10):
        response = client.get(reverse("clusters:organisation_list"), {"state": "pending"})

    assert len(response.context["page"]) == size


@pytest.mark.parametrize("size", [2, 20])
def test_validation_queue_queries_do_not_grow(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    _many(size)
    # A new name asked for by each (written directly: the list, not the asking, is under test).
    for organisation in ClusterOrganisation.objects.all():
        NameChangeRequest.objects.create(
            organisation=organisation,
            current_name=organisation.name,
            new_name=f"{organisation.name} Association",
            reason="A merger",
            requested_by=organisation.memberships.get().user,
        )
    client.force_login(partner)

    # One more than the organisations alone: the new names waiting.
    # Was 16: the memberships, partners and roles are read once per request (common.request_cache).
    with django_assert_num_queries(10):
        response = client.get(reverse("clusters:validation_queue"))

    assert (len(response.context["page"]), len(response.context["name_changes"])) == (size, size)


def signup(client: Client, email: str, callbacks: DjangoCaptureOnCommitCallbacks) -> TestResponse:
    with callbacks(execute=True):
        return client.post(
            reverse("accounts:signup"), {"email": email, "full_name": "Fiona Founder", "preferred_language": "en"}
        )


def confirm_path() -> str:
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/signup/confirm/" in line)
    return link[link.index("/accounts/") :]


def test_signup_confirm_choose_password_and_register(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    signup(client, "Founder@Example.test", django_capture_on_commit_callbacks)
    user = User.objects.get(email="founder@example.test")
    assert (user.is_active, user.has_usable_password()) == (False, False)

    path = confirm_path()
    response = client.post(
        path, {"new_password1": "a-good-long-password-1", "new_password2": "a-good-long-password-1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:start")
    assert "Register your cluster organisation" in response.content.decode()
    user.refresh_from_db()
    assert (user.is_active, user.check_password("a-good-long-password-1")) == (True, True)
    assert client.get(path).status_code == 410  # used once


def test_signing_up_again_voids_the_earlier_link(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    signup(client, "victim@example.test", django_capture_on_commit_callbacks)
    first = confirm_path()
    signup(client, "victim@example.test", django_capture_on_commit_callbacks)
    second = confirm_path()

    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_signup_with_taken_address_reveals_nothing(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    existing = UserFactory(email="taken@example.test")

    response = signup(client, "taken@example.test", django_capture_on_commit_callbacks)

    assert response["Location"] == reverse("accounts:signup_sent")
    assert User.objects.get(pk=existing.pk).check_password(PASSWORD)
    assert "already has an escaportal account" in mail.outbox[0].body


def test_choosing_a_weak_password_is_refused(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    signup(client, "a@example.test", django_capture_on_commit_callbacks)

    response = client.post(confirm_path(), {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["new_password2"]
    assert User.objects.get().is_active is False


def test_registering_the_same_organisation_twice_is_refused(client: Client, world: World) -> None:
    client.force_login(UserFactory())
    client.post(reverse("clusters:organisation_register"), register_data())

    second = client.post(reverse("clusters:organisation_register"), register_data(name="sava digital cluster"))

    assert second.status_code == 200
    assert "already registered in this country" in " ".join(second.context["form"].errors["name"])
    assert ClusterOrganisation.objects.filter(name__iexact="Sava Digital Cluster").count() == 1


def test_country_is_fixed_once_validation_was_asked(client: Client, world: World) -> None:
    organisation = world["organisation"]
    client.force_login(world["manager"])

    client.post(
        reverse("clusters:organisation_edit", args=[organisation.slug]),
        register_data(name=organisation.name, country="DE"),
    )

    organisation.refresh_from_db()
    assert organisation.country.code == "RS"


def test_csv_export_defuses_formulas(client: Client, world: World) -> None:
    OrganisationFactory(name='=HYPERLINK("http://evil.example")', country="RS")
    client.force_login(world["office"])

    exported = client.get(reverse("clusters:organisation_list"), {"format": "csv"})

    rows = list(csv.reader(io.StringIO(exported.getvalue().decode())))
    assert [r[0] for r in rows if "HYPERLINK" in r[0]] == ['\'=HYPERLINK("http://evil.example")']


def mail_text(message: object) -> str:
    """Subject, text and HTML of a mail, to look for what must not be there."""
    assert isinstance(message, EmailMultiAlternatives)
    return " ".join([str(message.subject), str(message.body), str(message.alternatives[0][0])])


def test_invitation_mails_are_limited_and_carry_no_typed_names(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    organisation = world["organisation"]
    organisation.name = "Log in at https://evil.test now"
    organisation.save(update_fields=["name"])
    client.force_login(world["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            client.post(
                reverse("clusters:organisation_people", args=[organisation.slug]),
                {"email": "target@example.test", "role": "contributor"},
            )
            for _ in range(5)
        ]

    assert len(mail.outbox) == 3  # MAIL_LIMIT_PER_ADDRESS
    assert "Too many e-mails" in pages[-1].content.decode()
    for message in mail.outbox:
        everything = mail_text(message)
        assert ("evil.test" in everything, world["manager"].full_name in everything) == (False, False)
