"""People: the user model and the roles the scheme gives them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField, MultipleCountriesDescriptor

from accounts.enums import StaffRole
from common.enums import Level


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("email_confirmed_at", timezone.now())
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        # Log-in is case-insensitive: people type their address as they like.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The e-mail address is the login name."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin access"), default=False, help_text=_("Can log into the Django admin."))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Null for people who signed up and have not yet followed the confirmation link
    # (they stay inactive until then); set for everyone else.
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)

    objects = UserManager()

    # Filled by the rules predicates on the object they are given (one request's
    # user), dropped by the services that change what they hold.
    _staff_roles_cache: set[str]  # accounts.rules
    _partner_countries_cache: set[str]  # clusters.rules

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleGrant(models.Model):
    """A staff role given to a person (label office, committee, policy reader)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["role", "user__email"]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="accounts_rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user.email}"


class AssessorProfile(models.Model):
    """What makes a person an assessor (ESCA expert): where, in what, at which levels."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="assessor_profile", verbose_name=_("user"))
    # Typed by hand: the stubs see CharFields (a str), the descriptors give Country objects.
    countries: models.Field[Iterable[Country | str], MultipleCountriesDescriptor] = CountryField(
        _("countries"), multiple=True, blank=True, help_text=_("Countries the expert works in.")
    )
    home_country: models.Field[Country | str, Country] = CountryField(_("home country"))
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("ISO 639-1 codes, e.g. en, sr, de.")
    )
    sectors = models.ManyToManyField("common.Sector", blank=True, related_name="assessors", verbose_name=_("sectors"))
    certified_levels = models.JSONField(_("certified levels"), default=list, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive experts are not offered for assignment.")
    )
    certified_since = models.DateField(_("certified since"), null=True, blank=True)

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("assessor profile")
        verbose_name_plural = _("assessor profiles")

    def __str__(self) -> str:
        return f"{self.user.get_full_name()} ({self.home_country})"

    @property
    def level_labels(self) -> list[str]:
        return [str(Level(level).label) for level in Level.values if level in self.certified_levels]
