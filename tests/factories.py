"""factory_boy factories: plain objects, no surprises, built through the models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.enums import StaffRole
from accounts.models import AssessorProfile, RoleGrant, User
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, Membership, NationalPartner, PartnerStaff
from labels.models import Label, registry_sort_name

PASSWORD = "a-long-test-password-42"

ModelT = TypeVar("ModelT")


class ModelFactory(factory.django.DjangoModelFactory[ModelT]):
    """``SomeFactory()`` runs the create strategy through the metaclass, which
    factory_boy leaves untyped; this tells mypy it returns the model instance,
    as ``SomeFactory.create()`` is already typed to."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> ModelT:  # type: ignore[misc]
            ...


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)
    email_confirmed_at = factory.LazyFunction(timezone.now)


class RoleGrantFactory(ModelFactory[RoleGrant]):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = StaffRole.LABEL_OFFICE


class AssessorProfileFactory(ModelFactory[AssessorProfile]):
    class Meta:
        model = AssessorProfile

    user = factory.SubFactory(UserFactory)
    home_country = "RS"
    countries = ["RS"]
    languages = ["en", "sr"]
    certified_levels = ["bronze", "gold"]


class OrganisationFactory(ModelFactory[ClusterOrganisation]):
    class Meta:
        model = ClusterOrganisation

    name = factory.Sequence(lambda n: f"Test Cluster {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    country = "RS"
    city = "Novi Sad"
    state = OrganisationState.ACTIVE


class MembershipFactory(ModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MANAGER


class PartnerFactory(ModelFactory[NationalPartner]):
    class Meta:
        model = NationalPartner

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    countries = ["RS"]


class PartnerStaffFactory(ModelFactory[PartnerStaff]):
    class Meta:
        model = PartnerStaff

    partner = factory.SubFactory(PartnerFactory)
    user = factory.SubFactory(UserFactory)


class LabelFactory(ModelFactory[Label]):
    """A current Bronze label, assessed within the last year. Written directly: no supersede logic
    (use ``labels.services.label_create`` for that)."""

    class Meta:
        model = Label

    organisation = factory.SubFactory(OrganisationFactory)
    level = "bronze"
    source = "application"
    assessed_on = factory.Faker("date_between", start_date="-1y", end_date="today")
    valid_from = factory.SelfAttribute("assessed_on")
    valid_until = factory.Faker("date_between", start_date="+1y", end_date="+2y")
    code = factory.Sequence(lambda n: f"TS-B-2000-{n:04d}")
    sort_name = factory.LazyAttribute(lambda label: registry_sort_name(label.organisation.name))
    organisation_country = factory.LazyAttribute(lambda label: str(label.organisation.country))
