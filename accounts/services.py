"""Writes on people and their roles. Views, commands and admin call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import StaffRole
from accounts.models import AssessorProfile, RoleGrant, User
from common.enums import Level
from common.errors import ActionRefused
from common.mail import send_templated_mail
from common.models import Sector
from common.services import history_record

SIGNUP_SALT = "accounts.signup"


def user_create(*, email: str, full_name: str, password: str | None, preferred_language: str = "en") -> User:
    """Create a person. Side effects: none (no mail; sign-up confirmation is the caller's)."""
    return User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        preferred_language=preferred_language,
        email_confirmed_at=timezone.now(),
    )


@transaction.atomic
def user_signup(*, email: str, full_name: str, preferred_language: str) -> User:
    """Start an account: inactive, without a password, until its owner follows
    the link mailed to the address and chooses the password there.

    Signing up again with an unconfirmed address sends a new link and voids the
    earlier ones. An address with a confirmed account is told so by mail, while
    the visitor sees the same page as anyone, so nobody can probe who has an
    account. A double click creates one account. Side effects: one e-mail, after commit.
    """
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and user.email_confirmed_at is not None:
        registered_pk = user.pk
        transaction.on_commit(lambda: _mail_already_registered(registered_pk))
        return user
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=None,
                    full_name=full_name.strip(),
                    preferred_language=preferred_language,
                    is_active=False,
                )
        except IntegrityError:  # the same address, a moment earlier (double click)
            return User.objects.get(email__iexact=email)
    else:
        user.full_name, user.preferred_language = full_name.strip(), preferred_language
        user.set_unusable_password()  # a fresh random marker: earlier links stop working
        user.save(update_fields=["full_name", "preferred_language", "password"])
    transaction.on_commit(lambda: _mail_confirmation(user.pk))
    return user


def signup_token(user: User) -> str:
    # The password field changes when the password is chosen (and on every new
    # sign-up), so each link works once and only the latest one works.
    return signing.dumps({"user": user.pk, "email": user.email, "stamp": user.password[-12:]}, salt=SIGNUP_SALT)


def signup_user_from_token(token: str) -> User:
    """The unconfirmed account a link points to, or ``ActionRefused`` saying why not."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=timedelta(days=settings.SIGNUP_CONFIRMATION_DAYS))
    except signing.SignatureExpired:
        raise ActionRefused(_("This confirmation link has expired. Sign up again to get a new one.")) from None
    except signing.BadSignature:
        raise ActionRefused(_("This confirmation link is not valid. Check that you copied all of it.")) from None
    user = User.objects.filter(pk=data.get("user"), email__iexact=data.get("email", "")).first()
    if user is None or user.email_confirmed_at is not None or user.password[-12:] != data.get("stamp"):
        raise ActionRefused(
            _("This confirmation link has been used or replaced by a newer one. Log in, or sign up again.")
        )
    return user


@transaction.atomic
def user_confirm_email(*, token: str, password: str) -> User:
    """Confirm the address and set the password chosen on the link's page."""
    user = signup_user_from_token(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_confirmed_at is not None:
        raise ActionRefused(
            _("This confirmation link has been used or replaced by a newer one. Log in, or sign up again.")
        )
    user.set_password(password)
    user.email_confirmed_at, user.is_active = timezone.now(), True
    user.save(update_fields=["password", "email_confirmed_at", "is_active"])
    return user


def _mail_confirmation(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None or user.email_confirmed_at is not None:
        return
    send_templated_mail(
        to=[user.email],
        template="accounts/email/signup_confirm",
        language=user.preferred_language,
        context={
            # No name: it is what a stranger typed until the address's owner confirms.
            "url": reverse("accounts:signup_confirm", args=[signup_token(user)]),
            "days": settings.SIGNUP_CONFIRMATION_DAYS,
        },
    )


def _mail_already_registered(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    send_templated_mail(
        to=[user.email],
        template="accounts/email/already_registered",
        language=user.preferred_language,
        context={"url": reverse("accounts:password_reset"), "login_url": reverse("accounts:login")},
    )


def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    """Change what a person may change about themselves. Side effects: none."""
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Keep the language a person picked in the header as their profile's language.

    Refuses (``ActionRefused``) a language the portal does not speak. Side
    effects: saves ``preferred_language`` when it changes (e-mails follow it).
    """
    if language not in dict(settings.LANGUAGES):
        raise ActionRefused(_("This language is not available."))
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def _refuse_unless_may_grant(by: User | None) -> None:
    # None is the system itself (the demo seed, a command on the server), never a request.
    if by is not None and not by.has_perm("accounts.grant_role"):
        raise ActionRefused(_("Only a superuser may give or take away staff roles."))


@transaction.atomic
def role_grant(*, user: User, role: StaffRole, by: User | None, note: str = "") -> RoleGrant:
    """Give a staff role; granting it again changes nothing.

    Only a superuser gives roles (``accounts.grant_role``); ``by=None`` is the
    system itself (the demo seed, a command), never a person's request. Refused
    with ``ActionRefused`` before anything is read. Side effects: a history row
    on the person (who gave which role, and why); the grant keeps who gave it,
    when, and the note.
    """
    _refuse_unless_may_grant(by)
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, defaults={"granted_by": by, "note": note})
    if created:
        history_record(obj=user, action="person.role_granted", by=by, data={"role": role}, reason=note)
    _forget_cached_roles(user)
    return grant


@transaction.atomic
def role_revoke(*, user: User, role: StaffRole, by: User | None) -> None:
    """Take a staff role away; revoking a role not held changes nothing.

    Only a superuser takes roles away, as ``role_grant``. Side effects: a
    history row on the person: who took which role away.
    """
    _refuse_unless_may_grant(by)
    deleted, _per_model = RoleGrant.objects.filter(user=user, role=role).delete()
    if deleted:
        history_record(obj=user, action="person.role_revoked", by=by, data={"role": role})
    _forget_cached_roles(user)


@transaction.atomic
def assessor_profile_set(
    *,
    user: User,
    home_country: str,
    countries: Iterable[str],
    languages: Iterable[str],
    sectors: Iterable[Sector],
    certified_levels: Iterable[Level | str],
    is_active: bool = True,
) -> AssessorProfile:
    """Create or replace a person's assessor profile. Side effects: none."""
    levels = sorted({Level(level).value for level in certified_levels}, key=Level.values.index)
    profile, _created = AssessorProfile.objects.update_or_create(
        user=user,
        defaults={
            "home_country": home_country,
            "countries": sorted(set(countries) | {home_country}),
            "languages": sorted({code.lower() for code in languages}),
            "certified_levels": levels,
            "is_active": is_active,
        },
    )
    profile.sectors.set(list(sectors))
    return profile


def _forget_cached_roles(user: User) -> None:
    if hasattr(user, "_staff_roles_cache"):
        del user._staff_roles_cache


def user_logins_unlock(*, user: User) -> int:
    """Forget the failed logins recorded against this account, from every address, and
    return how many records went. Called once the owner has proved the mailbox (a password
    reset link), so a lockout ends for them without waiting out the cool-off.

    Side effects: deletes django-axes' attempt records for the account; no history row
    (attempts are axes' records, not the portal's).
    """
    return AxesProxyHandler.reset_attempts(username=user.email)
