"""Login, profile and the role router."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import EmailAuthenticationForm, PlainSubjectPasswordResetForm, ProfileForm, SignupForm
from accounts.start_pages import first_steps, start_pages_for
from common.client import client_address
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.mail_limits import mail_allowed, mail_limit_message
from common.permissions import permission_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = PlainSubjectPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Counted whether or not the address has an account, so a refusal reveals nothing.
        email = form.cleaned_data["email"]
        if not mail_allowed(kind="password_reset", recipient=email, client=client_address(self.request)):
            form.add_error(None, mail_limit_message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        # The link came to the account's mailbox: its owner is back, whatever a lock says.
        response = super().form_valid(form)
        services.user_logins_unlock(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send a person to their role's start page, or let them choose among several."""
    pages = start_pages_for(request.user)
    if len(pages) == 1:
        return redirect(pages[0].url_name)
    return render(request, "accounts/start.html", {"pages": pages, "first_steps": first_steps()})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:start")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Counted before the service looks the address up, so a taken address is refused alike.
        if not mail_allowed(kind="signup", recipient=form.cleaned_data["email"], client=client_address(request)):
            form.add_error(None, mail_limit_message())
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        services.user_signup(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link's page: the address is proven; the owner chooses the password."""
    try:
        user = services.signup_user_from_token(token)
    except ActionRefused as refusal:
        return render(request, "accounts/signup_invalid.html", {"reason": str(refusal)}, status=410)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_confirm_email(token=token, password=form.cleaned_data["new_password1"])
        except ActionRefused as refusal:
            return render(request, "accounts/signup_invalid.html", {"reason": str(refusal)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. Welcome to escaportal."))
        return redirect("accounts:start")
    return render(request, "accounts/signup_confirm.html", {"form": form, "account": user})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.user_update_profile(user=user, **form.cleaned_data)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"full_name": user.full_name, "preferred_language": user.preferred_language})
    return render(request, "accounts/profile.html", {"form": form})


@permission_required("accounts.view_assessor_start")
def assessor_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    # Read only when the page is drawn, not when it is kept ({% kept %}, common.kept).
    profile = SimpleLazyObject(lambda: selectors.assessor_profile_for(user))
    return render(request, "accounts/assessor_start.html", {"profile": profile})
