"""Pages about organisations: registration, profile, people, validation, lists.

Views check who may do what (django-rules) and call services; every
organisation page resolves the organisation through ``organisation_for``, so a
person who may not see it gets a 404 and learns nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import AccountForm
from accounts.selectors import user_exists
from accounts.services import user_create
from clusters import names, people, selectors, services
from clusters.eligibility import eligibility_of
from clusters.enums import EligibilityCriterion, MembershipRole, NameChangeState, OrganisationState
from clusters.forms import (
    InvitationForm,
    NameChangeForm,
    OrganisationFilterForm,
    OrganisationForm,
    ReasonForm,
    RoleForm,
    WaiverForm,
)
from clusters.models import ClusterOrganisation, EligibilityWaiver, Invitation, Membership, NameChangeRequest
from common.actions import refusable
from common.client import client_address
from common.csv_export import csv_response
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.mail_limits import mail_allowed, mail_limit_message
from common.permissions import permission_required
from common.workflow import may_move

PAGE_SIZE = 25


def _require(request: HttpRequest, perm: str, organisation: ClusterOrganisation) -> None:
    if not request.user.has_perm(perm, organisation):
        raise PermissionDenied


# --- Start pages ------------------------------------------------------------------


@permission_required("clusters.view_manager_start")
def manager_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of(request.user)
    return render(request, "clusters/manager_start.html", {"memberships": memberships})


@permission_required("clusters.view_partner_start")
def partner_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    organisations = selectors.organisations_for_partner(user)
    # Read only when the page is drawn, not when it is kept ({% kept %}, common.kept).
    return render(
        request,
        "clusters/partner_start.html",
        {
            "partners": selectors.partners_of(user),
            "page": SimpleLazyObject(lambda: Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))),
            "state_counts": SimpleLazyObject(lambda: selectors.organisation_counts_by_state(organisations)),
            "pending_count": lambda: selectors.validation_queue_for(user).count(),
            "states": OrganisationState,
        },
    )


# --- Registration and profile ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            organisation = services.organisation_register(by=request.user, sectors=data.pop("sectors"), **data)
        except ActionRefused as refusal:
            form.add_error("name", str(refusal))
        else:
            messages.success(request, _("Your organisation is registered and awaits validation."))
            return redirect("clusters:organisation_detail", slug=organisation.slug)
    return render(request, "clusters/organisation_register.html", {"form": form})


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?next={request.path}")
    organisation = selectors.organisation_for(request.user, slug)
    user = request.user
    name_change = selectors.name_change_shown_on(organisation)
    # Its managers (who may withdraw it) and its validators see a request for a new name; nobody else.
    shows_name_change = name_change is not None and (
        user.has_perm("clusters.withdraw_name_change", name_change)
        or user.has_perm("clusters.decide_name_change", name_change)
    )
    # What it offers: the moves this person may make from the request's state (a refused one offers none).
    can_withdraw_name = (
        name_change is not None and shows_name_change and may_move(name_change, NameChangeState.WITHDRAWN, user)
    )
    can_decide_name = (
        name_change is not None and shows_name_change and may_move(name_change, NameChangeState.APPROVED, user)
    )
    return render(
        request,
        "clusters/organisation_detail.html",
        {
            "organisation": organisation,
            "name_change": name_change if shows_name_change else None,
            "can_withdraw_name": can_withdraw_name,
            "can_decide_name": can_decide_name,
            # Its own ids: the page may show the deactivation's reason field too.
            "name_refuse_form": ReasonForm(auto_id="name-refuse-%s"),
            "eligibility": eligibility_of(organisation),
            "people": selectors.people_of(organisation),
            "transitions": selectors.transitions_of(organisation),
            "sectors": organisation.sectors.all(),
            "can_edit": user.has_perm("clusters.edit_organisation", organisation),
            "can_submit": user.has_perm("clusters.submit_organisation", organisation)
            and organisation.state == OrganisationState.DRAFT,
            "can_validate": user.has_perm("clusters.validate_organisation", organisation)
            and organisation.state == OrganisationState.PENDING,
            "can_waive": user.has_perm("clusters.waive_criterion", organisation),
            "can_deactivate": may_move(organisation, OrganisationState.INACTIVE, user),
            # From inactive only: the same move from pending is a validation, offered above.
            "can_reactivate": organisation.state == OrganisationState.INACTIVE
            and may_move(organisation, OrganisationState.ACTIVE, user),
            "refuse_form": ReasonForm(),
            "waiver_form": WaiverForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    _require(request, "clusters.edit_organisation", organisation)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if organisation.state != OrganisationState.DRAFT:
        form.fields["country"].disabled = True
        form.fields["country"].help_text = _("Fixed once validation was asked; write to the label office to change it.")
    if organisation.labels.exists():
        # Labels name the organisation they were awarded to (the service refuses the change too).
        form.fields["name"].disabled = True
        form.fields["name"].help_text = _(
            "Fixed: a label names the organisation. Ask for a new name: the national partner or the label "
            "office validates it."
        )
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.changed_data if field != "sectors"}
        if "logo" in data and data["logo"] is False:
            data["logo"] = ""
        try:
            services.organisation_update(
                organisation=organisation,
                by=request.user,
                sectors=form.cleaned_data["sectors"],
                **data,
            )
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("clusters:organisation_detail", slug=organisation.slug)
    # The form edits a copy: a failed save must not show half-changed values elsewhere.
    return render(
        request,
        "clusters/organisation_edit.html",
        {"form": form, "organisation": organisation, "name_fixed": form.fields["name"].disabled},
    )


@login_required
@require_http_methods(["GET", "POST"])
def name_change_ask(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A manager asks for a new name for a labelled organisation; its validator decides."""
    organisation = selectors.organisation_for(request.user, slug)
    _require(request, "clusters.request_name_change", organisation)
    form = NameChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            names.name_change_request(
                organisation=organisation,
                new_name=form.cleaned_data["new_name"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ActionRefused as refusal:
            form.add_error("new_name", str(refusal))
        else:
            messages.success(
                request, _("The new name is sent for validation. Until it is approved, the name stays as it is.")
            )
            return redirect("clusters:organisation_detail", slug=organisation.slug)
    return render(
        request,
        "clusters/name_change_ask.html",
        {"form": form, "organisation": organisation, "pending": selectors.name_change_shown_on(organisation)},
    )


# The permission each decision needs, checked against the request before anything else.
NAME_DECISIONS = {
    "approve": "clusters.decide_name_change",
    "refuse": "clusters.decide_name_change",
    "withdraw": "clusters.withdraw_name_change",
}


@login_required
@require_POST
def name_change_decide(request: AuthenticatedHttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    """Approve or refuse (the validator), or withdraw (a manager), a request for a new name."""
    organisation = selectors.organisation_for(request.user, slug)
    name_change = get_object_or_404(NameChangeRequest, pk=pk, organisation=organisation)
    if decision not in NAME_DECISIONS:
        raise Http404
    if not request.user.has_perm(NAME_DECISIONS[decision], name_change):
        raise PermissionDenied  # the permission first: a refused person learns nothing of the form
    back = redirect("clusters:organisation_detail", slug=organisation.slug)
    if decision == "refuse":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please say why the new name is refused: the organisation will read it."))
            return back
        note = form.cleaned_data["reason"]
        refusable(
            request,
            lambda: names.name_change_refuse(request=name_change, by=request.user, note=note),
            _("The new name is refused; the organisation's managers read your reason."),
        )
    elif decision == "approve":
        refusable(
            request,
            lambda: names.name_change_approve(request=name_change, by=request.user),
            _("The new name is approved: the organisation is now called %(name)s.") % {"name": name_change.new_name},
        )
    else:
        refusable(
            request,
            lambda: names.name_change_withdraw(request=name_change, by=request.user),
            _("The request for a new name is withdrawn."),
        )
    return back


@login_required
@require_POST
def organisation_move(request: AuthenticatedHttpRequest, slug: str, to_state: str) -> HttpResponse:
    """Submit, validate, refuse, deactivate or reactivate: one view, one service."""
    organisation = selectors.organisation_for(request.user, slug)
    if to_state not in OrganisationState.values:
        raise PermissionDenied
    note = request.POST.get("reason", "")
    if note.strip():
        # The same limits as the form on the page (a reason is at most 2,000 characters).
        reason_form = ReasonForm(request.POST)
        if not reason_form.is_valid():
            messages.error(request, " ".join(map(str, reason_form.errors["reason"])))
            return redirect("clusters:organisation_detail", slug=organisation.slug)
        note = reason_form.cleaned_data["reason"]
    done = {
        OrganisationState.PENDING: _("Sent for validation."),
        OrganisationState.ACTIVE: _("The organisation is active."),
        OrganisationState.DRAFT: _("The profile was sent back to the organisation with your reason."),
        OrganisationState.INACTIVE: _("The organisation is inactive."),
    }[OrganisationState(to_state)]
    refusable(
        request,
        lambda: services.organisation_transition(
            organisation=organisation,
            to_state=OrganisationState(to_state),
            by=request.user,
            note=note,
        ),
        done,
    )
    return redirect("clusters:organisation_detail", slug=organisation.slug)


@login_required
@require_POST
def waiver_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    _require(request, "clusters.waive_criterion", organisation)
    form = WaiverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a criterion and give the reason for the waiver."))
    else:
        refusable(
            request,
            lambda: services.waiver_grant(
                organisation=organisation,
                criterion=EligibilityCriterion(form.cleaned_data["criterion"]),
                reason=form.cleaned_data["reason"],
                by=request.user,
            ),
            _("The criterion is waived."),
        )
    return redirect("clusters:organisation_detail", slug=organisation.slug)


@login_required
@require_POST
def waiver_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    waiver = get_object_or_404(EligibilityWaiver, pk=pk, organisation=organisation)
    form = ReasonForm(request.POST)
    if form.is_valid():
        refusable(
            request,
            lambda: services.waiver_withdraw(waiver=waiver, by=request.user, reason=form.cleaned_data["reason"]),
            _("The waiver has been withdrawn."),
        )
    elif not request.user.has_perm("clusters.waive_criterion", organisation):
        raise PermissionDenied  # the permission first: a refused person learns nothing of the form
    else:
        messages.error(request, _("Please say why the waiver is withdrawn."))
    return redirect("clusters:organisation_detail", slug=organisation.slug)


# --- People and invitations ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_people(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    can_manage = request.user.has_perm("clusters.manage_people", organisation)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        _require(request, "clusters.manage_people", organisation)
        if form.is_valid() and not mail_allowed(
            kind="invitation", recipient=form.cleaned_data["email"], client=client_address(request)
        ):
            form.add_error(None, mail_limit_message())
        elif form.is_valid():
            email = form.cleaned_data["email"]
            if refusable(
                request,
                lambda: people.invitation_send(
                    organisation=organisation,
                    email=email,
                    role=MembershipRole(form.cleaned_data["role"]),
                    by=request.user,
                ),
                _("An invitation has been sent to %(email)s.") % {"email": email},
            ):
                return redirect("clusters:organisation_people", slug=organisation.slug)
    return render(
        request,
        "clusters/organisation_people.html",
        {
            "organisation": organisation,
            "people": selectors.people_of(organisation),
            "invitations": selectors.pending_invitations_of(organisation) if can_manage else [],
            "can_manage": can_manage,
            "form": form,
            "roles": MembershipRole,
        },
    )


@login_required
@require_POST
def membership_role(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    _require(request, "clusters.manage_people", organisation)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation, left_at__isnull=True)
    form = RoleForm(request.POST)
    if form.is_valid():
        refusable(
            request,
            lambda: people.membership_set_role(
                membership=membership,
                role=MembershipRole(form.cleaned_data["role"]),
                by=request.user,
            ),
            _("The role has been changed."),
        )
    return redirect("clusters:organisation_people", slug=organisation.slug)


@login_required
@require_POST
def membership_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation, left_at__isnull=True)
    leaving_self = membership.user_id == request.user.pk
    if not leaving_self:
        _require(request, "clusters.manage_people", organisation)
    if (
        refusable(
            request,
            lambda: people.membership_end(membership=membership, by=request.user),
            _("You have left the organisation.") if leaving_self else _("The person has been removed."),
        )
        and leaving_self
    ):
        return redirect("accounts:start")
    return redirect("clusters:organisation_people", slug=organisation.slug)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for(request.user, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    people.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("clusters:organisation_people", slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: a newcomer creates their account here,
    someone with an account logs in first, then joins."""
    try:
        invitation = people.invitation_from_token(token)
    except ActionRefused as refusal:
        return render(request, "clusters/invitation_invalid.html", {"reason": str(refusal)}, status=410)
    has_account = user_exists(invitation.email)
    signup_form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = people.invitation_accept(token=token, user=request.user)
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("clusters:invitation_accept", token=token)
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organisation.name})
            return redirect("clusters:organisation_detail", slug=membership.organisation.slug)
    elif not has_account:
        signup_form = AccountForm(
            request.POST or None, initial={"email": invitation.email}, fixed_email=invitation.email
        )
        if request.method == "POST" and signup_form.is_valid():
            # Following the link proves the address: no separate confirmation mail.
            if user_exists(invitation.email):  # a double click got here first
                return redirect("clusters:invitation_accept", token=token)
            user = user_create(
                email=invitation.email,
                full_name=signup_form.cleaned_data["full_name"],
                password=signup_form.cleaned_data["password1"],
                preferred_language=signup_form.cleaned_data["preferred_language"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            membership = people.invitation_accept(token=token, user=user)
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organisation.name})
            return redirect("clusters:organisation_detail", slug=membership.organisation.slug)
    return render(
        request,
        "clusters/invitation_accept.html",
        {
            "invitation": invitation,
            "has_account": has_account,
            # Only the invited person (the same address) is offered the button; the service refuses anyone else.
            "can_accept": request.user.has_perm("clusters.accept_invitation", invitation),
            "signup_form": signup_form,
            "expires_at": people.invitation_expires_at(invitation),
            "login_url": _login_url(),
        },
    )


def _login_url() -> str:
    return reverse("accounts:login")


# --- Lists for the office and partners ------------------------------------------------------


@permission_required("clusters.validate_organisations")
def validation_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    queue = selectors.validation_queue_for(request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clusters/validation_queue.html",
        {"page": page, "name_changes": selectors.name_changes_pending_for(request.user)},
    )


@permission_required("clusters.view_organisation_list")
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = request.user
    codes = None if user.has_perm("labels.view_office_start") else selectors.partner_country_codes(user)
    form = OrganisationFilterForm(request.GET or None, country_codes=codes)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list(selectors.organisations_listed_for(user), filters)
    if request.GET.get("format") == "csv":
        return _csv_response(organisations)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clusters/organisation_list.html", {"form": form, "page": page})


CSV_COLUMNS = [
    "name",
    "acronym",
    "country",
    "city",
    "state",
    "eligible",
    "sectors",
    "website",
    "eccp_url",
    "management_fte",
    "members_total",
    "managers",
    "created_at",
]


def _csv_values(organisations: QuerySet[selectors.ListedOrganisation]) -> Iterator[list[object]]:
    for org in organisations.iterator(chunk_size=500):
        yield [
            org.name,
            org.acronym,
            org.country.code,
            org.city,
            org.state,
            "yes" if org.is_eligible else "no",
            "; ".join(s.name for s in org.sectors.all()),
            org.website,
            org.eccp_url,
            org.management_fte,
            org.members_total,
            "; ".join(m.user.email for m in org.current_managers),
            org.created_at.date().isoformat(),
        ]


def _csv_response(organisations: QuerySet[selectors.ListedOrganisation]) -> StreamingHttpResponse:
    return csv_response(filename="organisations.csv", header=CSV_COLUMNS, rows=_csv_values(organisations))
