"""Writes on organisations (profile, name, state), their eligibility waivers, and national partners.

An organisation's people (memberships, invitations) are ``clusters.people``.

Views, commands and the admin call these; they hold the rules. Each service's
docstring lists its side effects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import StaffRole
from accounts.models import User
from accounts.selectors import people_with_role
from clusters.enums import EligibilityCriterion, MembershipRole, OrganisationState
from clusters.models import (
    ClusterOrganisation,
    EligibilityWaiver,
    NationalPartner,
    PartnerStaff,
)
from clusters.people import membership_add
from clusters.transitions import MOVES
from common.errors import ActionRefused
from common.mail import send_templated_mail
from common.models import Sector
from common.notify import notify
from common.services import history_record
from common.workflow import Arrival, Workflow, transition, workflow_register

PROFILE_FIELDS = (
    "name",
    "acronym",
    "country",
    "region",
    "city",
    "address",
    "website",
    "website_in_english",
    "eccp_url",
    "founding_year",
    "legal_form",
    "description",
    "logo",
    "management_fte",
    "members_sme",
    "members_large",
    "members_research",
    "members_public",
    "members_other",
    "public_body_link",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def unique_slug(base: str, *, model: type[ClusterOrganisation] | type[NationalPartner], max_length: int = 120) -> str:
    root = (slugify(base) or "organisation")[: max_length - 6]
    slug, n = root, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{root}-{n}"
    return slug


# --- Organisations ----------------------------------------------------------


def organisation_name_taken(*, name: str, country: str, exclude: ClusterOrganisation | None = None) -> bool:
    """Whether another organisation of the country has this name (ignoring case and outer spaces):
    two organisations of one name in one country could not be told apart on a label."""
    others = ClusterOrganisation.objects.filter(name__iexact=name.strip(), country=str(country).upper())
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


@transaction.atomic
def organisation_create(
    *,
    name: str,
    country: str,
    city: str = "",
    website: str = "",
    acronym: str = "",
    sectors: Iterable[Sector] = (),
    state: OrganisationState = OrganisationState.DRAFT,
    **profile: Any,
) -> ClusterOrganisation:
    """Create an organisation profile as it is (import, demo). Side effects: none."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    organisation = ClusterOrganisation.objects.create(
        name=name.strip(),
        acronym=acronym.strip(),
        slug=unique_slug(f"{name}-{country}", model=ClusterOrganisation),
        country=country.upper(),
        city=city,
        website=website,
        state=state,
        **profile,
    )
    organisation.sectors.set(list(sectors))
    history_record(
        obj=organisation,
        action="organisation.created",
        by=None,
        data={"name": organisation.name, "country": organisation.country.code, "state": organisation.state},
    )
    return organisation


@transaction.atomic
def organisation_register(*, by: User, sectors: Iterable[Sector], **profile: Any) -> ClusterOrganisation:
    """A person registers the organisation they work for and sends it for validation.

    Side effects: the person becomes its manager; the validators (partner staff
    of its country, else the label office) get an e-mail after commit.
    """
    if organisation_name_taken(name=str(profile.get("name", "")), country=str(profile.get("country", ""))):
        raise ActionRefused(
            _("An organisation of this name is already registered in this country. Ask its manager to invite you.")
        )
    organisation = organisation_create(sectors=sectors, state=OrganisationState.DRAFT, **profile)
    membership_add(organisation=organisation, user=by, role=MembershipRole.MANAGER)
    return organisation_transition(organisation=organisation, to_state=OrganisationState.PENDING, by=by)


@transaction.atomic
def organisation_update(
    *, organisation: ClusterOrganisation, by: User, sectors: Iterable[Sector], **profile: Any
) -> ClusterOrganisation:
    """A manager edits the profile. Side effects: none (eligibility follows by itself)."""
    if not by.has_perm("clusters.edit_organisation", organisation):
        raise PermissionDenied
    locked = ClusterOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.state != OrganisationState.DRAFT and "country" in profile and profile["country"] != locked.country:
        # The country decides who validated the organisation: it cannot move once sent.
        raise ActionRefused(_("The country cannot change after validation was asked; write to the label office."))
    renamed = "name" in profile and str(profile["name"]).strip() != locked.name
    if renamed and locked.labels.exists():
        # Labels name the organisation they were awarded to: a new name is its validator's to approve.
        raise ActionRefused(
            _(
                "This organisation holds or held a label, which names it: ask for a new name on its page "
                '("Ask for a new name"); the national partner or the label office validates it.'
            )
        )
    country = str(profile.get("country", locked.country))
    if renamed and organisation_name_taken(name=str(profile["name"]), country=country, exclude=locked):
        raise ActionRefused(_("Another organisation of this country already has this name."))
    changes: dict[str, list[object]] = {}
    for field, value in profile.items():
        if field not in PROFILE_FIELDS:
            raise TypeError(f"unknown profile field: {field}")
        before = getattr(locked, field)
        if before != value:
            changes[field] = [str(before), str(value)]
        setattr(locked, field, value)
    locked.save()
    sectors_before = sorted(locked.sectors.values_list("name", flat=True))
    locked.sectors.set(list(sectors))
    sectors_after = sorted(sector.name for sector in locked.sectors.all())
    if sectors_after != sectors_before:
        changes["sectors"] = [", ".join(sectors_before), ", ".join(sectors_after)]
    if changes:
        history_record(obj=locked, action="organisation.profile", by=by, data=changes)
    figures = {field: values for field, values in changes.items() if field in ELIGIBILITY_FIGURES}
    if figures and locked.state != OrganisationState.DRAFT:
        # The validated figures changed: whoever validated them should look again.
        transaction.on_commit(lambda: _notify_figures_changed(locked.pk, by.pk, figures))
    return locked


# The profile's figures that eligibility is judged on (clusters.eligibility).
ELIGIBILITY_FIGURES = frozenset(
    {
        "management_fte",
        "members_sme",
        "members_large",
        "members_research",
        "members_public",
        "members_other",
        "public_body_link",
        "website_in_english",
        "eccp_url",
    }
)


def _notify_figures_changed(organisation_id: int, by_id: int, figures: dict[str, list[object]]) -> None:
    organisation = ClusterOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return
    notify(
        people=[person for person in validators_of(organisation) if person.pk != by_id],
        template="clusters/email/figures_changed",
        context={"organisation": organisation, "figures": sorted(figures.items())},
        url=reverse("clusters:organisation_detail", args=[organisation.slug]),
    )


@transaction.atomic
def organisation_name_correct(*, organisation: ClusterOrganisation, name: str, by: User) -> ClusterOrganisation:
    """The label office corrects the organisation's name (a typo printed on a label).

    The caller keeps the reason (``labels.services.label_correct`` writes the
    label's history). Side effects: none.
    """
    if not by.has_perm("clusters.correct_organisation_name", organisation):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ActionRefused(_("Enter the organisation's name."))
    locked = ClusterOrganisation.objects.select_for_update().get(pk=organisation.pk)
    before, locked.name = locked.name, name
    locked.save(update_fields=["name", "updated_at"])
    history_record(obj=locked, action="organisation.renamed", by=by, data={"name": [before, name]})
    return locked


def organisation_transition(
    *, organisation: ClusterOrganisation, to_state: OrganisationState, by: User | None, note: str = ""
) -> ClusterOrganisation:
    """Move an organisation through the door (``common.workflow``, moves in
    ``clusters.transitions.MOVES``). Side effects (after commit, from
    ``ORGANISATION_WORKFLOW``): e-mail to the validators on submission, to the
    managers on validation, refusal and deactivation."""
    return transition(ORGANISATION_WORKFLOW, obj=organisation, to_state=to_state, by=by, note=note)


def _refusal_reason_stamp(
    organisation: ClusterOrganisation, from_state: str, to_state: str, note: str, by: Any
) -> list[str]:
    # The reason of a refusal stays on the profile until the next move, for the applicant to read.
    refused = (from_state, to_state) == (OrganisationState.PENDING, OrganisationState.DRAFT)
    organisation.refusal_reason = note if refused else ""
    return ["refusal_reason"]


def _arrival_context(arrival: Arrival) -> dict[str, Any] | None:
    organisation = ClusterOrganisation.objects.filter(pk=arrival.pk).first()
    if organisation is None:
        return None
    return {
        "organisation": organisation,
        "transition": arrival,
        "url": reverse("clusters:organisation_detail", args=[organisation.slug]),
    }


def _mail_validators_submitted(arrival: Arrival) -> None:
    context = _arrival_context(arrival)
    if context is None:
        return
    for person in validators_of(context["organisation"]):
        send_templated_mail(
            to=[person.email], template="clusters/email/submitted", context=context, language=person.preferred_language
        )


def _mail_managers_state_changed(arrival: Arrival) -> None:
    context = _arrival_context(arrival)
    if context is None:
        return
    for person in managers_of(context["organisation"]):
        send_templated_mail(
            to=[person.email],
            template="clusters/email/state_changed",
            context=context,
            language=person.preferred_language,
        )


ORGANISATION_WORKFLOW: Workflow[ClusterOrganisation] = workflow_register(
    Workflow(
        name="organisation",
        model=ClusterOrganisation,
        moves=MOVES,
        refusal=gettext_lazy("An organisation that is %(from)s cannot become %(to)s."),
        note_refusal=gettext_lazy("Please give a reason: the organisation will see it."),
        stamp=_refusal_reason_stamp,
        effects={
            OrganisationState.PENDING: [_mail_validators_submitted],
            OrganisationState.ACTIVE: [_mail_managers_state_changed],
            OrganisationState.DRAFT: [_mail_managers_state_changed],
            OrganisationState.INACTIVE: [_mail_managers_state_changed],
        },
    )
)


def validators_of(organisation: ClusterOrganisation) -> list[User]:
    """Who validates this organisation: its country's partner staff, else the label office."""
    partners = [p.pk for p in NationalPartner.objects.all() if organisation.country in p.countries]
    staff = list(User.objects.filter(partner_staff__partner__in=partners, is_active=True).distinct())
    if staff:
        return staff
    return people_with_role(StaffRole.LABEL_OFFICE)


def partner_staff_of(organisation: ClusterOrganisation) -> list[User]:
    """The active staff of every national partner whose countries include the organisation's."""
    partners = [p.pk for p in NationalPartner.objects.all() if organisation.country in p.countries]
    return list(User.objects.filter(partner_staff__partner__in=partners, is_active=True).distinct().order_by("pk"))


def managers_of(organisation: ClusterOrganisation) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__left_at__isnull=True,
            memberships__role=MembershipRole.MANAGER,
            is_active=True,
        ).distinct()
    )


# --- Eligibility waivers ------------------------------------------------------


def waiver_grant(
    *, organisation: ClusterOrganisation, criterion: EligibilityCriterion, reason: str, by: User
) -> EligibilityWaiver:
    """Waive one criterion for an organisation recognised by a cluster programme.

    Records who, when and why. Side effects: none.
    """
    if not by.has_perm("clusters.waive_criterion", organisation):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(
            _("Please say why the criterion is waived (e.g. the programme that recognises the cluster).")
        )
    try:
        with transaction.atomic():
            waiver = EligibilityWaiver.objects.create(
                organisation=organisation, criterion=criterion, reason=reason.strip(), waived_by=by
            )
            history_record(
                obj=organisation,
                action="organisation.waiver_granted",
                by=by,
                data={"criterion": criterion},
                reason=reason,
            )
            return waiver
    except IntegrityError:
        raise ActionRefused(_("This criterion is already waived.")) from None


@transaction.atomic
def waiver_withdraw(*, waiver: EligibilityWaiver, by: User, reason: str) -> EligibilityWaiver:
    """Withdraw a waiver, with the reason: the criterion counts again.

    The waiver stays, marked withdrawn (who, when, why); withdrawing it twice
    changes nothing. Side effects: a history row.
    """
    if not by.has_perm("clusters.waive_criterion", waiver.organisation):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(_("Please say why the waiver is withdrawn."))
    locked = EligibilityWaiver.objects.select_for_update().get(pk=waiver.pk)
    if locked.withdrawn_at is not None:
        return locked
    locked.withdrawn_at, locked.withdrawn_by, locked.withdraw_reason = timezone.now(), by, reason.strip()
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    history_record(
        obj=locked.organisation,
        action="organisation.waiver_withdrawn",
        by=by,
        data={"criterion": locked.criterion, "waiver": locked.pk},
        reason=reason,
    )
    return locked


# --- National partners ----------------------------------------------------------------


def partner_create(*, name: str, countries: Iterable[str], website: str = "") -> NationalPartner:
    return NationalPartner.objects.create(
        name=name, slug=unique_slug(name, model=NationalPartner), countries=sorted(set(countries)), website=website
    )


def partner_staff_add(*, partner: NationalPartner, user: User) -> PartnerStaff:
    staff, _created = PartnerStaff.objects.get_or_create(partner=partner, user=user)
    if hasattr(user, "_partner_countries_cache"):
        del user._partner_countries_cache
    return staff
