"""Reads on people that several pages share."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.enums import StaffRole
from accounts.models import AssessorProfile, RoleGrant, User


def assessor_profile_for(user: User) -> AssessorProfile | None:
    return (
        AssessorProfile.objects.filter(user=user, is_active=True)
        .select_related("user")
        .prefetch_related("sectors")
        .first()
    )


def assessor_pool() -> QuerySet[AssessorProfile]:
    """Active assessors, with what the office needs to see at a glance."""
    return AssessorProfile.objects.filter(is_active=True).select_related("user").prefetch_related("sectors")


def staff_role_counts() -> list[tuple[str, int]]:
    """How many people hold each staff role, every role listed."""
    counts = dict(RoleGrant.objects.values_list("role").annotate(n=Count("id")).order_by())
    return [(str(role.label), counts.get(role.value, 0)) for role in StaffRole]


def user_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def people_with_role(role: StaffRole) -> list[User]:
    """Active holders of a staff role: who the office's or committee's notifications go to."""
    return list(User.objects.filter(role_grants__role=role, is_active=True).distinct())
