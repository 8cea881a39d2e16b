"""Writes on people and their roles. Views, commands and admin call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.enums import StaffRole
from accounts.models import AssessorProfile, RoleGrant, User
from common.enums import Level
from common.models import Sector


def user_create(*, email: str, full_name: str, password: str | None, preferred_language: str = "en") -> User:
    """Create a person. Side effects: none (no mail; sign-up confirmation is the caller's)."""
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, preferred_language=preferred_language
    )


def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    """Change what a person may change about themselves. Side effects: none."""
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    return user


def role_grant(*, user: User, role: StaffRole, by: User | None = None, note: str = "") -> RoleGrant:
    """Give a staff role; granting it again changes nothing. Side effects: none."""
    grant, _created = RoleGrant.objects.get_or_create(user=user, role=role, defaults={"granted_by": by, "note": note})
    _forget_cached_roles(user)
    return grant


def role_revoke(*, user: User, role: StaffRole) -> None:
    """Take a staff role away; revoking a role not held changes nothing."""
    RoleGrant.objects.filter(user=user, role=role).delete()
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
